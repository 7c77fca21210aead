"""The media library (CNT-4): uploads checked by their bytes, licences, portrait consent.

An asset's type is read from the file's first bytes (``platforms.connectors.media.sniff`` for
pictures, sound and MP4, plus the font signatures here), never from its name; picture sizes
come from Pillow and play lengths from mutagen, measured once at upload so the platform rules
(Douyin's 30–60 s) can be checked without opening the file again.

Whatever content uses an asset whose licence is unknown or expired, or which pictures people
who have not consented, cannot be submitted for review (:func:`asset_problems`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

import mutagen
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from mediadesk.audit.services import record_event
from mediadesk.content.access import require_planning
from mediadesk.content.models import Asset, AssetKind, LicenceKind
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.platforms.connectors.media import CONTENT_TYPES, sniff

#: Largest file the library takes (a Douyin single upload is 128 MB; leave room for masters).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: How far ahead a licence counts as "expiring" in lists and filters.
EXPIRY_WARNING_DAYS = 30
_HEAD = 64
_CHUNK = 1024 * 1024

FONT_TYPES = {
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
}
_KIND_OF_FORMAT = {
    "jpg": AssetKind.IMAGE,
    "png": AssetKind.IMAGE,
    "gif": AssetKind.IMAGE,
    "bmp": AssetKind.IMAGE,
    "mp3": AssetKind.MUSIC,
    "amr": AssetKind.MUSIC,
    "wav": AssetKind.MUSIC,
    "wma": AssetKind.MUSIC,
    "m4a": AssetKind.MUSIC,
    "mp4": AssetKind.VIDEO,
    **dict.fromkeys(FONT_TYPES, AssetKind.FONT),
}
#: The format an asset's stored content type stands for (the reverse of the two tables above).
FORMAT_OF_TYPE = {
    **{v: k for k, v in CONTENT_TYPES.items()},
    **{v: k for k, v in FONT_TYPES.items()},
    "audio/mp4": "m4a",
}
_EXTRA_TYPES = {"m4a": "audio/mp4"}


def max_bytes() -> int:
    return int(getattr(settings, "MEDIADESK_ASSET_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect_format(head: bytes) -> str | None:
    """The format the first bytes announce: an image, sound, MP4 (video or M4A sound) or font."""
    if head.startswith((b"\x00\x01\x00\x00", b"true")) and len(head) >= 12:
        return "ttf"
    if head.startswith(b"OTTO"):
        return "otf"
    if head.startswith(b"wOFF"):
        return "woff"
    if head.startswith(b"wOF2"):
        return "woff2"
    fmt = sniff(head)
    if fmt == "mp4" and head[8:12] in (b"M4A ", b"M4B "):
        return "m4a"
    return fmt


def content_type_of(fmt: str) -> str:
    return CONTENT_TYPES.get(fmt) or FONT_TYPES.get(fmt) or _EXTRA_TYPES.get(fmt, "")


def asset_format(asset: Asset) -> str:
    """The detected format of a stored asset (``jpg``, ``mp4``, ``woff2`` …) or ''."""
    return FORMAT_OF_TYPE.get(asset.content_type, "")


# -- licences and consent -------------------------------------------------------------------


class LicenceState(StrEnum):
    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    CONSENT_MISSING = "consent_missing"


LICENCE_STATE_LABELS = {
    LicenceState.OK: gettext_lazy("Licensed"),
    LicenceState.EXPIRING: gettext_lazy("Licence expiring within 30 days"),
    LicenceState.EXPIRED: gettext_lazy("Licence expired"),
    LicenceState.UNKNOWN: gettext_lazy("Licence unknown"),
    LicenceState.CONSENT_MISSING: gettext_lazy("Portrait consent missing"),
}


@dataclass(frozen=True)
class AssetProblem:
    """Why an asset may not go out (yet): ``code`` is stable, ``message`` names the asset."""

    asset_id: int
    code: str  # licence_unknown / licence_expired / consent_missing / archived
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"asset": self.asset_id, "code": self.code, "message": self.message}


def _today() -> dt.date:
    return timezone.localdate()


def asset_problems(asset: Asset, *, on: dt.date | None = None) -> list[AssetProblem]:
    """What keeps ``asset`` from being published on the day ``on`` (today by default)."""
    on = on or _today()
    name = f"“{asset.title}” (#{asset.pk})"
    problems = []
    if asset.archived:
        problems.append(
            AssetProblem(
                asset.pk, "archived", _("%(a)s was archived from the media library.") % {"a": name}
            )
        )
    if asset.licence == LicenceKind.UNKNOWN:
        problems.append(
            AssetProblem(
                asset.pk,
                "licence_unknown",
                _("%(a)s has no known licence; record where it comes from and its licence.")
                % {"a": name},
            )
        )
    elif asset.licensed_until is not None and asset.licensed_until < on:
        problems.append(
            AssetProblem(
                asset.pk,
                "licence_expired",
                _("The licence of %(a)s ended on %(d)s.")
                % {"a": name, "d": asset.licensed_until.isoformat()},
            )
        )
    if asset.people_pictured and not asset.portrait_consent:
        problems.append(
            AssetProblem(
                asset.pk,
                "consent_missing",
                _("%(a)s shows %(p)s without their recorded portrait consent.")
                % {"a": name, "p": "、".join(asset.people_pictured)},
            )
        )
    return problems


def licence_states(asset: Asset, *, on: dt.date | None = None) -> list[LicenceState]:
    """Every state that applies (an asset can be both expiring and missing consent)."""
    on = on or _today()
    states = []
    if asset.licence == LicenceKind.UNKNOWN:
        states.append(LicenceState.UNKNOWN)
    elif asset.licensed_until is not None and asset.licensed_until < on:
        states.append(LicenceState.EXPIRED)
    elif asset.licensed_until is not None and asset.licensed_until <= on + dt.timedelta(
        days=EXPIRY_WARNING_DAYS
    ):
        states.append(LicenceState.EXPIRING)
    if asset.people_pictured and not asset.portrait_consent:
        states.append(LicenceState.CONSENT_MISSING)
    return states or [LicenceState.OK]


def licence_state_q(state: str, *, on: dt.date | None = None) -> Q:
    """The filter for assets in ``state`` (see :func:`licence_states`)."""
    on = on or _today()
    soon = on + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    unknown = Q(licence=LicenceKind.UNKNOWN)
    expired = ~unknown & Q(licensed_until__lt=on)
    expiring = ~unknown & Q(licensed_until__gte=on, licensed_until__lte=soon)
    consent = ~Q(people_pictured=[]) & Q(portrait_consent=False)
    match state:
        case LicenceState.UNKNOWN:
            return unknown
        case LicenceState.EXPIRED:
            return expired
        case LicenceState.EXPIRING:
            return expiring
        case LicenceState.CONSENT_MISSING:
            return consent
        case LicenceState.OK:
            return ~unknown & ~expired & ~expiring & ~consent
    raise ValidationFailed(
        _("Unknown licence state %(s)s.") % {"s": state}, fields={"licence_state": _("invalid")}
    )


# -- metadata -------------------------------------------------------------------------------

EDITABLE = (
    "title",
    "source",
    "licence",
    "licence_note",
    "licensed_until",
    "people_pictured",
    "portrait_consent",
    "consent_note",
)


def _clean_meta(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "title":
            value = (value or "").strip()
            if not value or len(value) > 200:
                raise ValidationFailed(
                    _("The title must be 1–200 characters."), fields={"title": _("invalid")}
                )
        elif name in ("source",):
            value = (value or "").strip()
            if len(value) > 300:
                raise ValidationFailed(
                    _("The source must be at most 300 characters."),
                    fields={"source": _("too long")},
                )
        elif name in ("licence_note", "consent_note"):
            value = (value or "").strip()
        elif name == "licence":
            if value not in LicenceKind.values:
                raise ValidationFailed(_("Unknown licence kind."), fields={"licence": _("invalid")})
        elif name == "licensed_until":
            if value is not None and not isinstance(value, dt.date):
                try:
                    value = dt.date.fromisoformat(str(value))
                except ValueError as exc:
                    raise ValidationFailed(
                        _("The licence end must be a date (YYYY-MM-DD)."),
                        fields={"licensed_until": _("invalid")},
                    ) from exc
        elif name == "people_pictured":
            if isinstance(value, str):
                value = [p for p in value.replace("，", ",").replace("、", ",").split(",")]
            if not isinstance(value, Iterable) or not all(isinstance(p, str) for p in value):
                raise ValidationFailed(
                    _("People pictured are a list of names."),
                    fields={"people_pictured": _("invalid")},
                )
            value = list(dict.fromkeys(p.strip() for p in value if p.strip()))
        elif name == "portrait_consent":
            value = bool(value)
        cleaned[name] = value
    return cleaned


def _snapshot(asset: Asset) -> dict[str, Any]:
    data = {name: getattr(asset, name) for name in EDITABLE}
    data["licensed_until"] = asset.licensed_until.isoformat() if asset.licensed_until else None
    data["archived"] = asset.archived
    return data


# -- upload ---------------------------------------------------------------------------------


@dataclass
class _Measured:
    fmt: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None


def _spool(data: bytes | IO[bytes]) -> IO[bytes]:
    """A seekable copy of the upload on disk (a 200 MB video never sits in memory)."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(bytes(data))
    spool = tempfile.SpooledTemporaryFile(max_size=4 * _CHUNK)  # closed by the caller
    limit = max_bytes()
    total = 0
    chunks = data.chunks() if hasattr(data, "chunks") else iter(lambda: data.read(_CHUNK), b"")
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            spool.close()
            raise _too_big(total)
        spool.write(chunk)
    spool.seek(0)
    return spool


def _too_big(size: int) -> ValidationFailed:
    return ValidationFailed(
        _("The file is larger than the media library takes (%(n)d MB).")
        % {"n": max_bytes() // (1024 * 1024)},
        fields={"file": _("too large")},
    )


def _measure(handle: IO[bytes]) -> _Measured:
    head = handle.read(_HEAD)
    handle.seek(0)
    if not head:
        raise ValidationFailed(_("The file is empty."), fields={"file": _("empty")})
    fmt = detect_format(head)
    if fmt is None:
        raise ValidationFailed(
            _(
                "This is not a file type the media library takes (JPEG, PNG, GIF or BMP "
                "pictures; MP4 video; MP3, M4A, WAV, WMA or AMR sound; TTF, OTF, WOFF or WOFF2 "
                "fonts). The type is read from the file's content, not its name."
            ),
            fields={"file": _("unsupported type")},
        )
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    if size > max_bytes():
        raise _too_big(size)
    handle.seek(0)
    measured = _Measured(fmt=fmt, size=size, sha256=digest.hexdigest())
    kind = _KIND_OF_FORMAT[fmt]
    if kind == AssetKind.IMAGE:
        try:
            with Image.open(handle) as image:
                measured.width, measured.height = image.size
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationFailed(
                _("The picture cannot be read; it may be damaged."),
                fields={"file": _("unreadable")},
            ) from exc
        except Image.DecompressionBombError as exc:
            raise ValidationFailed(
                _("The picture is too large to process."), fields={"file": _("too large")}
            ) from exc
    elif kind in (AssetKind.VIDEO, AssetKind.MUSIC):
        try:
            info = mutagen.File(handle)
        except Exception:  # mutagen raises many types; a length is optional
            info = None
        length = getattr(getattr(info, "info", None), "length", None)
        if length:
            measured.duration = round(float(length), 3)
    handle.seek(0)
    return measured


@transaction.atomic
def upload_asset(
    *,
    actor: Any,
    owning_unit: OrgUnit,
    data: bytes | IO[bytes],
    filename: str,
    title: str = "",
    source: str = "",
    licence: str = LicenceKind.UNKNOWN,
    licence_note: str = "",
    licensed_until: dt.date | str | None = None,
    people_pictured: Iterable[str] | str = (),
    portrait_consent: bool = False,
    consent_note: str = "",
) -> Asset:
    """Add a file to ``owning_unit``'s library (audited). ``data`` is the bytes or a file
    object (a Django ``UploadedFile`` works as is)."""
    require_planning(actor, owning_unit)
    filename = os.path.basename((filename or "").replace("\\", "/"))[:255]
    meta = _clean_meta(
        {
            "title": title or os.path.splitext(filename)[0] or _("Untitled"),
            "source": source,
            "licence": licence or LicenceKind.UNKNOWN,
            "licence_note": licence_note,
            "licensed_until": licensed_until,
            "people_pictured": people_pictured,
            "portrait_consent": portrait_consent,
            "consent_note": consent_note,
        }
    )
    handle = _spool(data)
    try:
        measured = _measure(handle)
        twin = Asset.objects.filter(
            owning_unit=owning_unit, sha256=measured.sha256, archived=False
        ).first()
        if twin is not None:
            raise Conflict(
                _("This file is already in the library as “%(t)s” (#%(id)d).")
                % {"t": twin.title, "id": twin.pk},
                fields={"file": twin.pk},
            )
        asset = Asset(
            owning_unit=owning_unit,
            kind=_KIND_OF_FORMAT[measured.fmt],
            original_name=filename,
            content_type=content_type_of(measured.fmt),
            size=measured.size,
            sha256=measured.sha256,
            width=measured.width,
            height=measured.height,
            duration_seconds=measured.duration,
            created_by=actor,
            **meta,
        )
        # The stored name is ours (hash + real extension): nothing of the uploader's name
        # reaches a path.
        asset.file.save(f"{measured.sha256[:20]}.{measured.fmt}", File(handle), save=False)
    finally:
        handle.close()
    stored = asset.file.name
    try:
        asset.save()
        record_event(
            action="content.asset.upload",
            actor=actor,
            obj=asset,
            after={
                **_snapshot(asset),
                "kind": asset.kind,
                "size": asset.size,
                "sha256": asset.sha256,
                "duration_seconds": asset.duration_seconds,
            },
        )
    except Exception:
        default_storage.delete(stored)
        raise
    return asset


@transaction.atomic
def update_asset(*, actor: Any, asset: Asset, **changes: Any) -> Asset:
    """Change an asset's title, source, licence or consent record (audited)."""
    asset = (
        Asset.objects.select_for_update(of=("self",)).select_related("owning_unit").get(pk=asset.pk)
    )
    require_planning(actor, asset)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields=dict.fromkeys(sorted(unknown), _("not editable")),
        )
    before = _snapshot(asset)
    for name, value in _clean_meta(changes).items():
        setattr(asset, name, value)
    after = _snapshot(asset)
    if after == before:
        return asset
    asset.save()
    record_event(
        action="content.asset.update",
        actor=actor,
        obj=asset,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return asset


@transaction.atomic
def archive_asset(*, actor: Any, asset: Asset) -> Asset:
    """Take an asset out of use; content already using it cannot be submitted until it is
    replaced. The file stays for the record."""
    asset = (
        Asset.objects.select_for_update(of=("self",)).select_related("owning_unit").get(pk=asset.pk)
    )
    require_planning(actor, asset)
    if asset.archived:
        return asset
    asset.archived = True
    asset.save(update_fields=["archived", "updated_at"])
    record_event(
        action="content.asset.archive",
        actor=actor,
        obj=asset,
        before={"archived": False},
        after={"archived": True},
    )
    return asset


def assets_usable_by(unit: OrgUnit) -> QuerySet[Asset]:
    """Assets a variant of ``unit``'s content may use: its own and its ancestors'."""
    return Asset.objects.filter(owning_unit_id__in=unit.ancestor_ids(), archived=False)

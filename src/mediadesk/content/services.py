"""Content items, variants, revisions and the review workflow engine (CNT-1, CNT-3, CNT-5,
REV-1 … REV-3).

Every function checks permission itself and writes its audit entries in the same transaction as
the change. Review transitions are optimistic: a decision names the round's ``version`` and the
revision it was made on; the round's row is locked and updated only at that version, so two
reviewers acting at once produce exactly one transition and the other gets :class:`Conflict`.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.models import SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.compliance import services as compliance
from mediadesk.content import delivery
from mediadesk.content.access import within_reach
from mediadesk.content.assets import body_asset_ids
from mediadesk.content.models import (
    APPROVING,
    ApprovalMode,
    Asset,
    AssetKind,
    ContentFormat,
    ContentItem,
    DecisionAction,
    ReviewStatus,
    Revision,
    StageDecision,
    Variant,
    Workflow,
    WorkflowStage,
    WorkflowState,
)
from mediadesk.content.planning import resolve_goal, resolve_topic
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import OrgUnit, Role, User
from mediadesk.orgs.permissions import Action, require

#: Compliance categories that make content "special industry" (CMP-5): the legal stage is forced.
SPECIAL_INDUSTRY_CATEGORIES = frozenset(
    {"special_industry", "medical_efficacy", "investment_promise", "education_promise"}
)
OPINION_REQUIRED = {
    DecisionAction.APPROVE_WITH_COMMENT,
    DecisionAction.REQUEST_CHANGES,
    DecisionAction.REJECT,
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "asset"}
VARIANT_FIELDS = ("title", "digest", "body", "original_url", "media", "cover", "extra")
#: The parts of an item that are planning rather than content: changing them is audited but
#: makes no revision and leaves a review where it is.
ITEM_META_FIELDS = ("notes", "is_backup", "backup_for")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave as it is" for arguments where None means "clear it".
UNSET: Any = _Unset()

#: The default three-level workflow of REV-1 (the seed's 三级审核机制).
DEFAULT_WORKFLOW_NAME = "三级审核（默认）"
DEFAULT_STAGES: tuple[dict[str, Any], ...] = (
    {
        "name": "一审（内容策划）",
        "level": 1,
        "role": Role.REVIEWER_L1,
        "checklist": ["符合目标与主题", "数据准确", "无错别字", "素材清晰"],
    },
    {
        "name": "二审（部门经理）",
        "level": 2,
        "role": Role.REVIEWER_L2,
        "checklist": ["品牌调性一致", "无广告法禁用词", "肖像权已确认", "版权已确认"],
    },
    {
        "name": "三审（法务/公关）",
        "level": 3,
        "role": Role.REVIEWER_L3,
        "checklist": ["无舆情风险", "无敏感信息", "符合企业战略"],
        "is_legal": True,
    },
)


# -- text, snapshots and fingerprints ------------------------------------------------------


def sanitize_html(value: str) -> str:
    """Safe article HTML; library images keep their ``asset:N`` source (see ``assets``)."""
    return nh3.clean(value or "", url_schemes=_URL_SCHEMES)


def plain_text(value: str) -> str:
    """The readable text of sanitised HTML (what the compliance check and diffs see)."""
    return html.unescape(nh3.clean(value or "", tags=set()))


def _variant_data(variant: Variant, *, with_name: bool = True) -> dict[str, Any]:
    return {
        "account": variant.account_id,
        "account_name": str(variant.account) if with_name else "",
        "title": variant.title,
        "digest": variant.digest,
        "body": variant.body,
        "original_url": variant.original_url,
        "media": [int(m) for m in variant.media or []],
        "cover": variant.cover_id,
        "extra": dict(variant.extra or {}),
    }


def _fingerprint(variants: Iterable[dict[str, Any]]) -> str:
    """SHA-256 over what goes out (REV-3): each variant's target account, text, read-original
    link, media asset ids, cover and platform specifics (``extra``).

    The time slot is not part of it; rescheduling an approved item keeps its approval.
    """
    canonical = sorted(
        (
            {
                "account": v["account"],
                "title": v["title"],
                "digest": v["digest"],
                "body": v["body"],
                "original_url": v["original_url"],
                "media": v["media"],
                "cover": v.get("cover"),
                "extra": v.get("extra") or {},
            }
            for v in variants
        ),
        key=lambda v: v["account"],
    )
    payload = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _snapshot(item: ContentItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "goal": item.goal_id,
        "topic": item.topic_id,
        "format": item.format,
        "targets": [item.target_exposure, item.target_interaction, item.target_conversion],
        "variants": [
            _variant_data(v) for v in item.variants.select_related("account").order_by("account")
        ],
    }


def _render_text(snapshot: dict[str, Any]) -> str:
    lines = [f"# {snapshot['title']}"]
    for v in snapshot["variants"]:
        lines += ["", f"## {v['account_name']}", f"标题：{v['title']}", f"摘要：{v['digest']}"]
        lines += plain_text(v["body"]).splitlines() or [""]
        if v["original_url"]:
            lines.append(f"阅读原文：{v['original_url']}")
        if v.get("cover"):
            lines.append(f"封面：#{v['cover']}")
        if v["media"]:
            lines.append("素材：" + ", ".join(f"#{m}" for m in v["media"]))
        for key, value in sorted((v.get("extra") or {}).items()):
            lines.append(f"{key}：{value}")
    return "\n".join(lines) + "\n"


def current_fingerprint(item: ContentItem) -> str:
    # Only what _fingerprint reads: no join for the account's name (publishing checks this
    # for every post at send time).
    return _fingerprint(_variant_data(v, with_name=False) for v in item.variants.all())


def approved_fingerprint_matches(item: ContentItem, *, fresh: bool = False) -> bool:
    """True when the item's last review approved exactly what it holds now (for publishing).

    ``fresh``: the caller read ``item`` from the database just now (the publishing engine,
    in the transaction of its send-time checks), so it is not read a second time.
    """
    if not fresh:
        item = ContentItem.objects.get(pk=item.pk)
    latest = item.reviews.order_by("-pk").first()
    return bool(
        item.approved_fingerprint
        and latest is not None
        and latest.status == ReviewStatus.APPROVED
        and latest.fingerprint == item.approved_fingerprint
        and current_fingerprint(item) == item.approved_fingerprint
    )


def _new_revision(item: ContentItem, actor: Any) -> Revision:
    snapshot = _snapshot(item)
    item.revision_number += 1
    item.save(update_fields=["revision_number", "updated_at"])
    return Revision.objects.create(
        item=item,
        number=item.revision_number,
        snapshot=snapshot,
        text=_render_text(snapshot),
        fingerprint=_fingerprint(snapshot["variants"]),
        created_by=actor,
    )


# -- items and variants ---------------------------------------------------------------------


def _clean_targets(values: dict[str, Any]) -> dict[str, int]:
    cleaned = {}
    for name, value in values.items():
        try:
            number = int(value or 0)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise ValidationFailed(
                _("Target figures are whole numbers, zero or more."), fields={name: _("invalid")}
            )
        cleaned[name] = number
    return cleaned


def _asset_id(value: Any, field: str) -> int:
    if isinstance(value, Asset):
        return value.pk
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValidationFailed(
        _("Media and covers are media-library asset ids."), fields={field: _("invalid")}
    )


def _check_assets(unit: OrgUnit, ids: list[int], field: str, *, kind: str = "") -> None:
    """Every id names a current asset of ``unit`` or a unit above it (of ``kind`` if given)."""
    found = {a.pk: a for a in Asset.objects.filter(pk__in=ids)}
    for asset_id in ids:
        asset = found.get(asset_id)
        if asset is None:
            raise ValidationFailed(
                _("There is no asset #%(id)d in the media library.") % {"id": asset_id},
                fields={field: _("unknown asset")},
            )
        if not within_reach(asset.owning_unit_id, unit):
            raise ValidationFailed(
                _("“%(a)s” belongs to another unit's library; use assets of %(u)s or above it.")
                % {"a": asset.title, "u": unit},
                fields={field: _("other unit")},
            )
        if asset.archived:
            raise ValidationFailed(
                _("“%(a)s” is archived; choose a current asset.") % {"a": asset.title},
                fields={field: _("archived")},
            )
        if kind and asset.kind != kind:
            raise ValidationFailed(
                _("“%(a)s” is not a picture.") % {"a": asset.title},
                fields={field: _("not a picture")},
            )


def _clean_variants(
    actor: Any, unit: OrgUnit, variants: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    if not variants:
        raise ValidationFailed(
            _("Add a variant for at least one account."), fields={"variants": _("required")}
        )
    cleaned, seen = [], set()
    for raw in variants:
        account = raw.get("account")
        if not isinstance(account, SocialAccount):
            account = SocialAccount.objects.filter(pk=account).first()
        if account is None:
            raise ValidationFailed(_("Unknown account."), fields={"account": _("invalid")})
        require(actor, Action.CONTENT_DRAFT, account)
        if account.pk in seen:
            raise ValidationFailed(
                _("%(a)s has two variants; keep one per account.") % {"a": account},
                fields={"account": _("duplicate")},
            )
        seen.add(account.pk)
        url = (raw.get("original_url") or "").strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError as exc:
                raise ValidationFailed(
                    _("The read-original link must be an http(s) address."),
                    fields={"original_url": _("invalid")},
                ) from exc
        media = raw.get("media") or []
        if not isinstance(media, list | tuple):
            raise ValidationFailed(
                _("Media are a list of media-library asset ids."), fields={"media": _("invalid")}
            )
        media = list(dict.fromkeys(_asset_id(m, "media") for m in media))
        cover = raw.get("cover")
        cover_id = _asset_id(cover, "cover") if cover not in (None, "") else None
        body = sanitize_html(raw.get("body") or "")
        _check_assets(unit, media, "media")
        _check_assets(unit, [cover_id] if cover_id else [], "cover", kind=AssetKind.IMAGE)
        _check_assets(unit, body_asset_ids(body), "body", kind=AssetKind.IMAGE)
        cleaned.append(
            {
                "account": account,
                "title": (raw.get("title") or "").strip()[:200],
                "digest": (raw.get("digest") or "").strip()[:300],
                "body": body,
                "original_url": url,
                "media": media,
                "cover": cover_id,
                "extra": delivery.clean_extra(account.platform, raw.get("extra")),
            }
        )
    return cleaned


def _write_variants(item: ContentItem, variants: list[dict[str, Any]]) -> None:
    keep = set()
    for data in variants:
        fields = {k: data[k] for k in VARIANT_FIELDS if k != "cover"}
        fields["cover_id"] = data["cover"]
        Variant.objects.update_or_create(item=item, account=data["account"], defaults=fields)
        keep.add(data["account"].pk)
    item.variants.exclude(account_id__in=keep).delete()


def variant_input(variant: Variant) -> dict[str, Any]:
    """A saved variant in the shape ``create_item``/``update_item`` take (to edit one variant
    and send the others back unchanged)."""
    return {
        "account": variant.account,
        "title": variant.title,
        "digest": variant.digest,
        "body": variant.body,
        "original_url": variant.original_url,
        "media": list(variant.media or []),
        "cover": variant.cover_id,
        "extra": dict(variant.extra or {}),
    }


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(_("The title must be 1–200 characters."), fields={"title": "!"})
    return title


def _clean_format(value: str) -> str:
    if value not in ContentFormat.values:
        raise ValidationFailed(_("Unknown content format."), fields={"format": _("invalid")})
    return value


def _clean_backup(is_backup: bool, backup_for: str) -> tuple[bool, str]:
    backup_for = (backup_for or "").strip()
    if len(backup_for) > 200:
        raise ValidationFailed(
            _("“Prepared for” must be at most 200 characters."),
            fields={"backup_for": _("too long")},
        )
    if is_backup and not backup_for:
        raise ValidationFailed(
            _("Say which event or crisis the backup content is prepared for."),
            fields={"backup_for": _("required")},
        )
    return bool(is_backup), backup_for if is_backup else ""


def _meta(item: ContentItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_META_FIELDS}


@transaction.atomic
def create_item(
    *,
    actor: Any,
    owning_unit: OrgUnit,
    title: str,
    variants: list[dict[str, Any]],
    goal: Any,
    topic: Any = None,
    format: str = ContentFormat.ARTICLE,
    notes: str = "",
    backup_for: str = "",
    target_exposure: int = 0,
    target_interaction: int = 0,
    target_conversion: int = 0,
) -> ContentItem:
    """A new item with its variants, saved as revision 1 (audited).

    ``goal`` (a :class:`Goal` or its id) is required (CNT-1) and ``topic`` optional; both must
    belong to ``owning_unit`` or a unit above it. A non-empty ``backup_for`` makes it backup
    content prepared for that event (CNT-5). Each variant is a dict with ``account`` and any of
    ``title``, ``digest``, ``body`` (HTML, sanitised; library pictures as
    ``<img src="asset:N">``), ``original_url``, ``media`` (asset ids), ``cover`` (an asset id)
    and ``extra`` (see :data:`delivery.EXTRA_FIELDS`).
    """
    require(actor, Action.CONTENT_DRAFT, owning_unit)
    title = _clean_title(title)
    goal = resolve_goal(goal, owning_unit)
    topic = resolve_topic(topic, owning_unit)
    is_backup, backup_for = _clean_backup(bool((backup_for or "").strip()), backup_for)
    targets = _clean_targets(
        {
            "target_exposure": target_exposure,
            "target_interaction": target_interaction,
            "target_conversion": target_conversion,
        }
    )
    cleaned = _clean_variants(actor, owning_unit, variants)
    item = ContentItem.objects.create(
        title=title,
        owning_unit=owning_unit,
        author=actor,
        goal=goal,
        topic=topic,
        format=_clean_format(format),
        notes=(notes or "").strip(),
        is_backup=is_backup,
        backup_for=backup_for,
        **targets,
    )
    _write_variants(item, cleaned)
    revision = _new_revision(item, actor)
    record_event(
        action="content.item.create",
        actor=actor,
        obj=item,
        after={
            "title": title,
            "goal": goal.pk,
            "topic": topic.pk if topic else None,
            "backup_for": backup_for,
            "revision": revision.number,
            "fingerprint": revision.fingerprint,
        },
    )
    return item


@transaction.atomic
def update_item(
    *,
    actor: Any,
    item: ContentItem,
    base_revision: int,
    title: str | None = None,
    goal: Any = None,
    topic: Any = UNSET,
    format: str | None = None,
    notes: str | None = None,
    targets: dict[str, Any] | None = None,
    variants: list[dict[str, Any]] | None = None,
) -> ContentItem:
    """Save a change as a new revision. ``base_revision`` is the revision the form showed.

    Arguments left out (``None``; ``UNSET`` for ``topic``, where ``None`` clears it) stay as
    they are; ``variants``, when given, is the whole new set (a variant left out is removed).
    An edit while the item is in review or after it was approved supersedes that review and
    starts again at stage one (REV-3); if the new text has a blocking finding, or a variant or
    asset problem, the item waits with its author instead. A change of ``notes`` alone is
    audited but makes no revision.
    """
    item = (
        ContentItem.objects.select_for_update(of=("self",))
        .select_related("owning_unit")
        .get(pk=item.pk)
    )
    require(actor, Action.CONTENT_DRAFT, item)
    if base_revision != item.revision_number:
        raise Conflict(
            _("This content changed since you opened it (now revision %(n)d); reload it.")
            % {"n": item.revision_number}
        )
    before, meta_before = _snapshot(item), _meta(item)
    if title is not None:
        item.title = _clean_title(title)
    if goal is not None:
        item.goal = resolve_goal(goal, item.owning_unit)
    if topic is not UNSET:
        item.topic = resolve_topic(topic, item.owning_unit)
    if format is not None:
        item.format = _clean_format(format)
    if notes is not None:
        item.notes = notes.strip()
    if targets:
        allowed = {"target_exposure", "target_interaction", "target_conversion"}
        for name, value in _clean_targets(
            {k: v for k, v in targets.items() if k in allowed}
        ).items():
            setattr(item, name, value)
    item.save()
    if variants is not None:
        _write_variants(item, _clean_variants(actor, item.owning_unit, variants))
    meta_after = _meta(item)
    if meta_after != meta_before:
        record_event(
            action="content.item.update",
            actor=actor,
            obj=item,
            before={k: v for k, v in meta_before.items() if meta_after[k] != v},
            after={k: v for k, v in meta_after.items() if meta_before[k] != v},
        )
    if _snapshot(item) == before:
        return item  # the content did not change: no revision, the review stands
    revision = _new_revision(item, actor)
    record_event(
        action="content.item.update",
        actor=actor,
        obj=item,
        before={"revision": revision.number - 1},
        after={"revision": revision.number, "fingerprint": revision.fingerprint},
    )
    latest = item.reviews.order_by("-pk").first()
    if latest is not None and latest.status in (ReviewStatus.IN_PROGRESS, ReviewStatus.APPROVED):
        _supersede(actor, item, latest)
        _restart(actor, item, revision)
    return item


def _restart(actor: Any, item: ContentItem, revision: Revision) -> None:
    """After an edit superseded a review: review again from stage one, unless the edit left
    something only the author can fix (then they are told what)."""
    try:
        delivery.raise_for_problems(item)
        findings = _check_item(item)
        if any(f["severity"] == "block" for f in findings):
            raise ValidationFailed(_("The edit added a blocking compliance finding."))
    except ValidationFailed as problem:
        notify(
            [item.author],
            kind="content.returned",
            title=_("“%(t)s” needs a fix before it can be reviewed again") % {"t": item.title},
            body=problem.message,
        )
        return
    _start_round(actor, item, revision, findings=findings)


@transaction.atomic
def set_backup(*, actor: Any, item: ContentItem, backup_for: str | None) -> ContentItem:
    """Mark ``item`` as backup content prepared for an event or crisis (CNT-5), or with
    ``None``/"" unmark it. Planning only: no revision, the review stands (audited)."""
    item = (
        ContentItem.objects.select_for_update(of=("self",))
        .select_related("owning_unit")
        .get(pk=item.pk)
    )
    require(actor, Action.CONTENT_DRAFT, item)
    is_backup, backup_for = _clean_backup(bool((backup_for or "").strip()), backup_for or "")
    before = _meta(item)
    item.is_backup, item.backup_for = is_backup, backup_for
    after = _meta(item)
    if after != before:
        item.save(update_fields=["is_backup", "backup_for", "updated_at"])
        record_event(
            action="content.item.backup",
            actor=actor,
            obj=item,
            before={"is_backup": before["is_backup"], "backup_for": before["backup_for"]},
            after={"is_backup": is_backup, "backup_for": backup_for},
        )
    return item


@transaction.atomic
def copy_variant(
    *,
    actor: Any,
    item: ContentItem,
    source: Variant,
    account: SocialAccount,
    base_revision: int,
    replace: bool = False,
) -> Variant:
    """Copy one variant to another account of the item, on purpose (CNT-3: never a blind
    sync). Platform details the target platform does not take are left behind. The target's
    existing variant is only overwritten with ``replace``. Saved as a new revision."""
    if source.item_id != item.pk:
        raise ValidationFailed(
            _("That variant belongs to other content."), fields={"source": _("invalid")}
        )
    if account.pk == source.account_id:
        raise ValidationFailed(
            _("Choose another account to copy the variant to."),
            fields={"account": _("same account")},
        )
    current = list(item.variants.select_related("account"))
    if any(v.account_id == account.pk for v in current) and not replace:
        raise Conflict(
            _("%(a)s already has a variant; confirm replacing it.") % {"a": account},
            fields={"account": _("has a variant")},
        )
    source = next(v for v in current if v.pk == source.pk)
    allowed = delivery.EXTRA_FIELDS.get(account.platform, {})
    copied = {
        **variant_input(source),
        "account": account,
        "extra": {k: v for k, v in (source.extra or {}).items() if k in allowed},
    }
    others = [variant_input(v) for v in current if v.account_id not in (account.pk,)]
    update_item(actor=actor, item=item, base_revision=base_revision, variants=[*others, copied])
    record_event(
        action="content.variant.copy",
        actor=actor,
        obj=item,
        after={"from_account": source.account_id, "to_account": account.pk, "replaced": replace},
    )
    return Variant.objects.get(item=item, account=account)


def _supersede(actor: Any, item: ContentItem, state: WorkflowState) -> None:
    was = state.status
    updated = WorkflowState.objects.filter(pk=state.pk, version=state.version).update(
        status=ReviewStatus.SUPERSEDED,
        stage=None,
        completed_at=timezone.now(),
        version=state.version + 1,
    )
    if not updated:
        raise Conflict(_("The review changed while you saved; reload and try again."))
    if item.approved_fingerprint:
        item.approved_fingerprint, item.approved_revision = "", None
        item.save(update_fields=["approved_fingerprint", "approved_revision", "updated_at"])
    record_event(
        action="content.review.supersede",
        actor=actor,
        obj=state,
        before={"status": was, "revision": state.revision.number},
        after={"status": ReviewStatus.SUPERSEDED, "revision": item.revision_number},
    )


# -- workflows ------------------------------------------------------------------------------


def seed_default_workflow() -> Workflow:
    """The default three-level workflow of REV-1, created once."""
    existing = Workflow.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            workflow = Workflow.objects.create(name=DEFAULT_WORKFLOW_NAME, is_default=True)
            for order, spec in enumerate(DEFAULT_STAGES, start=1):
                WorkflowStage.objects.create(workflow=workflow, order=order, **spec)
    except IntegrityError:
        return Workflow.objects.get(is_default=True)
    record_event(action="content.workflow.seed", obj=workflow, after={"name": workflow.name})
    return workflow


def workflow_for(item: ContentItem) -> Workflow:
    """An account's own workflow, else the nearest unit's, else the default."""
    account_ids = list(item.variants.values_list("account_id", flat=True))
    own = Workflow.objects.filter(active=True, account_id__in=account_ids).order_by("pk").first()
    if own is not None:
        return own
    unit = (
        Workflow.objects.filter(
            active=True, owning_unit_id__in=item.owning_unit.ancestor_ids(), account__isnull=True
        )
        .select_related("owning_unit")
        .order_by("-owning_unit__path")
        .first()
    )
    return unit or seed_default_workflow()


def stage_reviewers(stage: WorkflowStage, item: ContentItem) -> list[User]:
    """Who may act at ``stage`` for ``item``: its named people, else holders of its role
    on the item's unit (or above) or on one of its accounts. Never the item's author."""
    people = list(stage.people.filter(is_active=True))
    if not people and stage.role:
        account_ids = list(item.variants.values_list("account_id", flat=True))
        people = list(
            User.objects.filter(
                Q(role_assignments__org_unit_id__in=item.owning_unit.ancestor_ids())
                | Q(role_assignments__account_id__in=account_ids),
                is_active=True,
                role_assignments__role=stage.role,
                role_assignments__revoked_at__isnull=True,
            ).distinct()
        )
    return [p for p in people if p.pk != item.author_id]


def may_review(user: Any, stage: WorkflowStage, item: ContentItem) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and user.pk != item.author_id
        and any(p.pk == user.pk for p in stage_reviewers(stage, item))
    )


# -- submission and decisions ---------------------------------------------------------------


def _check_item(item: ContentItem) -> list[dict[str, Any]]:
    """Compliance findings of every variant's title, digest and body text (CMP-6)."""
    findings = []
    for variant in item.variants.select_related("account").order_by("account"):
        texts = {
            "title": variant.title,
            "digest": variant.digest,
            "body": plain_text(variant.body),
        }
        for field, text in texts.items():
            for finding in compliance.check(text, unit=item.owning_unit):
                findings.append(
                    {
                        "variant": variant.pk,
                        "account": variant.account_id,
                        "field": field,
                        **finding.as_dict(),
                    }
                )
    return findings


def _describe(findings: list[dict[str, Any]]) -> str:
    parts = []
    for f in findings:
        hint = f" → {f['suggestion']}" if f.get("suggestion") else ""
        parts.append(f"“{f['term']}”{hint}")
    return "、".join(parts)


def _start_round(
    actor: Any,
    item: ContentItem,
    revision: Revision,
    *,
    findings: list[dict[str, Any]],
    override_request: str = "",
) -> WorkflowState:
    blocking = [f for f in findings if f["severity"] == "block"]
    if blocking and not override_request:
        raise ValidationFailed(
            _("Fix these terms before submitting, or ask legal to override: %(list)s")
            % {"list": _describe(blocking)},
            fields={"findings": blocking},
            code="blocking_findings",
        )
    workflow = workflow_for(item)
    stages = list(workflow.stages.filter(retired=False).order_by("order"))
    if not stages:
        raise ValidationFailed(_("The workflow %(w)s has no stages.") % {"w": workflow})
    special = sorted({f["category"] for f in findings} & SPECIAL_INDUSTRY_CATEGORIES)
    requires_legal = bool(special or blocking)
    route = [s.pk for s in stages]
    if requires_legal and not any(s.is_legal for s in stages):
        legal = (
            seed_default_workflow()
            .stages.filter(is_legal=True, retired=False)
            .order_by("order")
            .first()
        )
        if legal is None:
            raise ValidationFailed(_("No legal stage is set up to review this content."))
        route.append(legal.pk)
    try:
        with transaction.atomic():
            state = WorkflowState.objects.create(
                item=item,
                workflow=workflow,
                revision=revision,
                route=route,
                stage_id=route[0],
                findings=findings,
                requires_legal=requires_legal,
                override_request=override_request,
                submitted_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("This content is already in review.")) from exc
    record_event(
        action="content.review.submit",
        actor=actor,
        obj=state,
        after={
            "revision": revision.number,
            "workflow": workflow.name,
            "route": route,
            "findings": len(findings),
            "blocking": len(blocking),
            "special_industry": special,
            "override_request": override_request,
        },
    )
    _notify_stage(state)
    return state


@transaction.atomic
def submit_for_review(
    *, actor: Any, item: ContentItem, override_request: str = ""
) -> WorkflowState:
    """Check every variant and start a review round at stage one.

    Refused, naming each reason, when the item has no goal (CNT-1), when a variant does not
    fit its platform (``code="variant_problems"``, CNT-3) or uses an asset that may not be
    published (``code="asset_problems"``, CNT-4). Then the compliance check runs: a blocking
    finding refuses the submission (``code="blocking_findings"``) unless the author asks for a
    legal override (``override_request``, their written explanation); the legal stage then
    decides on it.
    """
    item = (
        ContentItem.objects.select_for_update(of=("self",))
        .select_related("owning_unit")
        .get(pk=item.pk)
    )
    require(actor, Action.CONTENT_DRAFT, item)
    if not item.variants.exists():
        raise ValidationFailed(
            _("Add a variant for at least one account."), fields={"variants": _("required")}
        )
    latest = item.reviews.order_by("-pk").first()
    if latest is not None and latest.status == ReviewStatus.IN_PROGRESS:
        raise Conflict(_("This content is already in review."))
    if latest is not None and latest.status == ReviewStatus.APPROVED:
        raise Conflict(_("This content is already approved."))
    if item.goal_id is None:
        raise ValidationFailed(
            _("Link the content to a goal (CNT-1) before submitting it."),
            fields={"goal": _("required")},
        )
    delivery.raise_for_problems(item)
    revision = item.revisions.get(number=item.revision_number)
    return _start_round(
        actor,
        item,
        revision,
        findings=_check_item(item),
        override_request=(override_request or "").strip(),
    )


def _notify_stage(state: WorkflowState) -> None:
    stage = state.stage
    notify(
        stage_reviewers(stage, state.item),
        kind="content.review.awaiting",
        title=_("“%(t)s” awaits your review (%(s)s)") % {"t": state.item.title, "s": stage.name},
        dedupe_key=f"content.review:{state.pk}:{stage.pk}",
    )


@transaction.atomic
def decide(
    *,
    actor: Any,
    state: WorkflowState,
    action: str,
    revision: int,
    version: int,
    opinion: str = "",
    checklist: dict[str, bool] | None = None,
    override_reason: str = "",
) -> WorkflowState:
    """Record ``actor``'s decision at the round's current stage and make the transition.

    ``revision`` and ``version`` are what the reviewer's form showed; a stale form, or another
    reviewer's decision since, raises :class:`Conflict` and changes nothing.
    """
    if action not in DecisionAction.values:
        raise ValidationFailed(_("Unknown decision."), fields={"action": _("invalid")})
    locked = (
        WorkflowState.objects.select_for_update(of=("self",))
        .select_related("item__owning_unit", "stage", "revision")
        .get(pk=state.pk)
    )
    item = locked.item
    if locked.status != ReviewStatus.IN_PROGRESS:
        raise Conflict(
            _("This review is already closed (%(s)s); reload the item.")
            % {"s": locked.get_status_display()}
        )
    if revision != locked.revision.number or revision != item.revision_number:
        raise Conflict(
            _("The content changed since you opened it (now revision %(n)d); reload it.")
            % {"n": item.revision_number}
        )
    if version != locked.version:
        raise Conflict(_("Someone else acted on this review since you opened it; reload it."))
    stage = locked.stage
    if actor.pk == item.author_id:
        raise PermissionDenied(_("You cannot review your own content."))
    if not may_review(actor, stage, item):
        raise PermissionDenied(
            _("You are not a reviewer at the stage “%(s)s”.") % {"s": stage.name}
        )
    if StageDecision.objects.filter(state=locked, stage=stage, reviewer=actor).exists():
        raise Conflict(_("You already decided at this stage."))
    opinion = (opinion or "").strip()
    if action in OPINION_REQUIRED and not opinion:
        raise ValidationFailed(
            _("Write an opinion for this decision."), fields={"opinion": _("required")}
        )
    answers = {k: bool(v) for k, v in (checklist or {}).items() if k in stage.checklist}
    override_reason = (override_reason or "").strip()
    if action in APPROVING:
        missing = [c for c in stage.checklist if not answers.get(c)]
        if missing:
            raise ValidationFailed(
                _("Tick every checklist item before approving: %(l)s") % {"l": "、".join(missing)},
                fields={"checklist": missing},
            )
        if stage.is_legal and locked.has_blocking_findings and not override_reason:
            raise ValidationFailed(
                _("Blocking findings remain: write the reason for overriding them."),
                fields={"override_reason": _("required")},
            )
    if override_reason and not (stage.is_legal and locked.has_blocking_findings):
        raise ValidationFailed(
            _("Only the legal stage overrides blocking findings."),
            fields={"override_reason": _("not allowed here")},
        )

    decision = StageDecision.objects.create(
        state=locked,
        stage=stage,
        revision=locked.revision,
        reviewer=actor,
        action=action,
        opinion=opinion,
        checklist=answers,
    )
    before = {"status": locked.status, "stage": stage.name, "version": locked.version}
    changes: dict[str, Any] = {}
    now = timezone.now()
    next_stage = None
    if action == DecisionAction.REQUEST_CHANGES:
        changes = {"status": ReviewStatus.CHANGES_REQUESTED, "stage": None, "completed_at": now}
    elif action == DecisionAction.REJECT:
        changes = {"status": ReviewStatus.REJECTED, "stage": None, "completed_at": now}
    elif _stage_complete(locked, stage, item):
        position = locked.route.index(stage.pk)
        if position + 1 < len(locked.route):
            next_stage = WorkflowStage.objects.get(pk=locked.route[position + 1])
            changes = {"stage": next_stage}
        else:
            changes = {
                "status": ReviewStatus.APPROVED,
                "stage": None,
                "completed_at": now,
                "fingerprint": locked.revision.fingerprint,
            }
    if override_reason:
        changes.update(override_reason=override_reason, overridden_by=actor)
    updated = WorkflowState.objects.filter(pk=locked.pk, version=version).update(
        version=version + 1, **changes
    )
    if not updated:  # the row lock makes this unreachable on PostgreSQL; kept for other backends
        raise Conflict(_("Someone else acted on this review since you opened it; reload it."))
    locked.refresh_from_db()

    if override_reason:
        record_event(
            action="content.review.override",
            actor=actor,
            obj=locked,
            after={
                "reason": override_reason,
                "findings": [f for f in locked.findings if f.get("severity") == "block"],
                "author_request": locked.override_request,
            },
        )
    record_event(
        action=f"content.review.{action}",
        actor=actor,
        obj=locked,
        before=before,
        after={
            "status": locked.status,
            "stage": locked.stage.name if locked.stage else "",
            "version": locked.version,
            "decision": decision.pk,
            "opinion": opinion,
            "revision": revision,
        },
    )
    if locked.status == ReviewStatus.APPROVED:
        item.approved_fingerprint = locked.fingerprint
        item.approved_revision = locked.revision
        item.save(update_fields=["approved_fingerprint", "approved_revision", "updated_at"])
        notify(
            [item.author],
            kind="content.review.approved",
            title=_("“%(t)s” is approved") % {"t": item.title},
        )
    elif locked.status in (ReviewStatus.CHANGES_REQUESTED, ReviewStatus.REJECTED):
        notify(
            [item.author],
            kind=f"content.review.{locked.status}",
            title=_("“%(t)s” came back from %(s)s: %(a)s")
            % {"t": item.title, "s": stage.name, "a": decision.get_action_display()},
            body=opinion,
        )
    elif next_stage is not None:
        _notify_stage(locked)
    return locked


def _stage_complete(state: WorkflowState, stage: WorkflowStage, item: ContentItem) -> bool:
    if stage.mode != ApprovalMode.ALL:
        return True
    needed = {p.pk for p in stage_reviewers(stage, item)}
    approved = set(
        StageDecision.objects.filter(
            state=state, stage=stage, action__in=list(APPROVING)
        ).values_list("reviewer_id", flat=True)
    )
    return needed <= approved

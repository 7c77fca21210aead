"""What goes out: a publication's variant turned into the connector's :class:`PostRequest`.

Files are uploaded first (WeChat: the cover as permanent material, every ``<img
src="asset:N">`` of the body as an article image whose URL replaces the reference; Douyin: the
video). Each upload's result is saved on the publication (``platform_data["uploads"]``) through
``save`` before the next call, so a retry or a reconciliation after a crash reuses it instead of
uploading again. A WeChat file already on the account (:class:`PlatformUpload`) is not uploaded
again at all. Assisted platforms get a package that names library files, never their bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from mediadesk.content.assets import body_asset_ids, media_file, replace_body_assets
from mediadesk.content.models import Asset, AssetKind, LicenceKind, Variant
from mediadesk.content.services import plain_text
from mediadesk.platforms.bindings import WECHAT, family
from mediadesk.platforms.connectors import Connector
from mediadesk.platforms.connectors.errors import ConnectorError
from mediadesk.platforms.connectors.values import (
    Delivery,
    MediaFile,
    MediaKind,
    PostRequest,
    UploadedMedia,
)
from mediadesk.publishing.models import PlatformUpload

SaveUpload = Callable[[dict[str, Any]], None]  # the whole uploads dict, saved under the lease


class MediaMissing(ConnectorError):
    """A library file the post uses is gone from storage: no retry can bring it back, so the
    post fails with the asset's name instead of being tried again and again."""

    code = "media_missing"
    http_status = 409


def _file(asset: Asset) -> MediaFile:
    try:
        return media_file(asset)
    except OSError as exc:
        raise MediaMissing(
            _("The file of “%(a)s” (library item %(n)s) is missing from storage.")
            % {"a": asset.title or asset.original_name, "n": asset.pk},
            raw_message=str(exc),
        ) from exc


def asset_ids(values: Iterable[Any]) -> list[int]:
    """Library ids from a variant's ``media`` list (``12`` or ``"asset:12"``), in order."""
    ids: list[int] = []
    for value in values or []:
        text = str(value).strip()
        text = text.removeprefix("asset:")
        if text.isdigit() and int(text) not in ids:
            ids.append(int(text))
    return ids


def used_asset_ids(variant: Variant) -> list[int]:
    ids = asset_ids(variant.media)
    for asset_id in [variant.cover_id, *body_asset_ids(variant.body)]:
        if asset_id and asset_id not in ids:
            ids.append(asset_id)
    return ids


def variant_assets(variant: Variant) -> dict[int, Asset]:
    """Every library asset the variant uses, read once per variant object: the send-time
    licence check and the upload that follows it in the same job use the same rows."""
    assets = getattr(variant, "_used_assets", None)
    if assets is None:
        ids = used_asset_ids(variant)
        assets = {a.pk: a for a in Asset.objects.filter(pk__in=ids)} if ids else {}
        variant._used_assets = assets  # type: ignore[attr-defined]
    return assets


def licence_problem(variant: Variant, today: date) -> str:
    """Why an asset of the variant may not go out today (CNT-4), or ""."""
    variant.__dict__.pop("_used_assets", None)  # the check always reads the library afresh
    for _pk, asset in sorted(variant_assets(variant).items()):
        if asset.licence == LicenceKind.UNKNOWN:
            return _("The licence of the asset “%(a)s” is unknown.") % {"a": asset.title}
        if asset.licensed_until is not None and asset.licensed_until < today:
            return _("The licence of the asset “%(a)s” expired on %(d)s.") % {
                "a": asset.title,
                "d": asset.licensed_until.isoformat(),
            }
        if asset.people_pictured and not asset.portrait_consent:
            return _("The asset “%(a)s” shows people whose consent is not recorded.") % {
                "a": asset.title
            }
    return ""


def _assets(variant: Variant, ids: list[int]) -> dict[int, Asset]:
    """``ids`` among the variant's assets (read by the licence check just before, if any)."""
    known = variant_assets(variant)
    if any(i not in known for i in ids):  # not among the used ones: read them (never stale)
        known = {**known, **{a.pk: a for a in Asset.objects.filter(pk__in=ids)}}
    return {i: known[i] for i in ids if i in known}


def _on_platform(account_id: int, assets: list[Asset]) -> dict[tuple[int, str], dict[str, str]]:
    """What of ``assets`` is already on the account: (asset id, media kind) → media_id / url.
    A file whose bytes changed since (another SHA-256) is not among them."""
    if not assets:
        return {}
    sha = {a.pk: a.sha256 for a in assets}
    rows = PlatformUpload.objects.filter(account_id=account_id, asset_id__in=list(sha))
    return {
        (asset_id, kind): {"media_id": media_id, "url": url}
        for asset_id, kind, digest, media_id, url in rows.values_list(
            "asset_id", "kind", "sha256", "media_id", "url"
        )
        if digest == sha[asset_id]
    }


def _upload(connector: Connector, account_id: int, asset: Asset, kind: MediaKind) -> Any:
    """Upload ``asset`` and record it for the account's next posts (a concurrent upload of the
    same file keeps the first record; both media ids stay valid)."""
    uploaded = connector.upload_media(_file(asset), kind)
    PlatformUpload.objects.bulk_create(
        [
            PlatformUpload(
                account_id=account_id,
                asset=asset,
                kind=kind.value,
                sha256=asset.sha256,
                media_id=uploaded.media_id or "",
                url=uploaded.url or "",
            )
        ],
        ignore_conflicts=True,
    )
    return uploaded


def forget_uploads(publication: Any) -> int:
    """Forget what the publication's files are on its account, on the publication and for the
    account's next posts, so that the next build uploads them again: the platform no longer
    knows one of them (deleted in its back office). Returns how many records went."""
    data = dict(publication.platform_data or {})
    data.pop("uploads", None)
    publication.platform_data = data
    ids = used_asset_ids(publication.variant)
    rows = PlatformUpload.objects.filter(account_id=publication.account_id, asset_id__in=ids)
    return rows.delete()[0]


def _title(variant: Variant) -> str:
    return variant.title or variant.item.title


def build(
    publication: Any, connector: Connector, *, save: SaveUpload, draft_id: str = ""
) -> PostRequest:
    """The post for ``publication`` on ``connector``, uploading what is not uploaded yet."""
    variant: Variant = publication.variant
    kind = family(publication.account.platform)
    uploads: dict[str, Any] = dict((publication.platform_data or {}).get("uploads") or {})
    extra = dict(variant.extra or {})
    common = {
        "idempotency_key": publication.idempotency_key,
        "delivery": Delivery.MASS_SEND if publication.delivery == "mass_send" else Delivery.PUBLISH,
    }
    if connector.assisted or kind is None:
        return _assisted(publication, variant, common)
    if kind == WECHAT:
        return _wechat(publication, variant, connector, uploads, save, extra, common, draft_id)
    if kind == "douyin":
        return _douyin(variant, connector, uploads, save, extra, common)
    return _weibo(variant, extra, common)


def _wechat(
    publication: Any,
    variant: Variant,
    connector: Connector,
    uploads: dict[str, Any],
    save: SaveUpload,
    extra: dict[str, Any],
    common: dict[str, Any],
    draft_id: str,
) -> PostRequest:
    media_ids = asset_ids(variant.media)
    cover_id = variant.cover_id or next(iter(media_ids), None)
    body_ids = body_asset_ids(variant.body)
    assets = _assets(variant, [i for i in [cover_id, *body_ids] if i])
    done = uploads.get("cover") or {}
    cover_needed = bool(cover_id and cover_id in assets) and (
        done.get("asset") != cover_id or not done.get("media_id")
    )
    body_urls: dict[str, str] = dict(uploads.get("body") or {})
    body_needed = [i for i in body_ids if str(i) not in body_urls and i in assets]
    account_id = publication.account_id
    wanted = ([cover_id] if cover_needed else []) + body_needed
    known = _on_platform(account_id, [assets[i] for i in wanted])
    cover = None
    if cover_id and cover_id in assets:
        if cover_needed:
            done = known.get((cover_id, MediaKind.IMAGE.value)) or {}
            if done.get("media_id"):
                done = {"asset": cover_id, **done, "reused": True}
                uploads["cover"] = done
            else:
                uploaded = _upload(connector, account_id, assets[cover_id], MediaKind.IMAGE)
                done = {"asset": cover_id, "media_id": uploaded.media_id, "url": uploaded.url}
                uploads["cover"] = done
                save(uploads)
        cover = UploadedMedia(MediaKind.IMAGE, media_id=done["media_id"], url=done.get("url", ""))
    for asset_id in body_needed:
        url = (known.get((asset_id, MediaKind.ARTICLE_IMAGE.value)) or {}).get("url")
        if url:
            body_urls[str(asset_id)] = url
            uploads["body"] = body_urls
            continue
        uploaded = _upload(connector, account_id, assets[asset_id], MediaKind.ARTICLE_IMAGE)
        body_urls[str(asset_id)] = uploaded.url
        uploads["body"] = body_urls
        save(uploads)
    if uploads != (publication.platform_data or {}).get("uploads"):
        # Files reused from the account were not saved one by one (nothing new to protect):
        # the create's own write (``Lease.begin_create``) stores them with the post, where the
        # check after publishing looks for the images it must find.
        publication.platform_data = {**(publication.platform_data or {}), "uploads": uploads}
    text = replace_body_assets(variant.body, {int(k): v for k, v in body_urls.items()})
    tag = connector.ref.options.get("mass_tag_id")
    return PostRequest(
        text=text,
        title=_title(variant),
        digest=variant.digest,
        author=str(extra.get("author") or ""),
        cover=cover,
        source_url=variant.original_url,
        open_comments=bool(extra.get("open_comments")),
        fans_only_comments=bool(extra.get("fans_only_comments")),
        audience_tag_id=int(tag) if tag is not None else None,
        platform_draft_id=draft_id or publication.platform_draft_id,
        **common,
    )


def _weibo(variant: Variant, extra: dict[str, Any], common: dict[str, Any]) -> PostRequest:
    ids = [i for i in [variant.cover_id, *asset_ids(variant.media)] if i]
    pictures = [
        a for a in (_assets(variant, ids[:1]).values() if ids else []) if a.kind == AssetKind.IMAGE
    ]
    picture = _file(pictures[0]) if pictures else None
    return PostRequest(
        text=plain_text(variant.body).strip(),
        title=_title(variant),
        cover=picture,
        extra={k: v for k, v in extra.items() if k == "rip"},
        **common,
    )


def _douyin(
    variant: Variant,
    connector: Connector,
    uploads: dict[str, Any],
    save: SaveUpload,
    extra: dict[str, Any],
    common: dict[str, Any],
) -> PostRequest:
    videos = [
        a for a in _assets(variant, asset_ids(variant.media)).values() if a.kind == AssetKind.VIDEO
    ]
    media: tuple[UploadedMedia | MediaFile, ...] = ()
    if videos:
        video = videos[0]
        done = uploads.get("video") or {}
        if done.get("asset") != video.pk or not done.get("media_id"):
            uploaded = connector.upload_media(_file(video), MediaKind.VIDEO)
            done = {"asset": video.pk, "media_id": uploaded.media_id}
            uploads["video"] = done
            save(uploads)
        media = (UploadedMedia(MediaKind.VIDEO, media_id=done["media_id"]),)
    return PostRequest(
        text=plain_text(variant.body).strip() or _title(variant),
        title=_title(variant),
        media=media,
        extra=extra,
        **common,
    )


def _assisted(publication: Any, variant: Variant, common: dict[str, Any]) -> PostRequest:
    ids = asset_ids(variant.media)
    cover = (
        UploadedMedia(MediaKind.IMAGE, url=f"asset:{variant.cover_id}")
        if variant.cover_id
        else None
    )
    return PostRequest(
        text=plain_text(variant.body).strip(),
        title=_title(variant),
        cover=cover,
        media=tuple(UploadedMedia(MediaKind.IMAGE, url=f"asset:{i}") for i in ids),
        target=publication.account.name,
        **common,
    )


def package_data(publication: Any, title: str, text: str, package: Any) -> dict[str, Any]:
    """The assisted package as stored on the row: text, the library files to use, steps."""
    ids = asset_ids(publication.variant.media)
    cover_id = publication.variant.cover_id
    assets = _assets(publication.variant, [i for i in [cover_id, *ids] if i])

    def describe(asset_id: int) -> dict[str, Any]:
        asset = assets.get(asset_id)
        return {
            "asset": asset_id,
            "title": asset.title if asset else "",
            "filename": (asset.original_name if asset else "") or "",
            "kind": asset.kind if asset else "",
        }

    return {
        "package_id": getattr(package, "package_id", ""),
        "target": getattr(package, "target", "") or publication.account.name,
        "title": title,
        "text": text,
        "cover": describe(cover_id) if cover_id else None,
        "media": [describe(i) for i in ids],
        "instructions": _(
            "Publish this post in the %(platform)s app as %(account)s, then record the link of "
            "the published post here."
        )
        % {
            "platform": publication.account.get_platform_display(),
            "account": publication.account.name,
        },
    }

"""Each variant against its platform (CNT-3): its problems, how it will go out, its preview.

The limits are the connectors' own (``wechat_rules``, ``weibo_rules``, the Douyin video rule,
``assisted.RULES``): this module reads them, it never restates them, so a variant that passes
here is not refused by the connector for the same reason at publishing time. What the seed
asks beyond the platforms — a Douyin video of 30–60 seconds — is stated here, once.

* :func:`variant_problems` — what blocks submission (each with the field and a message);
* :func:`delivery_plan` — through the platform's API (WeChat publish or mass send, Weibo
  ``statuses/share`` when the post fits its rules, Douyin when the account's app may publish)
  or *assisted*: a person posts it in the app, with the reasons;
* :func:`preview` — the variant as it will look: library pictures in place, Weibo's
  character count, #topics# and @mentions, cover, video length;
* :func:`clean_extra` — the platform specifics a variant may carry (``Variant.extra``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _

from mediadesk.accounts.models import Platform
from mediadesk.content.assets import body_asset_ids, replace_body_assets
from mediadesk.content.library import asset_format, asset_problems
from mediadesk.content.models import Asset, AssetKind, ContentItem, Variant
from mediadesk.core.errors import ValidationFailed
from mediadesk.platforms.connectors import assisted, douyin, wechat_rules, weibo_rules
from mediadesk.platforms.connectors.errors import InvalidContent
from mediadesk.platforms.connectors.media import MB, MediaRule
from mediadesk.platforms.connectors.registry import ASSISTED_FOR_NOW
from mediadesk.platforms.connectors.values import MediaKind

WECHAT = frozenset({Platform.WECHAT_SERVICE, Platform.WECHAT_SUBSCRIPTION})
#: The seed's short-video rule for Douyin (CNT-3: "Douyin 30–60 s video"), in seconds.
DOUYIN_VIDEO_SECONDS = (30, 60)
DELIVERY_PUBLISH, DELIVERY_MASS_SEND, DELIVERY_ASSISTED = "publish", "mass_send", "assisted"

#: What ``Variant.extra`` may hold per platform, and of which type. WeChat: the author line,
#: comments, and whether the article is published (发布) or mass-sent (群发). Douyin: the
#: shopping-cart link and the create-video options the connector passes on.
_WECHAT_EXTRA: dict[str, type | tuple[type, ...]] = {
    "author": str,
    "open_comments": bool,
    "fans_only_comments": bool,
    "delivery": str,
}
EXTRA_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    Platform.WECHAT_SERVICE: _WECHAT_EXTRA,
    Platform.WECHAT_SUBSCRIPTION: _WECHAT_EXTRA,
    Platform.DOUYIN: {
        "cart_url": str,
        **{
            name: {"at_users": list, "cover_tsp": (int, float)}.get(name, str)
            for name in douyin.CREATE_OPTIONS
        },
    },
}

_MENTION = re.compile(r"@([^\s@#:：,，。.!！?？、;；()（）\[\]【】]{1,30})")
_HASHTAG = re.compile(r"#([^\s#]{1,50})")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']*)["']""", re.I)


@dataclass(frozen=True)
class VariantProblem:
    """Something that keeps a variant from being submitted, named for its author."""

    variant_id: int
    account_id: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant_id,
            "account": self.account_id,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class DeliveryPlan:
    """How a variant will go out. ``mode`` is a ``publishing.DeliveryMode`` value."""

    mode: str  # publish / mass_send / assisted
    via_api: bool
    platform: str
    reasons: tuple[str, ...] = ()  # why a person must post it (empty when via the API)
    where: str = ""  # where that person posts it

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "via_api": self.via_api,
            "platform": self.platform,
            "reasons": list(self.reasons),
            "where": self.where,
        }


# -- the platform specifics ------------------------------------------------------------------


def clean_extra(platform: str, extra: Any) -> dict[str, Any]:
    """``extra`` checked against :data:`EXTRA_FIELDS` for ``platform``; empty values dropped."""
    if extra in (None, ""):
        return {}
    if not isinstance(extra, dict):
        raise ValidationFailed(
            _("Platform details are a set of named values."), fields={"extra": _("invalid")}
        )
    allowed = EXTRA_FIELDS.get(platform, {})
    unknown = sorted(set(extra) - set(allowed))
    if unknown:
        raise ValidationFailed(
            _("%(p)s variants do not take: %(k)s (they take: %(a)s).")
            % {
                "p": Platform(platform).label,
                "k": ", ".join(unknown),
                "a": ", ".join(allowed) or "-",
            },
            fields={f"extra.{k}": _("unknown") for k in unknown},
        )
    cleaned: dict[str, Any] = {}
    for name, value in extra.items():
        expected = allowed[name]
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None, []):
            continue
        ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool)
        if name == "at_users":
            ok = ok and all(isinstance(u, str) and u.strip() for u in value)
        if name == "delivery":
            ok = ok and value in (DELIVERY_PUBLISH, DELIVERY_MASS_SEND)
        if name == "cart_url":
            parts = urlsplit(value) if isinstance(value, str) else None
            ok = ok and parts is not None and parts.scheme in ("http", "https") and parts.netloc
        if not ok:
            raise ValidationFailed(
                _("The platform detail %(k)s is not valid.") % {"k": name},
                fields={f"extra.{name}": _("invalid")},
            )
        cleaned[name] = value
    return cleaned


# -- reading a variant ----------------------------------------------------------------------


def variant_asset_ids(variant: Variant) -> list[int]:
    """Every library asset the variant shows: cover, media, pictures in the body."""
    ids = [variant.cover_id] if variant.cover_id else []
    ids += [int(m) for m in variant.media or []]
    ids += body_asset_ids(variant.body)
    return list(dict.fromkeys(ids))


def _assets(variant: Variant) -> dict[int, Asset]:
    cached = getattr(variant, "_assets_cache", None)
    if cached is None:
        cached = {a.pk: a for a in Asset.objects.filter(pk__in=variant_asset_ids(variant))}
        variant._assets_cache = cached  # type: ignore[attr-defined]
    return cached


def _media(variant: Variant) -> list[Asset]:
    assets = _assets(variant)
    return [assets[int(m)] for m in variant.media or [] if int(m) in assets]


def variant_text(variant: Variant) -> str:
    from mediadesk.content.services import plain_text

    return plain_text(variant.body).strip()


def _fits(asset: Asset, rule: MediaRule) -> bool:
    too_big = asset.size > rule.max_bytes if rule.inclusive else asset.size >= rule.max_bytes
    return asset_format(asset) in rule.formats and not too_big


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n // 1024} KB"


def _rule_message(asset: Asset, rule: MediaRule) -> str:
    limit = _size(rule.max_bytes)
    return _("“%(a)s” does not fit %(rule)s (%(f)s, %(l)s %(n)s).") % {
        "a": asset.title,
        "rule": rule.label,
        "f": "/".join(sorted(rule.formats)).upper(),
        "l": _("up to") if rule.inclusive else _("under"),
        "n": limit,
    }


# -- problems --------------------------------------------------------------------------------


def variant_problems(variant: Variant) -> list[VariantProblem]:
    """Everything that keeps ``variant`` from going out on its account (blocks submission)."""
    platform = variant.account.platform
    found: list[tuple[str, str, str]] = []

    def problem(field_name: str, code: str, message: str) -> None:
        found.append((field_name, code, message))

    assets = _assets(variant)
    for asset_id in variant_asset_ids(variant):
        if asset_id not in assets:
            problem(
                "media", "asset_missing", _("Asset #%(id)d no longer exists.") % {"id": asset_id}
            )
    media = _media(variant)
    for asset in media:
        if asset.kind == AssetKind.FONT:
            problem(
                "media",
                "font_in_post",
                _("“%(a)s” is a font: posts carry pictures, video or sound, not fonts.")
                % {"a": asset.title},
            )
    cover = assets.get(variant.cover_id) if variant.cover_id else None
    if cover is not None and cover.kind != AssetKind.IMAGE:
        problem("cover", "cover_not_image", _("The cover must be a picture."))
    text = variant_text(variant)

    if platform in WECHAT:
        _wechat_problems(variant, text, cover, problem)
    elif platform == Platform.WEIBO:
        if not text:
            problem("body", "empty", _("The Weibo post has no text."))
    elif platform == Platform.DOUYIN:
        _douyin_problems(media, problem)
    elif platform in assisted.RULES:
        _assisted_problems(variant, text, media, cover, assisted.RULES[platform], problem)
    elif not (text or variant.title.strip()):
        problem("body", "empty", _("The post is empty."))
    return [VariantProblem(variant.pk, variant.account_id, f, c, m) for f, c, m in found]


def _wechat_problems(
    variant: Variant, text: str, cover: Asset | None, problem: Callable[[str, str, str], None]
) -> None:
    title = variant.title.strip()
    if not title:
        problem("title", "required", _("A WeChat article needs a title."))
    elif len(title) > wechat_rules.TITLE_MAX:
        problem(
            "title",
            "too_long",
            _("The title has %(n)d characters; WeChat allows %(max)d.")
            % {"n": len(title), "max": wechat_rules.TITLE_MAX},
        )
    if len(variant.digest) > wechat_rules.DIGEST_MAX:
        problem(
            "digest",
            "too_long",
            _("The digest has %(n)d characters; WeChat allows %(max)d.")
            % {"n": len(variant.digest), "max": wechat_rules.DIGEST_MAX},
        )
    author = str((variant.extra or {}).get("author", ""))
    if len(author) > wechat_rules.AUTHOR_MAX:
        problem(
            "extra.author",
            "too_long",
            _("The author has %(n)d characters; WeChat allows %(max)d.")
            % {"n": len(author), "max": wechat_rules.AUTHOR_MAX},
        )
    if not text and not body_asset_ids(variant.body):
        problem("body", "empty", _("The article body is empty."))
    if len(variant.body) >= wechat_rules.CONTENT_MAX_CHARS or len(variant.body.encode()) >= MB:
        problem(
            "body",
            "too_long",
            _("The article has %(n)d characters of HTML; WeChat takes fewer than %(max)d.")
            % {"n": len(variant.body), "max": wechat_rules.CONTENT_MAX_CHARS},
        )
    url = variant.original_url
    if url and len(url.encode("utf-8")) > wechat_rules.SOURCE_URL_MAX_BYTES:
        problem("original_url", "too_long", _("The read-original link is longer than 1 KB."))
    if cover is None:
        problem("cover", "required", _("A WeChat article needs a cover picture."))
    elif cover.kind == AssetKind.IMAGE and not _fits(
        cover, wechat_rules.MEDIA_RULES[MediaKind.IMAGE]
    ):
        problem(
            "cover", "cover_rule", _rule_message(cover, wechat_rules.MEDIA_RULES[MediaKind.IMAGE])
        )
    assets = _assets(variant)
    rule = wechat_rules.MEDIA_RULES[MediaKind.ARTICLE_IMAGE]
    for asset_id in body_asset_ids(variant.body):
        asset = assets.get(asset_id)
        if asset is None:
            continue
        if asset.kind != AssetKind.IMAGE:
            problem(
                "body",
                "body_not_image",
                _("“%(a)s” in the body is not a picture.") % {"a": asset.title},
            )
        elif not _fits(asset, rule):
            problem("body", "body_image_rule", _rule_message(asset, rule))
    foreign = [src for src in _IMG_SRC.findall(variant.body) if not src.startswith("asset:")]
    if foreign:
        problem(
            "body",
            "foreign_image",
            _(
                "The article shows %(n)d picture(s) from outside the media library (first: "
                "%(src)s); WeChat drops them. Add them to the library and insert them from there."
            )
            % {"n": len(foreign), "src": foreign[0][:80]},
        )


def _douyin_problems(media: list[Asset], problem: Callable[[str, str, str], None]) -> None:
    videos = [a for a in media if a.kind == AssetKind.VIDEO]
    pictures = [a for a in media if a.kind == AssetKind.IMAGE]
    if not videos and not pictures:
        problem("media", "required", _("A Douyin post needs a video (or pictures)."))
    if len(videos) > 1:
        problem("media", "one_video", _("A Douyin post carries one video; keep one."))
    low, high = DOUYIN_VIDEO_SECONDS
    for video in videos:
        if video.duration_seconds is None:
            problem(
                "media",
                "duration_unknown",
                _("The length of “%(a)s” could not be measured; upload it again as MP4.")
                % {"a": video.title},
            )
        elif not low <= video.duration_seconds <= high:
            problem(
                "media",
                "duration",
                _("“%(a)s” runs %(s).0f s; a Douyin video here runs %(lo)d–%(hi)d s.")
                % {"a": video.title, "s": video.duration_seconds, "lo": low, "hi": high},
            )
        if asset_format(video) not in douyin.VIDEO.formats:
            problem("media", "video_format", _rule_message(video, douyin.VIDEO))


def _platform_label(rules: assisted.AssistedRules) -> str:
    """The connector's platform name, translated in this app's catalogue."""
    return _(rules.label)


def _assisted_problems(
    variant: Variant,
    text: str,
    media: list[Asset],
    cover: Asset | None,
    rules: assisted.AssistedRules,
    problem: Callable[[str, str, str], None],
) -> None:
    title = variant.title.strip()
    if not (text or title):
        problem("body", "empty", _("The post is empty."))
    if rules.title_max is not None and len(title) > rules.title_max:
        problem(
            "title",
            "too_long",
            _("The title has %(n)d characters; %(p)s allows %(max)d.")
            % {"n": len(title), "p": _platform_label(rules), "max": rules.title_max},
        )
    if rules.text_max is not None and len(text) > rules.text_max:
        problem(
            "body",
            "too_long",
            _("The text has %(n)d characters; %(p)s allows %(max)d.")
            % {"n": len(text), "p": _platform_label(rules), "max": rules.text_max},
        )
    if rules.needs_media and not (media or cover):
        problem(
            "media",
            "required",
            _("A %(p)s post needs at least a picture or a video.") % {"p": _platform_label(rules)},
        )


def item_problems(item: ContentItem, *, on: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The variant problems and the asset problems of every variant of ``item``."""
    variants = list(item.variants.select_related("account").order_by("account"))
    problems = [p.as_dict() for v in variants for p in variant_problems(v)]
    seen: dict[int, dict[str, Any]] = {}
    for variant in variants:
        for asset in _assets(variant).values():
            if asset.pk in seen:
                seen[asset.pk]["variants"].append(variant.pk)
                continue
            found = asset_problems(asset, on=on)
            if found:
                seen[asset.pk] = {
                    "asset": asset.pk,
                    "title": asset.title,
                    "variants": [variant.pk],
                    "problems": [p.as_dict() for p in found],
                }
    return {"variants": problems, "assets": list(seen.values())}


def raise_for_problems(item: ContentItem) -> None:
    """Refuse a submission with every variant problem, then every asset problem, named."""
    found = item_problems(item)
    if found["variants"]:
        raise ValidationFailed(
            _("These variants do not fit their platforms yet: %(l)s")
            % {"l": "；".join(p["message"] for p in found["variants"])},
            fields={"variants": found["variants"]},
            code="variant_problems",
        )
    if found["assets"]:
        messages = [p["message"] for a in found["assets"] for p in a["problems"]]
        raise ValidationFailed(
            _("These assets may not be published: %(l)s") % {"l": "；".join(messages)},
            fields={"assets": found["assets"]},
            code="asset_problems",
        )


# -- how it goes out --------------------------------------------------------------------------


def _connection_reasons(variant: Variant) -> list[str]:
    from mediadesk.platforms.bindings import binding_of, missing_credentials

    binding = binding_of(variant.account)
    if binding is None:
        return [_("The account has no platform connection configured.")]
    if not binding.enabled:
        return [_("The account's platform connection is switched off.")]
    missing = missing_credentials(binding)
    if missing:
        return [_("The account's credentials vault lacks %(k)s.") % {"k": ", ".join(missing)}]
    return []


def _weibo_reasons(variant: Variant, text: str, media: list[Asset]) -> list[str]:
    from mediadesk.platforms.bindings import binding_of

    reasons = []
    if weibo_rules.TOPIC.search(text):
        reasons.append(_("Weibo's publishing API does not take posts with a #topic#."))
    length = weibo_rules.weibo_length(text)
    if length > weibo_rules.TEXT_MAX:
        reasons.append(
            _("The text counts %(n)d characters as Weibo counts them; its API takes %(max)d.")
            % {"n": length, "max": weibo_rules.TEXT_MAX}
        )
    binding = binding_of(variant.account)
    domains = (binding.options.get("safe_domains") if binding else None) or []
    try:
        weibo_rules.check_links(text, domains)
    except InvalidContent:
        reasons.append(
            _("Weibo's API only publishes posts linking to the app's registered domain (%(d)s).")
            % {"d": ", ".join(domains) or _("its safe domain, 安全域名")}
        )
    cover = _assets(variant).get(variant.cover_id) if variant.cover_id else None
    media = ([cover] if cover else []) + media  # the connector sends the cover as the picture
    pictures = [a for a in media if a.kind == AssetKind.IMAGE]
    if len(media) > 1 or len(pictures) != len(media):
        reasons.append(_("Weibo's API takes one picture with a post, nothing else."))
    elif pictures and not _fits(pictures[0], weibo_rules.PICTURE):
        reasons.append(_rule_message(pictures[0], weibo_rules.PICTURE))
    return reasons


def _douyin_reasons(variant: Variant, media: list[Asset]) -> list[str]:
    reasons = []
    videos = [a for a in media if a.kind == AssetKind.VIDEO]
    if len(videos) != 1 or len(media) != 1:
        reasons.append(
            _("Douyin's API publishes a single video; picture posts are made in the app.")
        )
    elif not _fits(videos[0], douyin.VIDEO):
        reasons.append(_rule_message(videos[0], douyin.VIDEO))
    if (variant.extra or {}).get("cart_url"):
        reasons.append(_("Douyin's create-video API has no shopping-cart link; add it in the app."))
    return reasons


def delivery_plan(variant: Variant) -> DeliveryPlan:
    """Through the API, or assisted (a person posts it in the app), and why."""
    platform = variant.account.platform
    text = variant_text(variant)
    media = _media(variant)
    reasons: list[str] = []
    if platform in WECHAT:
        reasons = _connection_reasons(variant)
        if not reasons:
            mode = (variant.extra or {}).get("delivery") or DELIVERY_PUBLISH
            return DeliveryPlan(mode, True, platform)
        where = _("the WeChat Official Accounts platform (mp.weixin.qq.com)")
    elif platform == Platform.WEIBO:
        reasons = _weibo_reasons(variant, text, media) + _connection_reasons(variant)
        where = _("the Weibo app")
    elif platform == Platform.DOUYIN:
        reasons = _douyin_reasons(variant, media) + _connection_reasons(variant)
        where = _("the Douyin app")
    elif platform in assisted.RULES:
        rules = assisted.RULES[platform]
        if platform in ASSISTED_FOR_NOW:
            reasons = [
                _("%(p)s has a publishing API, but mediadesk has no connector for it yet.")
                % {"p": _platform_label(rules)}
            ]
        else:
            reasons = [
                _("%(p)s offers no publishing API to ordinary accounts.")
                % {"p": _platform_label(rules)}
            ]
        where = _(rules.app)  # the connector's words; translated in this app's catalogue
    else:
        reasons = [_("There is no connector for the website; publish it in the site's CMS.")]
        where = _("the website's CMS")
    if not reasons:
        return DeliveryPlan(DELIVERY_PUBLISH, True, platform)
    return DeliveryPlan(DELIVERY_ASSISTED, False, platform, tuple(reasons), str(where))


# -- preview ----------------------------------------------------------------------------------


def asset_url(asset: Asset) -> str:
    """The library's own address of an asset (served with a permission check, never public)."""
    return reverse("api:content_asset_file", kwargs={"asset_id": asset.pk})


def asset_summary(asset: Asset, url: Callable[[Asset], str] = asset_url) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "title": asset.title,
        "kind": asset.kind,
        "content_type": asset.content_type,
        "url": url(asset),
        "width": asset.width,
        "height": asset.height,
        "duration_seconds": asset.duration_seconds,
        "problems": [p.as_dict() for p in asset_problems(asset)],
    }


def hashtags(text: str, platform: str) -> list[str]:
    """The #topics# of a Weibo (or WeChat) text, the #topics of the short-video apps."""
    if platform == Platform.WEIBO or platform in WECHAT:
        found = [t.strip("#") for t in weibo_rules.TOPIC.findall(text)]
    else:
        found = _HASHTAG.findall(text)
    return list(dict.fromkeys(found))


def mentions(text: str) -> list[str]:
    return list(dict.fromkeys(_MENTION.findall(text)))


@dataclass(frozen=True)
class Preview:
    """A variant as it will look on its platform."""

    variant: Variant
    platform: str
    title: str
    digest: str
    body_html: str
    text: str
    length: int
    length_limit: int | None
    topics: list[str]
    mentions: list[str]
    cover: dict[str, Any] | None
    media: list[dict[str, Any]]
    video_seconds: float | None
    original_url: str
    extra: dict[str, Any]
    problems: list[dict[str, Any]] = field(default_factory=list)
    delivery: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant.pk,
            "account": {
                "id": self.variant.account_id,
                "name": self.variant.account.name,
                "platform": self.platform,
            },
            **{
                name: getattr(self, name)
                for name in (
                    "title",
                    "digest",
                    "body_html",
                    "text",
                    "length",
                    "length_limit",
                    "topics",
                    "mentions",
                    "cover",
                    "media",
                    "video_seconds",
                    "original_url",
                    "extra",
                    "problems",
                    "delivery",
                )
            },
        }


def preview(variant: Variant, *, url: Callable[[Asset], str] = asset_url) -> Preview:
    """``variant`` as it will look, with library pictures shown from ``url(asset)``."""
    platform = variant.account.platform
    assets = _assets(variant)
    text = variant_text(variant)
    if platform == Platform.WEIBO:
        length, limit = weibo_rules.weibo_length(text), weibo_rules.TEXT_MAX
    else:
        rules = assisted.RULES.get(platform)
        length, limit = len(text), rules.text_max if rules else None
    media = _media(variant)
    videos = [a for a in media if a.kind == AssetKind.VIDEO]
    cover = assets.get(variant.cover_id) if variant.cover_id else None
    return Preview(
        variant=variant,
        platform=platform,
        title=variant.title,
        digest=variant.digest,
        body_html=replace_body_assets(variant.body, {pk: url(a) for pk, a in assets.items()}),
        text=text,
        length=length,
        length_limit=limit,
        topics=hashtags(text, platform),
        mentions=mentions(text),
        cover=asset_summary(cover, url) if cover else None,
        media=[asset_summary(a, url) for a in media],
        video_seconds=videos[0].duration_seconds if videos else None,
        original_url=variant.original_url,
        extra=dict(variant.extra or {}),
        problems=[p.as_dict() for p in variant_problems(variant)],
        delivery=delivery_plan(variant).as_dict(),
    )

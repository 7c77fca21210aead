"""WeChat's documented limits, checked before anything is sent (platform-apis.md §1.4–1.8).

A post or file that breaks one is refused with :class:`InvalidContent` naming the field, and
the platform never sees it: no quota used, no half-made draft, nothing recorded as published.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidContent
from .media import KB, MB, MediaRule
from .values import MediaFile, MediaKind, PostRequest, UploadedMedia

PLATFORM = "WeChat"

MEDIA_RULES: dict[MediaKind, MediaRule] = {
    MediaKind.IMAGE: MediaRule("a WeChat image", frozenset({"bmp", "png", "jpg", "gif"}), 10 * MB),
    MediaKind.THUMB: MediaRule("a WeChat thumbnail", frozenset({"jpg"}), 64 * KB),
    MediaKind.VOICE: MediaRule("WeChat voice", frozenset({"mp3", "wma", "wav", "amr"}), 2 * MB),
    MediaKind.VIDEO: MediaRule("a WeChat video", frozenset({"mp4"}), 10 * MB),
    MediaKind.ARTICLE_IMAGE: MediaRule(
        "an image inside a WeChat article", frozenset({"jpg", "png"}), MB, inclusive=False
    ),
}

TITLE_MAX = 32
AUTHOR_MAX = 16
DIGEST_MAX = 128
CONTENT_MAX_CHARS = 20_000  # exclusive, as is 1 MB
SOURCE_URL_MAX_BYTES = 1024
CLIENTMSGID_MAX_BYTES = 64

_IMG_SRC = re.compile(r"""<img\b[^>]*?\b(?:data-)?src\s*=\s*["']([^"']*)["']""", re.I)
_WECHAT_IMAGE = re.compile(r"^https?://mmbiz\.qpic\.cn/", re.I)
_JS_LINK = re.compile(r"""href\s*=\s*["']\s*javascript:""", re.I)
_SCRIPT = re.compile(r"<script\b", re.I)


def _invalid(message: str, field: str) -> InvalidContent:
    return InvalidContent(message, field=field, platform=PLATFORM)


def check_media(media: MediaFile, kind: MediaKind) -> str:
    fmt = MEDIA_RULES[kind].check(media, platform=PLATFORM)
    if kind == MediaKind.VIDEO and not media.title:
        raise _invalid("A WeChat video needs a title.", "title")
    return fmt


def _cover_id(cover: UploadedMedia | MediaFile | None) -> str:
    if cover is None:
        raise _invalid("A WeChat article needs a cover image.", "cover")
    if isinstance(cover, MediaFile):
        raise _invalid(
            "Upload the cover with upload_media (as an image) before creating the post.", "cover"
        )
    if cover.kind not in (MediaKind.IMAGE, MediaKind.THUMB) or not cover.media_id:
        raise _invalid("The cover must be an image uploaded as permanent material.", "cover")
    return cover.media_id


def _check_lengths(post: PostRequest) -> None:
    if not post.title.strip():
        raise _invalid("A WeChat article needs a title.", "title")
    if len(post.title) > TITLE_MAX:
        raise _invalid(
            f"The title has {len(post.title)} characters; WeChat allows {TITLE_MAX}.", "title"
        )
    if len(post.author) > AUTHOR_MAX:
        raise _invalid(
            f"The author name has {len(post.author)} characters; WeChat allows {AUTHOR_MAX}.",
            "author",
        )
    if len(post.digest) > DIGEST_MAX:
        raise _invalid(
            f"The summary has {len(post.digest)} characters; WeChat allows {DIGEST_MAX}.",
            "digest",
        )
    if not post.text.strip():
        raise _invalid("The article body is empty.", "text")
    if len(post.text) >= CONTENT_MAX_CHARS or len(post.text.encode("utf-8")) >= MB:
        raise _invalid(
            f"The article body has {len(post.text)} characters; WeChat takes fewer than "
            f"{CONTENT_MAX_CHARS} (and under 1 MB).",
            "text",
        )
    if post.source_url:
        if len(post.source_url.encode("utf-8")) > SOURCE_URL_MAX_BYTES:
            raise _invalid("The 'read original' link is longer than 1 KB.", "source_url")
        if not post.source_url.startswith(("http://", "https://")):
            raise _invalid("The 'read original' link must start with http(s)://.", "source_url")


def _check_body(html: str) -> None:
    if _SCRIPT.search(html):
        raise _invalid("WeChat removes scripts from articles; take the <script> out.", "text")
    if _JS_LINK.search(html):
        raise _invalid("WeChat refuses javascript: links in articles.", "text")
    foreign = [src for src in _IMG_SRC.findall(html) if not _WECHAT_IMAGE.match(src)]
    if foreign:
        raise _invalid(
            f"The article shows {len(foreign)} image(s) from outside WeChat (first: "
            f"{foreign[0][:80]}); WeChat drops them. Upload each with upload_media as an "
            "article image and use the URL it returns.",
            "text",
        )


def article(post: PostRequest) -> dict[str, Any]:
    """The draft/add article for ``post``, or :class:`InvalidContent`."""
    _check_lengths(post)
    _check_body(post.text)
    return {
        "article_type": "news",
        "title": post.title,
        "author": post.author,
        "digest": post.digest,
        "content": post.text,
        "content_source_url": post.source_url,
        "thumb_media_id": _cover_id(post.cover),
        "need_open_comment": int(post.open_comments),
        "only_fans_can_comment": int(post.fans_only_comments),
    }


def clientmsgid(post: PostRequest) -> str:
    key = post.idempotency_key
    if not key:
        raise _invalid(
            "A mass send needs an idempotency key, so a retry can never send it twice.",
            "idempotency_key",
        )
    if len(key.encode("utf-8")) > CLIENTMSGID_MAX_BYTES:
        raise _invalid("The mass-send key must be at most 64 bytes.", "idempotency_key")
    return key


# -- the custom menu --------------------------------------------------------------------------
KEY_TYPES = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
BUTTON_TYPES = KEY_TYPES | {
    "view",
    "miniprogram",
    "media_id",
    "view_limited",
    "article_id",
    "article_view_limited",
}


def _bytes(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _check_button(button: Any, where: str, name_limit: int) -> None:
    if not isinstance(button, dict):
        raise _invalid(f"{where} is not a button.", "menu")
    name = button.get("name")
    if not isinstance(name, str) or not name or _bytes(name) > name_limit:
        raise _invalid(f"{where}: the name must be 1 to {name_limit} bytes.", "menu")
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise _invalid(f"{where} ({name}): unknown button type {kind!r}.", "menu")
    if kind in KEY_TYPES and not (isinstance(button.get("key"), str) and button["key"]):
        raise _invalid(f"{where} ({name}) needs a key.", "menu")
    if kind in KEY_TYPES and _bytes(button["key"]) > 128:
        raise _invalid(f"{where} ({name}): the key must be at most 128 bytes.", "menu")
    if kind in ("view", "miniprogram"):
        url = button.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _invalid(f"{where} ({name}) needs an http(s) link.", "menu")
        if _bytes(url) > 1024:
            raise _invalid(f"{where} ({name}): the link must be at most 1024 bytes.", "menu")
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise _invalid(f"{where} ({name}) needs the mini program's appid and page.", "menu")
    if kind in ("media_id", "view_limited") and not button.get("media_id"):
        raise _invalid(f"{where} ({name}) needs a media id.", "menu")
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        raise _invalid(f"{where} ({name}) needs an article id.", "menu")


def check_menu(menu: dict[str, Any]) -> dict[str, Any]:
    """``{"button": [...]}`` checked against WeChat's limits: 1–3 buttons, up to 5 each."""
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise _invalid("A WeChat menu has one to three top-level buttons.", "menu")
    for i, button in enumerate(buttons, start=1):
        subs = button.get("sub_button") if isinstance(button, dict) else None
        if not subs:
            _check_button(button, f"Button {i}", 16)
            continue
        name = button.get("name")
        if not isinstance(name, str) or not name or _bytes(name) > 16:
            raise _invalid(f"Button {i}: the name must be 1 to 16 bytes.", "menu")
        if not isinstance(subs, list) or len(subs) > 5:
            raise _invalid(f"Button {i} ({name}) has more than five sub-buttons.", "menu")
        for j, sub in enumerate(subs, start=1):
            _check_button(sub, f"Button {i}.{j}", 60)
    return {"button": buttons}

"""The draft box (草稿箱): add, get, update, delete, list, count.

Articles are checked as WeChat does (platform-apis.md §1.5): title ≤ 32, author ≤ 16,
digest ≤ 128 characters, content < 20 000 characters and < 1 MB, a permanent image or thumb
as cover. ``<script>`` and images not hosted on mmbiz.qpic.cn are stripped from the content,
as WeChat filters external images; a ``javascript:`` link is refused (45166).
"""

from __future__ import annotations

import html
import re
from typing import Any

from .. import ids
from .account import Account, Draft
from .context import Ctx, as_int, as_str
from .errors import WeChatError

MAX_ARTICLES = 8
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.I | re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_SRC = re.compile(r"""\b(?:data-)?src\s*=\s*["']([^"']*)["']""", re.I)
_TAG = re.compile(r"<[^>]+>")
_JS_LINK = re.compile(r"""href\s*=\s*["']\s*javascript:""", re.I)
OPTIONAL_FIELDS = ("pic_crop_235_1", "pic_crop_1_1", "cover_info", "product_info")


def _clean_content(content: str) -> str:
    if _JS_LINK.search(content):
        raise WeChatError(45166, "javascript: links are not allowed")
    content = _SCRIPT.sub("", content)

    def keep_image(match: re.Match[str]) -> str:
        src = _SRC.search(match.group(0))
        ok = src is not None and re.match(r"https?://mmbiz\.qpic\.cn/", src.group(1))
        return match.group(0) if ok else ""

    return _IMG.sub(keep_image, content)


def _plain(content: str) -> str:
    return html.unescape(_TAG.sub("", content)).strip()


def _permanent_image(account: Account, media_id: str, what: str) -> Any:
    material = account.materials.get(media_id)
    if material is None or not material.permanent or material.kind not in ("image", "thumb"):
        raise WeChatError(40007, f"{what} must be a permanent image or thumb material")
    return material


def check_article(account: Account, article: Any, single: bool) -> dict[str, Any]:
    """Validate one article and return it as WeChat stores it."""
    if not isinstance(article, dict):
        raise WeChatError(47001, "an article must be a JSON object")
    article_type = as_str(article.get("article_type") or "news")
    if article_type not in ("news", "newspic"):
        raise WeChatError(40097, "article_type must be news or newspic")
    title = as_str(article.get("title"))
    author = as_str(article.get("author"))
    digest = as_str(article.get("digest"))
    content = as_str(article.get("content"))
    source_url = as_str(article.get("content_source_url"))
    if not title:
        raise WeChatError(44003, "title is required")
    if len(title) > 32:
        raise WeChatError(45003, "title must be at most 32 characters")
    if len(author) > 16:
        raise WeChatError(45110, "author must be at most 16 characters")
    if len(digest) > 128:
        raise WeChatError(45004, "digest must be at most 128 characters")
    if not content:
        raise WeChatError(44003, "content is required")
    if len(content) >= 20_000 or len(content.encode("utf-8")) >= 1024 * 1024:
        raise WeChatError(45002, "content must be under 20000 characters and 1 MB")
    if len(source_url.encode("utf-8")) > 1024:
        raise WeChatError(45005, "content_source_url must be at most 1 KB")
    content = _clean_content(content)
    stored: dict[str, Any] = {
        "article_type": article_type,
        "title": title,
        "author": author,
        "digest": digest or (_plain(content)[:54] if single else ""),
        "content": content,
        "content_source_url": source_url,
        "thumb_media_id": as_str(article.get("thumb_media_id")),
        "show_cover_pic": as_int(article.get("show_cover_pic", 0), what="show_cover_pic"),
        "need_open_comment": as_int(article.get("need_open_comment", 0), what="comment flag"),
        "only_fans_can_comment": as_int(article.get("only_fans_can_comment", 0), what="flag"),
    }
    if article_type == "news" or stored["thumb_media_id"]:
        thumb = _permanent_image(account, stored["thumb_media_id"], "thumb_media_id")
        stored["thumb_url"] = thumb.url or ""
    else:
        stored["thumb_url"] = ""
    if article_type == "newspic":
        images = (article.get("image_info") or {}).get("image_list") or []
        if not isinstance(images, list) or not 1 <= len(images) <= 20:
            raise WeChatError(40097, "newspic needs image_info.image_list with 1..20 images")
        for image in images:
            _permanent_image(account, as_str((image or {}).get("image_media_id")), "image")
        stored["image_info"] = {"image_list": images}
    for key in OPTIONAL_FIELDS:
        if key in article:
            stored[key] = article[key]
    return stored


def preview_url(account: Account, media_id: str, index: int) -> str:
    """A temporary-link URL, stable for a given draft and index."""
    sn = ids.stable_token(32, media_id, index, alphabet="0123456789abcdef")
    mid = int(sn[:8], 16) % 10**9
    return f"http://mp.weixin.qq.com/s?__biz={account.biz}&mid={mid}&idx={index + 1}&sn={sn}#rd"


def news_items(account: Account, draft: Draft, no_content: bool = False) -> list[dict[str, Any]]:
    items = []
    for index, article in enumerate(draft.articles):
        item = dict(article)
        item["url"] = preview_url(account, draft.media_id, index)
        if no_content:
            item.pop("content", None)
        items.append(item)
    return items


def _draft(ctx: Ctx, media_id: Any) -> Draft:
    draft = ctx.account.drafts.get(as_str(media_id))
    if draft is None:
        raise WeChatError(40007, "no such draft")
    return draft


def add(ctx: Ctx) -> dict[str, Any]:
    articles = ctx.body().get("articles")
    if not isinstance(articles, list) or not articles:
        raise WeChatError(44003)
    if len(articles) > MAX_ARTICLES:
        raise WeChatError(45008, f"at most {MAX_ARTICLES} articles")
    single = len(articles) == 1
    stored = [check_article(ctx.account, a, single) for a in articles]
    media_id = ids.token(43)
    now = int(ctx.now)
    ctx.account.drafts[media_id] = Draft(media_id, stored, now, now)
    return {"media_id": media_id}


def get(ctx: Ctx) -> dict[str, Any]:
    draft = _draft(ctx, ctx.body().get("media_id"))
    return {"news_item": news_items(ctx.account, draft)}


def update(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    draft = _draft(ctx, body.get("media_id"))
    index = as_int(body.get("index", 0), what="index")
    if not 0 <= index < len(draft.articles):
        raise WeChatError(40097, f"index must be 0..{len(draft.articles) - 1}")
    article = body.get("articles")
    if not isinstance(article, dict):
        raise WeChatError(47001, "articles must be one article object (not a list)")
    draft.articles[index] = check_article(ctx.account, article, len(draft.articles) == 1)
    draft.update_time = int(ctx.now)
    return {"errcode": 0, "errmsg": "ok"}


def delete(ctx: Ctx) -> dict[str, Any]:
    draft = _draft(ctx, ctx.body().get("media_id"))
    del ctx.account.drafts[draft.media_id]
    return {"errcode": 0, "errmsg": "ok"}


def batchget(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    offset = as_int(body.get("offset", 0), what="offset")
    count = as_int(body.get("count", 20), what="count")
    no_content = bool(as_int(body.get("no_content", 0), what="no_content"))
    if not 1 <= count <= 20 or offset < 0:
        raise WeChatError(40097, "count must be 1..20 and offset >= 0")
    drafts = sorted(ctx.account.drafts.values(), key=lambda d: -d.update_time)
    page = drafts[offset : offset + count]
    rows = [
        {
            "media_id": d.media_id,
            "content": {
                "news_item": news_items(ctx.account, d, no_content),
                "create_time": d.create_time,
                "update_time": d.update_time,
            },
            "update_time": d.update_time,
        }
        for d in page
    ]
    return {"total_count": len(drafts), "item_count": len(rows), "item": rows}


def count(ctx: Ctx) -> dict[str, Any]:
    return {"total_count": len(ctx.account.drafts)}


ROUTES = [
    ("/cgi-bin/draft/add", "POST", add, {}),
    ("/cgi-bin/draft/get", "POST", get, {}),
    ("/cgi-bin/draft/update", "POST", update, {}),
    ("/cgi-bin/draft/delete", "POST", delete, {}),
    ("/cgi-bin/draft/batchget", "POST", batchget, {}),
    ("/cgi-bin/draft/count", "GET", count, {}),
]

"""Douyin enterprise-account comments: list, replies, reply, top.

Each reviewed item gets a deterministic set of user comments (seeded by item id) the first
time its comments are read; ``/_sim/comments`` adds more.
"""

from __future__ import annotations

from typing import Any

from .. import ids
from ..ids import seeded
from .context import DCtx
from .state import Comment, DouyinError, Item

MAX_COUNT = 50
MAX_CONTENT = 500
SAMPLE = (
    "太好看了吧",
    "求同款链接",
    "第一！",
    "拍得真好",
    "在哪里可以买到？",
    "支持支持",
    "已关注",
    "背景音乐叫什么？",
)


def _item(ctx: DCtx, open_id: str, item_id: str) -> Item:
    item = ctx.state.items.get(item_id)
    if item is None or item.open_id != open_id:
        raise DouyinError(2100005, "item_id 无效")
    if item_id not in ctx.state.comments_seeded:
        ctx.state.comments_seeded.add(item_id)
        rng = seeded("douyin-comments", item_id)
        for _ in range(rng.randint(0, 6)):
            comment = Comment(
                comment_id=ids.token(32),
                item_id=item_id,
                user_id=str(rng.getrandbits(60)),
                content=rng.choice(SAMPLE),
                create_time=int(item.reviewed_at) + rng.randint(60, 6 * 3600),
                digg_count=rng.randint(0, 80),
            )
            ctx.state.comments[comment.comment_id] = comment
    return item


def _page(ctx: DCtx, rows: list[Comment]) -> dict[str, Any]:
    cursor = ctx.int_param("cursor", 0)
    count = ctx.int_param("count", 20)
    if not 1 <= count <= MAX_COUNT or cursor < 0:
        raise DouyinError(2100005, f"count 取值 1-{MAX_COUNT}")
    page = rows[cursor : cursor + count]
    replies = ctx.state.comments.values()
    return {
        "cursor": cursor + len(page),
        "has_more": cursor + len(page) < len(rows),
        "list": [
            {
                "comment_id": c.comment_id,
                "comment_user_id": c.user_id,
                "content": c.content,
                "create_time": c.create_time,
                "digg_count": c.digg_count,
                "reply_comment_total": sum(1 for r in replies if r.parent_id == c.comment_id),
                "top": c.top,
            }
            for c in page
        ],
    }


def _visible(ctx: DCtx, item_id: str, parent: str | None) -> list[Comment]:
    rows = [
        c
        for c in ctx.state.comments.values()
        if c.item_id == item_id and c.parent_id == parent and c.create_time <= ctx.now
    ]
    if ctx.param("sort_type") == "time_asc":
        return sorted(rows, key=lambda c: c.create_time)
    return sorted(rows, key=lambda c: (not c.top, -c.create_time))


def comment_list(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.comment")
    item = _item(ctx, token.grant.open_id, ctx.param("item_id"))
    return _page(ctx, _visible(ctx, item.item_id, None))


def reply_list(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.comment")
    item = _item(ctx, token.grant.open_id, ctx.param("item_id"))
    parent = ctx.state.comments.get(ctx.param("comment_id"))
    if parent is None or parent.item_id != item.item_id:
        raise DouyinError(2100005, "comment_id 无效")
    return _page(ctx, _visible(ctx, item.item_id, parent.comment_id))


def reply(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.comment")
    body = ctx.body()
    item = _item(ctx, token.grant.open_id, str(body.get("item_id") or ""))
    content = str(body.get("content") or "")
    if not content or len(content) > MAX_CONTENT:
        raise DouyinError(2100005, f"content 需要 1-{MAX_CONTENT} 字")
    parent_id = str(body.get("comment_id") or "") or None
    if parent_id is not None:
        parent = ctx.state.comments.get(parent_id)
        if parent is None or parent.item_id != item.item_id:
            raise DouyinError(2100005, "comment_id 无效")
    comment = Comment(
        ids.token(32), item.item_id, token.grant.open_id, content, int(ctx.now), parent_id=parent_id
    )
    ctx.state.comments[comment.comment_id] = comment
    return {"comment_id": comment.comment_id}


def top(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.comment")
    body = ctx.body()
    item = _item(ctx, token.grant.open_id, str(body.get("item_id") or ""))
    comment = ctx.state.comments.get(str(body.get("comment_id") or ""))
    if comment is None or comment.item_id != item.item_id:
        raise DouyinError(2100005, "comment_id 无效")
    comment.top = bool(body.get("top", True))
    return {}


def add_comment(ctx: DCtx, item_id: str, content: str, user_id: str | None) -> Comment:
    """A user comments now (control API)."""
    item = ctx.state.items.get(item_id)
    if item is None:
        raise DouyinError(2100005, "item_id 无效")
    comment = Comment(ids.token(32), item_id, user_id or "1000000001", content, int(ctx.now))
    ctx.state.comments[comment.comment_id] = comment
    return comment


ROUTES = [
    ("/video/comment/list/", ("GET",), comment_list, "api"),
    ("/video/comment/reply/list/", ("GET",), reply_list, "api"),
    ("/video/comment/reply/", ("POST",), reply, "api"),
    ("/video/comment/top/", ("POST",), top, "api"),
]

"""Weibo statuses (share, show, count, destroy) and comments (show, create, reply, destroy).

``statuses/share.json`` rules (platform-apis.md §3.2): ``status`` ≤ 140 characters (ASCII
counts half, each URL counts 10 — Weibo shortens it), at least one link inside the app's safe
domains, no ``#topic#``; ``rip`` required; the same text twice in 24 h is 20019; 30 posts per
user per hour (10024). Each new status receives a deterministic trickle of comments, listed
once the simulator clock has passed their time.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any
from urllib.parse import urlparse

from .. import ids
from ..ids import seeded
from .context import WCtx
from .state import Comment, Status, WeiboError, created_at, user

POSTS_PER_HOUR = 30
COMMENTS_PER_HOUR = 60
MAX_PIC = 5 * 1024 * 1024
URL = re.compile(r"https?://[^\s\u3000-\u303f\uff00-\uffef]+")
TOPIC = re.compile(r"#[^#\s]+#")
SAMPLE = (
    "说得好！",
    "已转发",
    "求链接",
    "支持一下",
    "这个活动在哪里报名？",
    "学到了",
    "哈哈哈哈",
    "关注了",
)
_status_ids = ids.Counter(4_950_000_000_000_000)
_comment_ids = ids.Counter(4_950_500_000_000_000)


def weibo_length(text: str) -> int:
    """Length as Weibo counts it: CJK 1, ASCII ½, each URL 10."""
    urls = URL.findall(text)
    rest = URL.sub("", text)
    half = sum(1 for c in rest if ord(c) < 128)
    return math.ceil((len(rest) - half) + half / 2 + 10 * len(urls))


def _check_rip(ctx: WCtx) -> None:
    rip = ctx.required("rip")
    try:
        ipaddress.ip_address(rip)
    except ValueError as exc:
        raise WeiboError(10017, "rip") from exc


def _sniff_pic(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a"))


def _seed_comments(ctx: WCtx, status: Status) -> None:
    rng = seeded("weibo-comments", status.id)
    for _ in range(rng.randint(0, 5)):
        cid = _comment_ids.next()
        ctx.state.comments[cid] = Comment(
            id=cid,
            status_id=status.id,
            uid=6_000_000_000 + rng.randint(0, 999_999),
            text=rng.choice(SAMPLE),
            created_at=status.created_at + rng.randint(60, 6 * 3600),
        )


def _visible_comments(ctx: WCtx, status_id: int) -> list[Comment]:
    return sorted(
        (
            c
            for c in ctx.state.comments.values()
            if c.status_id == status_id and not c.deleted and c.created_at <= ctx.now
        ),
        key=lambda c: (-c.created_at, -c.id),
    )


def status_json(ctx: WCtx, status: Status, with_user: bool = True) -> dict[str, Any]:
    app = ctx.state.apps.get(status.app_key)
    age_hours = max(0.0, (ctx.now - status.created_at) / 3600)
    rng = seeded("weibo-counts", status.id)
    growth = min(1.0, age_hours / 48)
    body: dict[str, Any] = {
        "created_at": created_at(status.created_at),
        "id": status.id,
        "idstr": str(status.id),
        "mid": str(status.id),
        "text": status.text,
        "source": f'<a href="http://app.weibo.com/t/feed/{status.app_key}" rel="nofollow">'
        f"{app.name if app else 'app'}</a>",
        "favorited": False,
        "truncated": False,
        "in_reply_to_status_id": "",
        "in_reply_to_user_id": "",
        "in_reply_to_screen_name": "",
        "geo": None,
        "reposts_count": int(rng.randint(0, 40) * growth),
        "comments_count": len(_visible_comments(ctx, status.id)),
        "attitudes_count": int(rng.randint(0, 300) * growth),
        "visible": {"type": 0, "list_id": 0},
        "pic_urls": [{"thumbnail_pic": status.pic["thumbnail_pic"]}] if status.pic else [],
    }
    if status.pic:
        body.update(status.pic)
    if with_user:
        body["user"] = user(status.uid)
    return body


def share(ctx: WCtx) -> dict[str, Any]:
    token = ctx.token()
    text = ctx.required("status")
    _check_rip(ctx)
    app = ctx.state.apps[token.app_key]
    if weibo_length(text) > 140:
        raise WeiboError(20012)
    if TOPIC.search(text):
        raise WeiboError(10017, "status")
    hosts = [urlparse(u).hostname or "" for u in URL.findall(text)]
    safe = any(h == d or h.endswith("." + d) for h in hosts for d in app.safe_domains)
    if not safe:
        raise WeiboError(10017, "status", description="status must contain a safe-domain link")
    for existing in ctx.state.statuses.values():
        if (
            existing.uid == token.uid
            and existing.text == text
            and not existing.deleted
            and ctx.now - existing.created_at < 86400
        ):
            raise WeiboError(20019)
    pic = None
    upload = ctx.request.files.get("pic")
    if upload is not None:
        if not _sniff_pic(upload.data):
            raise WeiboError(20005)
        if upload.size > MAX_PIC:
            raise WeiboError(20006)
        name = ids.hex_id(32)
        pic = {
            "thumbnail_pic": f"http://wx1.sinaimg.cn/thumbnail/{name}.jpg",
            "bmiddle_pic": f"http://wx1.sinaimg.cn/bmiddle/{name}.jpg",
            "original_pic": f"http://wx1.sinaimg.cn/large/{name}.jpg",
        }
    ctx.count(token.uid, "statuses/share", POSTS_PER_HOUR, 10024, "statuses/share")
    status = Status(_status_ids.next(), token.uid, app.key, text, ctx.now, pic)
    ctx.state.statuses[status.id] = status
    _seed_comments(ctx, status)
    return status_json(ctx, status)


def _status(ctx: WCtx, value: str | None) -> Status:
    status = ctx.state.statuses.get(int(value)) if value and value.isdigit() else None
    if status is None or status.deleted:
        raise WeiboError(20101)
    return status


def show(ctx: WCtx) -> dict[str, Any]:
    ctx.token()
    return status_json(ctx, _status(ctx, ctx.required("id")))


def counts(ctx: WCtx) -> list[dict[str, Any]]:
    ctx.token()
    wanted = [i for i in ctx.required("ids").split(",") if i.strip()]
    if len(wanted) > 100:
        raise WeiboError(10017, "ids")
    rows = []
    for value in wanted:
        status = ctx.state.statuses.get(int(value)) if value.strip().isdigit() else None
        if status is None or status.deleted:
            continue
        body = status_json(ctx, status, with_user=False)
        rows.append(
            {
                "id": status.id,
                "idstr": str(status.id),
                "comments": body["comments_count"],
                "reposts": body["reposts_count"],
                "attitudes": body["attitudes_count"],
            }
        )
    return rows


def destroy(ctx: WCtx) -> dict[str, Any]:
    token = ctx.token()
    status = _status(ctx, ctx.required("id"))
    if status.uid != token.uid:
        raise WeiboError(10014, status=403)
    body = status_json(ctx, status)
    status.deleted = True
    return body


def comment_json(ctx: WCtx, comment: Comment) -> dict[str, Any]:
    status = ctx.state.statuses[comment.status_id]
    app_key = comment.app_key or status.app_key
    app = ctx.state.apps.get(app_key)
    body: dict[str, Any] = {
        "created_at": created_at(comment.created_at),
        "id": comment.id,
        "rootid": comment.reply_to or comment.id,
        "text": comment.text,
        "source": f'<a href="http://app.weibo.com/t/feed/{app_key}" rel="nofollow">'
        f"{app.name if app else 'app'}</a>",
        "user": user(comment.uid),
        "mid": str(comment.id),
        "idstr": str(comment.id),
        "status": status_json(ctx, status),
    }
    if comment.reply_to and comment.reply_to in ctx.state.comments:
        parent = ctx.state.comments[comment.reply_to]
        body["reply_comment"] = {
            "created_at": created_at(parent.created_at),
            "id": parent.id,
            "text": parent.text,
            "user": user(parent.uid),
            "mid": str(parent.id),
            "idstr": str(parent.id),
        }
    return body


def comments_show(ctx: WCtx) -> dict[str, Any]:
    ctx.token()
    status = _status(ctx, ctx.required("id"))
    count = int(ctx.request.param("count") or 50)
    page = int(ctx.request.param("page") or 1)
    since_id = int(ctx.request.param("since_id") or 0)
    max_id = int(ctx.request.param("max_id") or 0)
    if not 1 <= count <= 200 or page < 1:
        raise WeiboError(10017, "count")
    rows = [
        c
        for c in _visible_comments(ctx, status.id)
        if c.id > since_id and (not max_id or c.id <= max_id)
    ]
    chosen = rows[(page - 1) * count : page * count]
    return {
        "comments": [comment_json(ctx, c) for c in chosen],
        "hasvisible": False,
        "previous_cursor": 0,
        "next_cursor": chosen[-1].id if len(rows) > page * count and chosen else 0,
        "total_number": len(rows),
        "marks": [],
    }


def _text(ctx: WCtx, name: str = "comment") -> str:
    text = ctx.required(name)
    if weibo_length(text) > 140:
        raise WeiboError(20012)
    return text


def comments_create(ctx: WCtx) -> dict[str, Any]:
    token = ctx.token()
    text = _text(ctx)
    status = _status(ctx, ctx.required("id"))
    _check_rip(ctx)
    ctx.count(token.uid, "comments", COMMENTS_PER_HOUR, 10024, "comments/create")
    comment = Comment(
        _comment_ids.next(), status.id, token.uid, text, ctx.now, app_key=token.app_key
    )
    ctx.state.comments[comment.id] = comment
    return comment_json(ctx, comment)


def comments_reply(ctx: WCtx) -> dict[str, Any]:
    token = ctx.token()
    text = _text(ctx)
    status = _status(ctx, ctx.required("id"))
    cid = ctx.required("cid")
    parent = ctx.state.comments.get(int(cid)) if cid.isdigit() else None
    if parent is None or parent.deleted or parent.status_id != status.id:
        raise WeiboError(20201)
    _check_rip(ctx)
    ctx.count(token.uid, "comments", COMMENTS_PER_HOUR, 10024, "comments/reply")
    if ctx.request.param("without_mention") != "1":
        text = f"回复@{user(parent.uid)['screen_name']}:{text}"
    comment = Comment(
        _comment_ids.next(),
        status.id,
        token.uid,
        text,
        ctx.now,
        reply_to=parent.id,
        app_key=token.app_key,
    )
    ctx.state.comments[comment.id] = comment
    return comment_json(ctx, comment)


def comments_destroy(ctx: WCtx) -> dict[str, Any]:
    token = ctx.token()
    cid = ctx.required("cid")
    comment = ctx.state.comments.get(int(cid)) if cid.isdigit() else None
    if comment is None or comment.deleted:
        raise WeiboError(20201)
    owner = ctx.state.statuses[comment.status_id].uid
    if token.uid not in (comment.uid, owner):
        raise WeiboError(20206, status=403)
    body = comment_json(ctx, comment)
    comment.deleted = True
    return body


def add_comment(ctx: WCtx, status_id: int, text: str, uid: int | None) -> Comment:
    """A user comments now (control API)."""
    status = _status(ctx, str(status_id))
    comment = Comment(_comment_ids.next(), status.id, uid or 6_000_000_001, text, ctx.now)
    ctx.state.comments[comment.id] = comment
    return comment


ROUTES = [
    ("/2/statuses/share.json", ("POST",), share),
    ("/2/statuses/show.json", ("GET",), show),
    ("/2/statuses/count.json", ("GET",), counts),
    ("/2/statuses/destroy.json", ("POST",), destroy),
    ("/2/comments/show.json", ("GET",), comments_show),
    ("/2/comments/create.json", ("POST",), comments_create),
    ("/2/comments/reply.json", ("POST",), comments_reply),
    ("/2/comments/destroy.json", ("POST",), comments_destroy),
]

"""Comment management (留言管理), keyed by ``msg_data_id`` and a 0-based ``index``.

Articles published or mass-sent with ``need_open_comment=1`` receive a deterministic trickle
of follower comments: each has a ``create_time`` after publication and is listed only once the
simulator clock has passed it (advance the clock, or add one with ``/_sim/comments``).
"""

from __future__ import annotations

from typing import Any

from ..ids import seeded
from .account import Account, Comment, CommentThread, Publication
from .context import Ctx, as_int, as_str
from .errors import WeChatError

SAMPLE_COMMENTS = (
    "写得很好，学习了！",
    "请问活动报名截止到什么时候？",
    "已转发给同事。",
    "期待下一期。",
    "第二段的数据来源是哪里？",
    "支持！",
    "这个功能什么时候上线？",
    "小编辛苦了",
    "有没有线下活动？",
    "收藏了，慢慢看。",
)
MAX_REPLY = 300


def _seed(account: Account, publication: Publication, index: int, thread: CommentThread) -> None:
    rng = seeded(account.appid, "comments", publication.msg_data_id, index)
    followers = account.followers
    for _ in range(rng.randint(0, 6)):
        thread.comments.append(
            Comment(
                user_comment_id=account.next_comment_id,
                openid=followers[rng.randrange(len(followers))] if followers else "",
                create_time=publication.create_time + rng.randint(60, 6 * 3600),
                content=rng.choice(SAMPLE_COMMENTS),
            )
        )
        account.next_comment_id += 1


def open_threads(account: Account, publication: Publication) -> None:
    for index, item in enumerate(publication.items):
        thread = CommentThread(open=bool(item.get("need_open_comment")))
        if thread.open:
            _seed(account, publication, index, thread)
        account.comments[(publication.msg_data_id, index)] = thread


def add_comment(
    account: Account, msg_data_id: str, index: int, content: str, openid: str, now: float
) -> Comment:
    """A follower comments now (control API)."""
    thread = account.comments.get((msg_data_id, index))
    if thread is None:
        raise WeChatError(88001)
    comment = Comment(account.next_comment_id, openid, int(now), content)
    account.next_comment_id += 1
    thread.comments.append(comment)
    return comment


def _thread(ctx: Ctx, body: dict[str, Any]) -> CommentThread:
    msg_data_id = as_str(body.get("msg_data_id"))
    index = as_int(body.get("index", 0), what="index")
    thread = ctx.account.comments.get((msg_data_id, index))
    if thread is None:
        raise WeChatError(88001)
    return thread


def _comment(ctx: Ctx, thread: CommentThread, body: dict[str, Any]) -> Comment:
    wanted = as_int(body.get("user_comment_id"), what="user_comment_id")
    for comment in thread.comments:
        if comment.user_comment_id == wanted and comment.create_time <= ctx.now:
            if comment.deleted:
                raise WeChatError(88004)
            return comment
    raise WeChatError(88008)


def _ok() -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok"}


def open_comment(ctx: Ctx) -> dict[str, Any]:
    _thread(ctx, ctx.body()).open = True
    return _ok()


def close_comment(ctx: Ctx) -> dict[str, Any]:
    _thread(ctx, ctx.body()).open = False
    return _ok()


def list_comments(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    thread = _thread(ctx, body)
    begin = as_int(body.get("begin", 0), what="begin")
    count = as_int(body.get("count", 0), what="count")
    kind = as_int(body.get("type", 0), what="type")
    if count <= 0 or count >= 50 or begin < 0:
        raise WeChatError(88010)
    visible = [c for c in thread.comments if c.create_time <= ctx.now and not c.deleted]
    if kind == 1:
        visible = [c for c in visible if not c.elected]
    elif kind == 2:
        visible = [c for c in visible if c.elected]
    rows = []
    for c in visible[begin : begin + count]:
        row: dict[str, Any] = {
            "user_comment_id": c.user_comment_id,
            "openid": c.openid,
            "create_time": c.create_time,
            "content": c.content,
            "comment_type": 1 if c.elected else 0,
        }
        if c.reply:
            row["reply"] = dict(c.reply)
        rows.append(row)
    return {"errcode": 0, "errmsg": "ok", "total": len(visible), "comment": rows}


def markelect(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    _comment(ctx, _thread(ctx, body), body).elected = True
    return _ok()


def unmarkelect(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    _comment(ctx, _thread(ctx, body), body).elected = False
    return _ok()


def delete(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    _comment(ctx, _thread(ctx, body), body).deleted = True
    return _ok()


def reply_add(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    comment = _comment(ctx, _thread(ctx, body), body)
    content = as_str(body.get("content"))
    if not content or len(content) > MAX_REPLY:
        raise WeChatError(88007)
    if comment.reply is not None:
        raise WeChatError(88005)
    comment.reply = {"content": content, "create_time": int(ctx.now)}
    return _ok()


def reply_delete(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    comment = _comment(ctx, _thread(ctx, body), body)
    if comment.reply is None:
        raise WeChatError(88009)
    comment.reply = None
    return _ok()


VERIFIED = {"verified": True}
ROUTES = [
    ("/cgi-bin/comment/open", "POST", open_comment, VERIFIED),
    ("/cgi-bin/comment/close", "POST", close_comment, VERIFIED),
    ("/cgi-bin/comment/list", "POST", list_comments, VERIFIED),
    ("/cgi-bin/comment/markelect", "POST", markelect, VERIFIED),
    ("/cgi-bin/comment/unmarkelect", "POST", unmarkelect, VERIFIED),
    ("/cgi-bin/comment/delete", "POST", delete, VERIFIED),
    ("/cgi-bin/comment/reply/add", "POST", reply_add, VERIFIED),
    ("/cgi-bin/comment/reply/delete", "POST", reply_delete, VERIFIED),
]

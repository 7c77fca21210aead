"""Mass send (群发): pushed to followers, counted by datacube, scarce, and idempotent by key.

Quota: one a day for subscription accounts, four a calendar month for service accounts
(45028). ``clientmsgid`` (≤ 64 bytes, else 45067) makes a resend safe for 24 h: sooner than
``mass_retry_interval`` (60 s) it is refused with 45066; later with 45065 carrying the first
``msg_id``/``msg_data_id`` — the job is never created twice. Jobs finish after
``publish_delay`` with a MASSSENDJOBFINISH push.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..clock import china_date
from ..ids import seeded
from .account import Account, MassJob
from .context import Ctx, as_int, as_str
from .errors import WeChatError
from .events import mass_finished
from .publish import make_publication

if TYPE_CHECKING:
    from .platform import WeChatPlatform

MSGTYPES = ("mpnews", "text", "voice", "image", "images", "mpvideo", "wxcard")
IDEMPOTENCY_WINDOW = 86400


def _check_content(ctx: Ctx, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    msgtype = as_str(body.get("msgtype"))
    if msgtype not in MSGTYPES:
        raise WeChatError(40008, f"msgtype must be one of {', '.join(MSGTYPES)}")
    part = body.get(msgtype)
    if not isinstance(part, dict):
        raise WeChatError(47001, f"{msgtype} object is required")
    account = ctx.account
    if msgtype == "mpnews":
        draft = account.drafts.get(as_str(part.get("media_id")))
        if draft is None:
            raise WeChatError(40007, "mpnews.media_id must be a draft")
        return msgtype, [dict(a) for a in draft.articles]
    if msgtype == "text":
        if not as_str(part.get("content")):
            raise WeChatError(44003, "text.content is required")
        return msgtype, []
    if msgtype == "images":
        media_ids = part.get("media_ids")
        if not isinstance(media_ids, list) or not media_ids:
            raise WeChatError(47001, "images.media_ids must be a non-empty list")
        for media_id in media_ids:
            if as_str(media_id) not in account.materials:
                raise WeChatError(40007)
        return msgtype, []
    if (
        msgtype in ("voice", "image", "mpvideo")
        and as_str(part.get("media_id")) not in account.materials
    ):
        raise WeChatError(40007)
    return msgtype, []


def _quota_left(ctx: Ctx) -> bool:
    account = ctx.account
    today = china_date(ctx.now)
    if account.app.account_type == "subscription":
        used = sum(1 for t in account.mass_sends if china_date(t) == today)
        return used < 1
    month = today.strftime("%Y-%m")
    used = sum(1 for t in account.mass_sends if china_date(t).strftime("%Y-%m") == month)
    return used < 4


def _idempotent(ctx: Ctx, clientmsgid: str) -> None:
    if len(clientmsgid.encode("utf-8")) > 64:
        raise WeChatError(45067)
    seen = ctx.account.clientmsgids.get(clientmsgid)
    if seen is None or ctx.now - seen[1] >= IDEMPOTENCY_WINDOW:
        return
    msg_id, at = seen
    if ctx.now - at < ctx.config.mass_retry_interval:
        raise WeChatError(45066)
    job = ctx.account.mass_jobs[msg_id]
    raise WeChatError(45065, msg_id=msg_id, msg_data_id=job.msg_data_id)


def _send(ctx: Ctx, target: dict[str, Any], audience: int) -> dict[str, Any]:
    body = ctx.body()
    clientmsgid = as_str(body.get("clientmsgid"))
    if clientmsgid:
        _idempotent(ctx, clientmsgid)
    msgtype, articles = _check_content(ctx, body)
    if not _quota_left(ctx):
        raise WeChatError(45028)
    platform = ctx.platform
    job = MassJob(
        msg_id=platform.msg_ids.next(),
        msg_data_id=platform.msg_data_ids.next(),
        msgtype=msgtype,
        payload={msgtype: body[msgtype]},
        created_at=ctx.now,
        due_at=ctx.now + ctx.config.publish_delay,
        clientmsgid=clientmsgid or None,
        target=target,
        total_count=audience,
        articles=articles,
    )
    account = ctx.account
    account.mass_jobs[job.msg_id] = job
    account.mass_sends.append(ctx.now)
    if clientmsgid:
        account.clientmsgids[clientmsgid] = (job.msg_id, ctx.now)
    platform.schedule(account, "mass", str(job.msg_id), job.due_at)
    if ctx.config.publish_delay <= 0:
        platform.run_due_locked(ctx.now)
    result: dict[str, Any] = {
        "errcode": 0,
        "errmsg": "send job submission success",
        "msg_id": job.msg_id,
    }
    if msgtype in ("mpnews", "images"):
        result["msg_data_id"] = job.msg_data_id
    return result


def sendall(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    flt = body.get("filter")
    if not isinstance(flt, dict):
        raise WeChatError(47001, "filter is required")
    account = ctx.account
    if flt.get("is_to_all") is True:
        return _send(ctx, {"is_to_all": True}, len(account.followers))
    tag_id = as_int(flt.get("tag_id"), what="tag_id")
    if tag_id not in account.tags:
        raise WeChatError(45159, "no such tag")
    members = sum(1 for tags in account.user_tags.values() if tag_id in tags)
    return _send(ctx, {"tag_id": tag_id}, members)


def send(ctx: Ctx) -> dict[str, Any]:
    touser = ctx.body().get("touser")
    if not isinstance(touser, list) or not 2 <= len(touser) <= 10_000:
        raise WeChatError(40097, "touser must list 2..10000 openids")
    return _send(ctx, {"touser": len(touser)}, len(touser))


def preview(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    if not (as_str(body.get("touser")) or as_str(body.get("towxname"))):
        raise WeChatError(40003)
    _check_content(ctx, body)
    return {"errcode": 0, "errmsg": "preview success", "msg_id": ctx.platform.msg_ids.next()}


def _job(ctx: Ctx) -> MassJob:
    msg_id = as_int(ctx.body().get("msg_id"), what="msg_id")
    job = ctx.account.mass_jobs.get(msg_id)
    if job is None:
        raise WeChatError(40097, "no such msg_id")
    return job


def get(ctx: Ctx) -> dict[str, Any]:
    ctx.platform.run_due_locked(ctx.now)
    job = _job(ctx)
    return {"msg_id": job.msg_id, "msg_status": job.status}


def delete(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    job = _job(ctx)
    idx = as_int(body.get("article_idx", 0), what="article_idx")
    publication = ctx.account.publications.get(job.article_id or "")
    if publication is not None:
        targets = publication.items if idx == 0 else publication.items[idx - 1 : idx]
        for item in targets:
            item["is_deleted"] = True
    if idx == 0:
        job.status = "DELETE"
    return {"errcode": 0, "errmsg": "ok"}


def finish_job(platform: WeChatPlatform, account: Account, job: MassJob, now: float) -> None:
    job.status, job.finished_at = "SEND_SUCCESS", now
    urls: list[str] = []
    if job.msgtype == "mpnews":
        publication = make_publication(account, "mass", str(job.msg_data_id), job.articles, now)
        publication.msg_id = job.msg_id
        job.article_id = publication.article_id
        urls = [item["url"] for item in publication.items]
        draft_id = job.payload["mpnews"].get("media_id")
        account.drafts.pop(str(draft_id), None)
    rng = seeded(account.appid, "mass", job.msg_id)
    filtered = max(0, job.total_count - rng.randint(0, max(1, job.total_count // 200)))
    errors = min(filtered, rng.randint(0, 2))
    counts = {
        "total": job.total_count,
        "filter": filtered,
        "sent": filtered - errors,
        "error": errors,
    }
    xml = mass_finished(account, job, counts, urls)
    platform.push(account, xml, kind="MASSSENDJOBFINISH", ref=str(job.msg_id))


VERIFIED = {"verified": True}
ROUTES = [
    ("/cgi-bin/message/mass/sendall", "POST", sendall, VERIFIED),
    ("/cgi-bin/message/mass/send", "POST", send, VERIFIED),
    ("/cgi-bin/message/mass/preview", "POST", preview, VERIFIED),
    ("/cgi-bin/message/mass/get", "POST", get, VERIFIED),
    ("/cgi-bin/message/mass/delete", "POST", delete, VERIFIED),
]

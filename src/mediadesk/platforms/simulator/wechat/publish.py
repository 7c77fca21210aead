"""Publishing (发布, ``freepublish``): asynchronous jobs that end in a PUBLISHJOBFINISH push.

``submit`` creates a job in ``publish_status`` 1; after ``publish_delay`` seconds (on the
simulator clock) it ends in 0 with an ``article_id`` and URLs, the draft leaves the box and the
article takes comments — or in the failure queued with ``/_sim/wechat/publish_outcome``.
Publishing does not push to followers and is not counted by datacube.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import ids
from .account import Account, Publication, PublishJob
from .comments import open_threads
from .context import Ctx, as_int, as_str
from .errors import WeChatError
from .events import publish_finished

if TYPE_CHECKING:
    from .platform import WeChatPlatform


def article_url(account: Account, msg_data_id: str, idx: int) -> str:
    sn = ids.stable_token(32, account.appid, msg_data_id, idx, alphabet="0123456789abcdef")
    return f"https://mp.weixin.qq.com/s?__biz={account.biz}&mid={msg_data_id}&idx={idx}&sn={sn}#rd"


def make_publication(
    account: Account,
    channel: str,
    msg_data_id: str,
    articles: list[dict[str, Any]],
    now: float,
) -> Publication:
    """Record articles as out in the world: URLs, comment threads, lookup by msg_data_id."""
    items = []
    for idx, article in enumerate(articles, start=1):
        item = {k: v for k, v in article.items() if k != "url"}
        item["url"] = article_url(account, msg_data_id, idx)
        item["is_deleted"] = False
        items.append(item)
    publication = Publication(
        article_id=ids.token(43),
        msg_data_id=msg_data_id,
        channel=channel,
        items=items,
        create_time=int(now),
        update_time=int(now),
    )
    account.publications[publication.article_id] = publication
    account.by_msg_data_id[msg_data_id] = publication
    open_threads(account, publication)
    return publication


def finish_job(platform: WeChatPlatform, account: Account, job: PublishJob, now: float) -> None:
    """Move a due job to its outcome and push PUBLISHJOBFINISH."""
    status, fail_idx = job.outcome
    job.status, job.fail_idx, job.finished_at = status, list(fail_idx), now
    urls: list[str] = []
    if status == 0:
        publication = make_publication(account, "publish", job.msg_data_id, job.articles, now)
        publication.publish_id = job.publish_id
        job.article_id = publication.article_id
        urls = [item["url"] for item in publication.items]
        account.drafts.pop(job.draft_media_id, None)
    xml = publish_finished(account, job, platform.config.publish_event, urls)
    platform.push(account, xml, kind=platform.config.publish_event, ref=job.publish_id)


def submit(ctx: Ctx) -> dict[str, Any]:
    media_id = as_str(ctx.body().get("media_id"))
    account = ctx.account
    draft = account.drafts.get(media_id)
    if draft is None:
        raise WeChatError(40007, "no such draft")
    if any(j.draft_media_id == media_id and j.status == 1 for j in account.publish_jobs.values()):
        raise WeChatError(53501, "this draft is already being published")
    outcome = account.publish_outcomes.pop(0) if account.publish_outcomes else (0, [])
    job = PublishJob(
        publish_id=str(ctx.platform.publish_ids.next()),
        msg_data_id=str(ctx.platform.msg_data_ids.next()),
        draft_media_id=media_id,
        articles=[dict(a) for a in draft.articles],
        submitted_at=ctx.now,
        due_at=ctx.now + ctx.config.publish_delay,
        outcome=outcome,
    )
    account.publish_jobs[job.publish_id] = job
    ctx.platform.schedule(account, "publish", job.publish_id, job.due_at)
    if ctx.config.publish_delay <= 0:
        ctx.platform.run_due_locked(ctx.now)
    return {
        "errcode": 0,
        "errmsg": "ok",
        "publish_id": job.publish_id,
        "msg_data_id": job.msg_data_id,
    }


def status_body(account: Account, job: PublishJob) -> dict[str, Any]:
    body: dict[str, Any] = {"publish_id": job.publish_id, "publish_status": job.status}
    publication = account.publications.get(job.article_id or "")
    if publication is not None:
        body["article_id"] = publication.article_id
        live = [
            {"idx": i, "article_url": item["url"]}
            for i, item in enumerate(publication.items, start=1)
            if not item["is_deleted"]
        ]
        body["article_detail"] = {"count": len(live), "item": live}
    body["fail_idx"] = list(job.fail_idx)
    return body


def get(ctx: Ctx) -> dict[str, Any]:
    publish_id = as_str(ctx.body().get("publish_id"))
    job = ctx.account.publish_jobs.get(publish_id)
    if job is None:
        raise WeChatError(53502)
    ctx.platform.run_due_locked(ctx.now)
    return status_body(ctx.account, job)


def _publication(ctx: Ctx, article_id: Any) -> Publication:
    publication = ctx.account.publications.get(as_str(article_id))
    if publication is None or publication.channel != "publish":
        raise WeChatError(53600)
    return publication


def delete(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    publication = _publication(ctx, body.get("article_id"))
    index = as_int(body.get("index", 0), what="index")
    if not 0 <= index <= len(publication.items):
        raise WeChatError(40097, f"index must be 0 (all) or 1..{len(publication.items)}")
    targets = publication.items if index == 0 else [publication.items[index - 1]]
    for item in targets:
        item["is_deleted"] = True
    publication.update_time = int(ctx.now)
    if all(item["is_deleted"] for item in publication.items) and publication.publish_id:
        job = ctx.account.publish_jobs.get(publication.publish_id)
        if job is not None:
            job.status = 5
    return {"errcode": 0, "errmsg": "ok"}


def getarticle(ctx: Ctx) -> dict[str, Any]:
    publication = _publication(ctx, ctx.body().get("article_id"))
    return {"news_item": [dict(item) for item in publication.items]}


def batchget(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    offset = as_int(body.get("offset", 0), what="offset")
    count = as_int(body.get("count", 10), what="count")
    no_content = bool(as_int(body.get("no_content", 0), what="no_content"))
    if not 1 <= count <= 20 or offset < 0:
        raise WeChatError(40097, "count must be 1..20 and offset >= 0")
    ctx.platform.run_due_locked(ctx.now)
    live = [
        p
        for p in ctx.account.publications.values()
        if p.channel == "publish" and not all(i["is_deleted"] for i in p.items)
    ]
    live.sort(key=lambda p: (-p.update_time, p.article_id))
    rows = []
    for p in live[offset : offset + count]:
        items = [dict(i) for i in p.items]
        if no_content:
            for item in items:
                item.pop("content", None)
        rows.append(
            {
                "article_id": p.article_id,
                "content": {
                    "news_item": items,
                    "create_time": p.create_time,
                    "update_time": p.update_time,
                },
                "update_time": p.update_time,
            }
        )
    return {"total_count": len(live), "item_count": len(rows), "item": rows}


VERIFIED = {"verified": True}
ROUTES = [
    ("/cgi-bin/freepublish/submit", "POST", submit, VERIFIED),
    ("/cgi-bin/freepublish/get", "POST", get, VERIFIED),
    ("/cgi-bin/freepublish/delete", "POST", delete, VERIFIED),
    ("/cgi-bin/freepublish/getarticle", "POST", getarticle, VERIFIED),
    ("/cgi-bin/freepublish/batchget", "POST", batchget, VERIFIED),
]

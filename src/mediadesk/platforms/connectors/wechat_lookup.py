"""WeChat reads that answer "what happened?": publish outcomes, reconciliation, figures.

Reconciling a publish after a timeout uses what WeChat lets us see: the published list
(``freepublish/batchget``), the draft box (``draft/get``/``draft/batchget``) — a draft leaves
the box once published. WeChat keeps no list of publish *jobs*, so while a draft is still in
the box shortly after a submit, the honest answer is "undetermined: look again".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .errors import InvalidContent, NotSupported, PlatformRejected
from .values import (
    CreatedPost,
    DailyFigures,
    Delivery,
    PostFigures,
    PostRef,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    ReconcileOutcome,
    Reconciliation,
)
from .wechat_api import CHINA, PLATFORM

if TYPE_CHECKING:
    from .wechat import WeChatConnector

SETTLE_SECONDS = 600  # after this long a submitted draft still in the box was not published
PAGE = 20
PAGES = 3  # look through the newest 60 articles / drafts
DATACUBE_EPOCH = date(2014, 12, 1)
PUBLISH_STATES: dict[int, tuple[PublishState, str]] = {
    0: (PublishState.PUBLISHED, ""),
    1: (PublishState.PENDING, ""),
    2: (PublishState.FAILED, "WeChat's originality check failed"),
    3: (PublishState.FAILED, "WeChat could not publish the post"),
    4: (PublishState.FAILED, "WeChat's review rejected the post"),
    5: (PublishState.REMOVED, "Someone deleted every article after publishing"),
    6: (PublishState.REMOVED, "WeChat blocked every article after publishing"),
}


def num(value: str) -> int | str:
    """WeChat ids travel as numbers where they are numeric."""
    return int(value) if value.isdigit() else value


def need(value: str, what: str) -> str:
    if not value:
        raise PlatformRejected(f"This post has no WeChat {what} id (yet).", platform=PLATFORM)
    return value


def when(timestamp: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(timestamp), UTC)
    except (TypeError, ValueError):
        return None


def china_today(conn: WeChatConnector) -> date:
    return datetime.fromtimestamp(conn.api.clock(), CHINA).date()


# -- publish outcome and reconciliation --------------------------------------------------------
def publish_result(body: dict[str, Any], thread_id: str) -> PublishResult:
    status = int(body.get("publish_status", 1))
    state, reason = PUBLISH_STATES.get(status, (PublishState.FAILED, f"publish_status {status}"))
    failed = tuple(int(i) for i in body.get("fail_idx") or [])
    if failed:
        reason = f"{reason} (article {', '.join(map(str, failed))})"
    items = (body.get("article_detail") or {}).get("item") or []
    return PublishResult(
        state,
        post_id=str(body.get("article_id") or ""),
        urls=tuple(str(item.get("article_url", "")) for item in items),
        thread_id=thread_id,
        failed_items=failed,
        reason=reason + "." if reason else "",
        raw=body,
    )


def found(created: CreatedPost, result: PublishResult) -> Reconciliation:
    return Reconciliation(ReconcileOutcome.FOUND, created, result, "The platform has this job.")


def mass_undetermined(partial: CreatedPost | None) -> Reconciliation:
    return Reconciliation(
        ReconcileOutcome.UNDETERMINED,
        partial,
        note="WeChat cannot list mass sends. Create the post again with the same idempotency "
        "key (and the draft id, if any): WeChat answers a key it has seen with the first "
        "send's id instead of sending again.",
    )


def published_page(conn: WeChatConnector, offset: int, count: int) -> list[dict[str, Any]]:
    body = conn.api.call(
        "POST",
        "/cgi-bin/freepublish/batchget",
        json_body={"offset": offset, "count": count, "no_content": 1},
    )
    return list(body.get("item") or [])


def _matches(item: dict[str, Any], post: PostRequest) -> bool:
    return (
        item.get("title") == post.title
        and (item.get("content_source_url") or "") == post.source_url
        and (not post.digest or item.get("digest") == post.digest)
    )


def _find_published(
    conn: WeChatConnector, post: PostRequest, since: float | None
) -> tuple[str, str] | None:
    for page in range(PAGES):
        rows = published_page(conn, page * PAGE, PAGE)
        for row in rows:
            if since is not None and int(row.get("update_time") or 0) < since - 60:
                continue  # older than the attempt: somebody else's post with the same title
            for item in (row.get("content") or {}).get("news_item") or []:
                if not item.get("is_deleted") and _matches(item, post):
                    return str(row["article_id"]), str(item.get("url") or "")
        if len(rows) < PAGE:
            break
    return None


def _find_draft(conn: WeChatConnector, post: PostRequest) -> str:
    for page in range(PAGES):
        body = conn.api.call(
            "POST",
            "/cgi-bin/draft/batchget",
            json_body={"offset": page * PAGE, "count": PAGE, "no_content": 1},
        )
        rows = body.get("item") or []
        for row in rows:
            items = (row.get("content") or {}).get("news_item") or []
            if any(_matches(item, post) for item in items):
                return str(row["media_id"])
        if len(rows) < PAGE:
            break
    return ""


def thread_from_url(url: str) -> str:
    """An article URL's ``mid`` is the msg_data_id that keys its comments."""
    values = parse_qs(urlsplit(url).query).get("mid") or [""]
    return values[0] if values[0].isdigit() else ""


def reconcile_publish(
    conn: WeChatConnector,
    post: PostRequest,
    partial: CreatedPost | None,
    attempted_at: datetime | None,
) -> Reconciliation:
    since = attempted_at.timestamp() if attempted_at else None
    draft_id = partial.draft_id if partial is not None else ""
    hit = _find_published(conn, post, since)
    if hit is not None:
        article_id, url = hit
        thread = thread_from_url(url)
        created = CreatedPost(
            conn.platform,
            PostState.PUBLISHED,
            Delivery.PUBLISH,
            post_id=article_id,
            url=url,
            thread_id=thread,
            draft_id=draft_id,
        )
        result = PublishResult(
            PublishState.PUBLISHED, post_id=article_id, urls=(url,) if url else (), thread_id=thread
        )
        return Reconciliation(
            ReconcileOutcome.FOUND, created, result, "It is among the published articles."
        )
    submitted = bool(draft_id)  # a create that left a draft failed at the submit
    draft_id = draft_id or _find_draft(conn, post)
    if not draft_id:
        return Reconciliation(
            ReconcileOutcome.NOT_FOUND,
            note="No published article and no draft matches: nothing reached WeChat. "
            "Creating the post again is safe.",
        )
    drafted = CreatedPost(conn.platform, PostState.DRAFTED, Delivery.PUBLISH, draft_id=draft_id)
    if not conn.draft_exists(draft_id):
        return Reconciliation(
            ReconcileOutcome.UNDETERMINED,
            drafted,
            note="The draft has left the draft box but no published article matches it: it "
            "may still be publishing, or have been mass-sent or deleted. Look again in a few "
            "minutes, then check the account.",
        )
    settled = since is not None and conn.api.clock() - since >= SETTLE_SECONDS
    if submitted and not settled:
        return Reconciliation(
            ReconcileOutcome.UNDETERMINED,
            drafted,
            note="The draft is still in the draft box: the submit either never arrived or is "
            "still being published. Look again in a few minutes.",
        )
    return Reconciliation(
        ReconcileOutcome.NOT_FOUND,
        drafted,
        note="The draft exists but was not published; create the post again with "
        "platform_draft_id set to reuse it.",
    )


# -- figures -------------------------------------------------------------------------------------
def article_figures(conn: WeChatConnector, ref: PostRef) -> PostFigures:
    if ref.delivery != Delivery.MASS_SEND:
        raise NotSupported(
            "WeChat's figures cover mass-sent (群发) articles only; a published (发布) article "
            "has none through the API.",
            platform=PLATFORM,
        )
    thread = need(ref.thread_id, "msg_data_id")
    if ref.sent_on is None or ref.sent_on >= china_today(conn):
        raise InvalidContent(
            "WeChat gives an article's figures from the morning after it was sent; say which "
            "day it was sent.",
            field="sent_on",
            platform=PLATFORM,
        )
    day = ref.sent_on.isoformat()
    body = conn.api.call(
        "POST", "/datacube/getarticletotal", json_body={"begin_date": day, "end_date": day}
    )
    msgid = f"{thread}_{ref.index + 1}"
    row = next((r for r in body.get("list") or [] if str(r.get("msgid")) == msgid), None)
    details = (row or {}).get("details") or []
    if not details:
        return PostFigures(post_id=msgid, metrics={}, raw=body)
    last = details[-1]
    as_of = date.fromisoformat(str(last["stat_date"]))
    return PostFigures(msgid, article_metrics(last), as_of, raw=row or {})


def article_metrics(row: dict[str, Any]) -> dict[str, int]:
    """A datacube article row (summary or total detail) in the product's figure names."""
    return {
        "reads": int(row.get("int_page_read_count") or 0),
        "readers": int(row.get("int_page_read_user") or 0),
        "original_reads": int(row.get("ori_page_read_count") or 0),
        "shares": int(row.get("share_count") or 0),
        "favourites": int(row.get("add_to_fav_count") or 0),
    }


def article_summary(conn: WeChatConnector, day: date) -> list[PostFigures]:
    """One day's figures for every mass-sent article read that day (``getarticlesummary``);
    ``post_id`` is WeChat's ``<msg_data_id>_<index>``."""
    if day >= china_today(conn) or day < DATACUBE_EPOCH:
        raise InvalidContent(
            "WeChat has article figures from 2014-12-01 up to yesterday (China time).",
            field="dates",
            platform=PLATFORM,
        )
    span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
    body = conn.api.call("POST", "/datacube/getarticlesummary", json_body=span)
    return [
        PostFigures(str(row.get("msgid")), article_metrics(row), day, raw=row)
        for row in body.get("list") or []
    ]


def follower_figures(conn: WeChatConnector, start: date, end: date) -> list[DailyFigures]:
    if start > end:
        raise InvalidContent("The start date is after the end date.", field="dates")
    if end >= china_today(conn) or start < DATACUBE_EPOCH:
        raise InvalidContent(
            "WeChat has follower figures from 2014-12-01 up to yesterday (China time).",
            field="dates",
            platform=PLATFORM,
        )
    days: dict[str, dict[str, int]] = {}
    day = start
    while day <= end:
        days[day.isoformat()] = {"new_followers": 0, "lost_followers": 0}
        day += timedelta(days=1)
    chunk = start
    while chunk <= end:
        stop = min(end, chunk + timedelta(days=6))
        span = {"begin_date": chunk.isoformat(), "end_date": stop.isoformat()}
        summary = conn.api.call("POST", "/datacube/getusersummary", json_body=span)
        for row in summary.get("list") or []:
            figures = days.setdefault(str(row["ref_date"]), {})
            figures["new_followers"] = figures.get("new_followers", 0) + int(row["new_user"])
            figures["lost_followers"] = figures.get("lost_followers", 0) + int(row["cancel_user"])
        cumulate = conn.api.call("POST", "/datacube/getusercumulate", json_body=span)
        for row in cumulate.get("list") or []:
            days.setdefault(str(row["ref_date"]), {})["followers"] = int(row["cumulate_user"])
        chunk = stop + timedelta(days=1)
    return [DailyFigures(date.fromisoformat(d), m) for d, m in sorted(days.items())]

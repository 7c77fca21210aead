"""The WeChat Official Account connector (服务号 and 订阅号).

A post becomes a draft (``draft/add``) and then goes out one of two ways, as the post says:
publish (发布, ``freepublish/submit``: on the account page, not pushed, not in datacube) or
mass send (群发, ``message/mass/sendall``: pushed to followers, scarce, counted by datacube,
made idempotent by ``clientmsgid``). Both finish asynchronously; :meth:`publish_result` polls
(the PUBLISHJOBFINISH push is handled by the callback endpoint, and not relied upon).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx

from . import wechat_lookup as lookup
from . import wechat_rules as rules
from .base import Retry, operation
from .errors import ConnectorError, InvalidContent, PlatformRejected
from .http_connector import HttpConnector
from .media import CONTENT_TYPES, upload_name
from .tokens import TokenStore
from .values import (
    AccountRef,
    Comment,
    CommentPage,
    CommentReply,
    CreatedPost,
    DailyFigures,
    Delivery,
    MediaFile,
    MediaKind,
    PostFigures,
    PostRef,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    Reconciliation,
    TokenInfo,
    UploadedMedia,
)
from .wechat_api import DEFAULT_BASE_URL, PLATFORM, WeChatApi, errcode

MASS_STATES: dict[str, tuple[PublishState, str]] = {
    "SENDING": (PublishState.PENDING, ""),
    "SEND_SUCCESS": (PublishState.PUBLISHED, ""),
    "SEND_FAIL": (PublishState.FAILED, "WeChat could not send the mass message."),
    "DELETE": (PublishState.REMOVED, "The mass-sent message was deleted."),
}
COMMENTS_PAGE_MAX = 49  # WeChat refuses count >= 50


class WeChatConnector(HttpConnector):
    platform = "wechat_service"
    default_base_url = DEFAULT_BASE_URL
    http_platform = PLATFORM

    def __init__(
        self,
        ref: AccountRef,
        *,
        store: TokenStore | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ref, store=store, transport=transport, clock=clock)
        self.api = WeChatApi(ref, http=self.http, store=self.store, clock=clock)

    # -- token and media ------------------------------------------------------------------------
    @operation(Retry.IDEMPOTENT)
    def authenticate(self, *, force: bool = False) -> TokenInfo:
        token = self.api.token(refetch=force)
        return TokenInfo(self.platform, datetime.fromtimestamp(token.expires_at, UTC))

    @operation(Retry.IDEMPOTENT)
    def upload_media(self, media: MediaFile, kind: MediaKind) -> UploadedMedia:
        """Covers and pictures become permanent material; ``ARTICLE_IMAGE`` goes through
        ``media/uploadimg`` and returns the URL to put in the article's ``<img src>``."""
        fmt = rules.check_media(media, kind)
        files = {"media": (upload_name(media, fmt), media.data, CONTENT_TYPES[fmt])}
        if kind == MediaKind.ARTICLE_IMAGE:
            body = self.api.call("POST", "/cgi-bin/media/uploadimg", files=files)
            return UploadedMedia(kind, url=str(body["url"]))
        data = None
        if kind == MediaKind.VIDEO:
            description = {"title": media.title, "introduction": media.description}
            data = {"description": json.dumps(description, ensure_ascii=False)}
        body = self.api.call(
            "POST",
            "/cgi-bin/material/add_material",
            params={"type": kind.value},
            files=files,
            data=data,
        )
        return UploadedMedia(kind, media_id=str(body["media_id"]), url=str(body.get("url", "")))

    # -- creating ---------------------------------------------------------------------------------
    @operation(Retry.RECONCILE_ONLY)
    def create_post(self, post: PostRequest) -> CreatedPost:
        key = rules.clientmsgid(post) if post.delivery == Delivery.MASS_SEND else ""
        article = None if post.platform_draft_id else rules.article(post)
        draft_id = post.platform_draft_id or self._add_draft(article)
        try:
            if post.delivery == Delivery.MASS_SEND:
                return self._mass_send(post, draft_id, key)
            body = self.api.call(
                "POST", "/cgi-bin/freepublish/submit", json_body={"media_id": draft_id}
            )
        except ConnectorError as exc:
            exc.partial = CreatedPost(
                self.platform, PostState.DRAFTED, post.delivery, draft_id=draft_id
            )
            raise
        return CreatedPost(
            self.platform,
            PostState.SUBMITTED,
            Delivery.PUBLISH,
            job_id=str(body["publish_id"]),
            thread_id=str(body.get("msg_data_id") or ""),
            draft_id=draft_id,
            raw=body,
        )

    def _add_draft(self, article: dict[str, object] | None) -> str:
        body = self.api.call("POST", "/cgi-bin/draft/add", json_body={"articles": [article]})
        return str(body["media_id"])

    def _mass_send(self, post: PostRequest, draft_id: str, key: str) -> CreatedPost:
        if post.audience_tag_id is None:
            audience: dict[str, object] = {"is_to_all": True}
        else:
            audience = {"is_to_all": False, "tag_id": post.audience_tag_id}
        body = self.api.call(
            "POST",
            "/cgi-bin/message/mass/sendall",
            json_body={
                "filter": audience,
                "msgtype": "mpnews",
                "mpnews": {"media_id": draft_id},
                "send_ignore_reprint": 0,
                "clientmsgid": key,
            },
            accept=frozenset({45065}),  # this key was sent before: here is its msg_id
        )
        return CreatedPost(
            self.platform,
            PostState.SUBMITTED,
            Delivery.MASS_SEND,
            job_id=str(body.get("msg_id") or ""),
            thread_id=str(body.get("msg_data_id") or ""),
            draft_id=draft_id,
            duplicate=errcode(body) == 45065,
            raw=body,
        )

    def create_retry_safety(self, post: PostRequest) -> Retry:
        """A mass send with a key is idempotent: WeChat answers a repeat with the first
        send's id (45065) for 24 hours. A repeat may leave one unused draft behind."""
        if post.delivery == Delivery.MASS_SEND and post.idempotency_key:
            return Retry.IDEMPOTENT
        return Retry.RECONCILE_ONLY

    # -- following up -------------------------------------------------------------------------
    @operation(Retry.SAFE)
    def publish_result(self, created: CreatedPost) -> PublishResult:
        if not created.job_id:
            raise PlatformRejected(
                "This post has no WeChat job id; reconcile it instead.", platform=PLATFORM
            )
        if created.delivery == Delivery.MASS_SEND:
            body = self.api.call(
                "POST",
                "/cgi-bin/message/mass/get",
                json_body={"msg_id": lookup.num(created.job_id)},
            )
            state, reason = MASS_STATES.get(str(body.get("msg_status")), (PublishState.PENDING, ""))
            return PublishResult(state, thread_id=created.thread_id, reason=reason, raw=body)
        body = self.api.call(
            "POST", "/cgi-bin/freepublish/get", json_body={"publish_id": created.job_id}
        )
        return lookup.publish_result(body, created.thread_id)

    @operation(Retry.SAFE)
    def reconcile(
        self,
        post: PostRequest,
        partial: CreatedPost | None = None,
        *,
        attempted_at: datetime | None = None,
    ) -> Reconciliation:
        """Publish: the job if its id is known, else the published list (freepublish/batchget),
        else the draft box. Mass send: only its id can be looked up; without it, retrying with
        the same key is the lookup (WeChat answers 45065 with the first send's id)."""
        if partial is not None and partial.job_id:
            return lookup.found(partial, self.publish_result(partial))
        if post.delivery == Delivery.MASS_SEND:
            return lookup.mass_undetermined(partial)
        return lookup.reconcile_publish(self, post, partial, attempted_at)

    @operation(Retry.SAFE)
    def published_articles(self, offset: int = 0, count: int = 20) -> list[dict[str, object]]:
        """One page of the account's published (发布) articles, newest first."""
        return lookup.published_page(self, offset, count)

    @operation(Retry.SAFE)
    def published_article(self, article_id: str) -> list[dict[str, object]]:
        """The articles of a published (发布) post as WeChat holds them now (``getarticle``):
        content, cover (``thumb_media_id``/``thumb_url``), URL and ``is_deleted`` — what the
        check after publishing (PUB-5) compares with what was sent."""
        body = self.api.call(
            "POST",
            "/cgi-bin/freepublish/getarticle",
            json_body={"article_id": lookup.need(article_id, "article")},
        )
        return [dict(item) for item in body.get("news_item") or []]

    @operation(Retry.SAFE)
    def draft_exists(self, draft_id: str) -> bool:
        body = self.api.call(
            "POST",
            "/cgi-bin/draft/get",
            json_body={"media_id": draft_id},
            accept=frozenset({40007}),
        )
        return errcode(body) == 0

    @operation(Retry.IDEMPOTENT)
    def withdraw(self, ref: PostRef) -> None:
        """Delete the whole post: every article of a publication, or the mass-sent message."""
        if ref.delivery == Delivery.MASS_SEND:
            self.api.call(
                "POST",
                "/cgi-bin/message/mass/delete",
                json_body={"msg_id": lookup.num(lookup.need(ref.job_id, "job")), "article_idx": 0},
            )
            return
        self.api.call(
            "POST",
            "/cgi-bin/freepublish/delete",
            json_body={"article_id": lookup.need(ref.post_id, "article"), "index": 0},
        )

    # -- figures --------------------------------------------------------------------------------
    @operation(Retry.SAFE)
    def fetch_post_figures(self, ref: PostRef) -> PostFigures:
        """Mass-sent articles only (datacube ``getarticletotal`` for the day of sending):
        WeChat counts no published (发布) article in its figures."""
        return lookup.article_figures(self, ref)

    @operation(Retry.SAFE)
    def article_summary(self, day: date) -> list[PostFigures]:
        """Every mass-sent article's figures for one day (datacube ``getarticlesummary``)."""
        return lookup.article_summary(self, day)

    @operation(Retry.SAFE)
    def fetch_account_figures(self, start: date, end: date) -> list[DailyFigures]:
        """Followers gained, lost and in total per day (``getusersummary``/``getusercumulate``,
        queried seven days at a time)."""
        return lookup.follower_figures(self, start, end)

    # -- comments ---------------------------------------------------------------------------------
    @operation(Retry.SAFE)
    def fetch_comments(
        self, ref: PostRef, *, cursor: str | None = None, count: int = 20
    ) -> CommentPage:
        if not 1 <= count <= COMMENTS_PAGE_MAX:
            raise InvalidContent(
                f"WeChat lists 1 to {COMMENTS_PAGE_MAX} comments at a time.",
                field="count",
                platform=PLATFORM,
            )
        begin = int(cursor or 0)
        body = self.api.call(
            "POST",
            "/cgi-bin/comment/list",
            json_body={
                "msg_data_id": lookup.num(lookup.need(ref.thread_id, "comment thread")),
                "index": ref.index,
                "begin": begin,
                "count": count,
                "type": 0,
            },
        )
        rows = body.get("comment") or []
        comments = tuple(
            Comment(
                comment_id=str(row.get("user_comment_id")),
                text=str(row.get("content", "")),
                author_id=str(row.get("openid", "")),
                created_at=lookup.when(row.get("create_time")),
                reply_text=str((row.get("reply") or {}).get("content", "")),
                elected=row.get("comment_type") == 1,
                raw=row,
            )
            for row in rows
        )
        total = int(body.get("total") or 0)
        more = begin + len(comments) < total and comments
        return CommentPage(comments, str(begin + len(comments)) if more else None, total)

    @operation(Retry.RECONCILE_ONLY)
    def reply_to_comment(self, ref: PostRef, comment_id: str, text: str) -> CommentReply:
        """WeChat keeps one reply per comment (a second is refused with 88005), so after a
        timeout read the comment to see whether the reply landed."""
        if not text.strip():
            raise InvalidContent("The reply is empty.", field="text", platform=PLATFORM)
        body = self.api.call(
            "POST",
            "/cgi-bin/comment/reply/add",
            json_body={
                "msg_data_id": lookup.num(lookup.need(ref.thread_id, "comment thread")),
                "index": ref.index,
                "user_comment_id": lookup.num(comment_id),
                "content": text,
            },
            accept=frozenset({88005}),
        )
        if errcode(body) == 88005:
            raise PlatformRejected(
                "This comment already has a reply; WeChat keeps one per comment (delete it "
                "first to reply again).",
                platform=PLATFORM,
                raw_code=88005,
                raw_message=str(body.get("errmsg", "")),
            )
        return CommentReply(comment_id=comment_id, text=text)

    # -- menu ----------------------------------------------------------------------------------
    @operation(Retry.SAFE)
    def get_menu(self) -> dict[str, object] | None:
        body = self.api.call("GET", "/cgi-bin/menu/get", accept=frozenset({46003}))
        if errcode(body) == 46003:
            return None
        menu = dict(body.get("menu") or {})
        if body.get("conditionalmenu"):
            menu["conditionalmenu"] = body["conditionalmenu"]
        return menu

    @operation(Retry.IDEMPOTENT)
    def set_menu(self, menu: dict[str, object]) -> None:
        self.api.call("POST", "/cgi-bin/menu/create", json_body=rules.check_menu(menu))

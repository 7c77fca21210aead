"""The Weibo connector: OAuth2, ``statuses/share``, and comments show/create/reply.

``statuses/share.json`` replaced the old update/upload calls for ordinary apps and comes with
rules (platform-apis.md §3.2): at most 140 characters, at least one link inside the app's
registered safe domain (安全域名), no ``#topic#``, the publishing person's IP (``rip``). They are
checked here before sending; a post with a topic can only go out through a person in the app,
so it is refused with :class:`AssistedPublishingNeeded`. Weibo answers errors with HTTP 4xx
and ``{"request", "error_code", "error"}``; web apps get no refresh token.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from .base import Retry, operation
from .errors import AssistedPublishingNeeded, PlatformRejected, TokenExpired
from .http import json_of
from .http_connector import HttpConnector
from .media import CONTENT_TYPES, upload_name
from .tokens import StoredToken
from .values import (
    Comment,
    CommentPage,
    CommentReply,
    CreatedPost,
    MediaFile,
    PostFigures,
    PostRef,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    ReconcileOutcome,
    Reconciliation,
    TokenInfo,
)
from .weibo_rules import (
    DEFAULT_BASE_URL,
    PICTURE,
    PLATFORM,
    TOPIC,
    check_links,
    check_text,
    invalid,
    map_error,
    when,
)


class WeiboConnector(HttpConnector):
    platform = "weibo"
    default_base_url = DEFAULT_BASE_URL
    http_platform = PLATFORM

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- transport ------------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        headers = {"Authorization": f"OAuth2 {self._token().access_token}"} if auth else {}
        response = self.http.send(method, path, headers=headers, **kwargs)
        body = json_of(response, PLATFORM, path)
        if response.status_code >= 400 or (isinstance(body, dict) and body.get("error_code")):
            error = map_error(response.status_code, body, self.now())
            if isinstance(error, TokenExpired):
                self.store.discard(self.key)
            raise error
        return body

    # -- OAuth ----------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri: str, state: str = "") -> str:
        """Where to send the account owner to authorise the app (they come back with a code)."""
        query = {"client_id": self.ref.app_id, "redirect_uri": redirect_uri}
        query |= {"response_type": "code", **({"state": state} if state else {})}
        return f"{self.base_url}/oauth2/authorize?{urlencode(query)}"

    @operation(Retry.NEVER)
    def exchange_code(self, code: str, redirect_uri: str) -> TokenInfo:
        """Trade the authorisation code for a token (codes work once: never retried)."""
        body = self._call(
            "POST",
            "/oauth2/access_token",
            auth=False,
            data={
                "client_id": self.ref.app_id,
                "client_secret": self.ref.secret("app_secret"),
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
            },
        )
        token = StoredToken(
            access_token=str(body["access_token"]),
            expires_at=self.clock() + float(body.get("expires_in") or 0),
            subject=str(body.get("uid") or ""),
        )
        self.store.put(self.key, token)
        return self._info(token)

    def _token(self) -> StoredToken:
        token = self.store.get(self.key)
        if token is None:
            value = self.ref.secret("access_token")
            token = StoredToken(value, expires_at=math.inf, subject=self.ref.options.get("uid", ""))
        if token.expires_at <= self.clock():
            raise TokenExpired(
                "The Weibo authorisation has expired; the account owner must authorise again.",
                platform=PLATFORM,
            )
        return token

    def _info(self, token: StoredToken) -> TokenInfo:
        expires = datetime.max.replace(tzinfo=UTC)
        if math.isfinite(token.expires_at):
            expires = datetime.fromtimestamp(token.expires_at, UTC)
        return TokenInfo(self.platform, expires, subject=token.subject)

    @operation(Retry.SAFE)
    def authenticate(self, *, force: bool = False) -> TokenInfo:
        """The held token; with ``force`` (or when its expiry is unknown) ask Weibo about it."""
        token = self._token()
        if force or not math.isfinite(token.expires_at):
            body = self._call(
                "POST",
                "/oauth2/get_token_info",
                auth=False,
                data={"access_token": token.access_token},
            )
            token = StoredToken(
                token.access_token,
                expires_at=self.clock() + float(body.get("expire_in") or 0),
                subject=str(body.get("uid") or token.subject),
            )
            self.store.put(self.key, token)
        return self._info(token)

    # -- posting --------------------------------------------------------------------------------
    def _rip(self, post_extra: Any = None) -> str:
        rip = (post_extra or {}).get("rip") or self.ref.options.get("rip")
        if not rip:
            raise invalid("Weibo needs the IP address of the person publishing (rip).", "rip")
        return str(rip)

    @operation(Retry.RECONCILE_ONLY)
    def create_post(self, post: PostRequest) -> CreatedPost:
        text = post.text
        if TOPIC.search(text):
            raise AssistedPublishingNeeded(
                "Weibo's API does not publish posts with a #topic#; publish this one in the "
                "Weibo app (assisted publishing) or remove the topic.",
                field="text",
                platform=PLATFORM,
            )
        check_text(text)
        check_links(text, self.ref.options.get("safe_domains") or [])
        rip = self._rip(post.extra)
        files = None
        pictures = [m for m in (post.cover, *post.media) if m is not None]
        if len(pictures) > 1 or (pictures and not isinstance(pictures[0], MediaFile)):
            raise invalid("Weibo takes one picture with a post, as a file.", "media")
        if pictures:
            picture = pictures[0]
            assert isinstance(picture, MediaFile)
            fmt = PICTURE.check(picture, platform=PLATFORM)
            files = {"pic": (upload_name(picture, fmt), picture.data, CONTENT_TYPES[fmt])}
        body = self._call(
            "POST", "/2/statuses/share.json", data={"status": text, "rip": rip}, files=files
        )
        post_id = str(body.get("idstr") or body.get("id"))
        return CreatedPost(
            self.platform,
            PostState.PUBLISHED,
            post.delivery,
            post_id=post_id,
            url=self._url(body, post_id),
            raw=body,
        )

    def _url(self, status: dict[str, Any], post_id: str) -> str:
        uid = (status.get("user") or {}).get("idstr") or self._token().subject
        return f"https://weibo.com/{uid}/{post_id}" if uid else ""

    @operation(Retry.SAFE)
    def publish_result(self, created: CreatedPost) -> PublishResult:
        """Weibo posts are out at once; this says whether the post is still there."""
        try:
            body = self._call("GET", "/2/statuses/show.json", params={"id": created.post_id})
        except PlatformRejected as exc:
            if exc.raw_code == 20101:
                return PublishResult(PublishState.REMOVED, created.post_id, reason="Deleted.")
            raise
        url = self._url(body, created.post_id)
        return PublishResult(PublishState.PUBLISHED, created.post_id, (url,) if url else ())

    @operation(Retry.SAFE)
    def reconcile(
        self,
        post: PostRequest,
        partial: CreatedPost | None = None,
        *,
        attempted_at: datetime | None = None,
    ) -> Reconciliation:
        if partial is not None and partial.post_id:
            result = self.publish_result(partial)
            return Reconciliation(ReconcileOutcome.FOUND, partial, result)
        return Reconciliation(
            ReconcileOutcome.UNDETERMINED,
            note="Weibo lets an ordinary app look up only posts whose id it has. Creating the "
            "post again within 24 hours cannot double it: Weibo refuses the same text as "
            "'repeat content' (20019), which then means the first attempt went through.",
        )

    @operation(Retry.IDEMPOTENT)
    def withdraw(self, ref: PostRef) -> None:
        try:
            self._call("POST", "/2/statuses/destroy.json", data={"id": ref.post_id})
        except PlatformRejected as exc:
            if exc.raw_code != 20101:  # already gone: the withdrawal's goal is met
                raise

    @operation(Retry.SAFE)
    def fetch_post_figures(self, ref: PostRef) -> PostFigures:
        rows = self._call("GET", "/2/statuses/count.json", params={"ids": ref.post_id})
        row = next((r for r in rows or [] if str(r.get("id")) == ref.post_id), None)
        if row is None:
            raise PlatformRejected("Weibo has no such post (any more).", platform=PLATFORM)
        metrics = {
            "comments": int(row.get("comments") or 0),
            "reposts": int(row.get("reposts") or 0),
            "likes": int(row.get("attitudes") or 0),
        }
        return PostFigures(ref.post_id, metrics, self.now().date(), raw=row)

    # -- comments -------------------------------------------------------------------------------
    @operation(Retry.SAFE)
    def fetch_comments(
        self, ref: PostRef, *, cursor: str | None = None, count: int = 20
    ) -> CommentPage:
        page = int(cursor or 1)
        body = self._call(
            "GET",
            "/2/comments/show.json",
            params={"id": ref.post_id, "count": count, "page": page},
        )
        comments = tuple(
            Comment(
                comment_id=str(row.get("idstr") or row.get("id")),
                text=str(row.get("text", "")),
                author_id=str((row.get("user") or {}).get("idstr", "")),
                created_at=when(row.get("created_at")),
                raw=row,
            )
            for row in body.get("comments") or []
        )
        total = int(body.get("total_number") or 0)
        more = page * count < total and comments
        return CommentPage(comments, str(page + 1) if more else None, total)

    @operation(Retry.NEVER)
    def comment_on_post(self, ref: PostRef, text: str, *, rip: str = "") -> CommentReply:
        """A comment by the account on its own post (``comments/create``)."""
        check_text(text)
        body = self._call(
            "POST",
            "/2/comments/create.json",
            data={"id": ref.post_id, "comment": text, "rip": rip or self._rip()},
        )
        return CommentReply("", str(body.get("idstr") or body.get("id")), str(body.get("text")))

    @operation(Retry.NEVER)
    def reply_to_comment(self, ref: PostRef, comment_id: str, text: str) -> CommentReply:
        check_text(text)
        body = self._call(
            "POST",
            "/2/comments/reply.json",
            data={"id": ref.post_id, "cid": comment_id, "comment": text, "rip": self._rip()},
        )
        return CommentReply(
            comment_id, str(body.get("idstr") or body.get("id")), str(body.get("text", ""))
        )

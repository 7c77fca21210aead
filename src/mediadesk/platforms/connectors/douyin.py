"""The Douyin connector: OAuth with refresh, video upload and create, item data, comments.

Server-side publishing (scope ``video.create.bind``) is open only to approved enterprise apps
and comment management (``video.comment``) to enterprise accounts (platform-apis.md §4); a
missing scope comes back as :class:`NotAuthorised`. Business calls carry the user token in
the ``access-token`` header (never in the URL) and ``open_id`` in the query; answers are
``{"data": {..., "error_code"}, "extra": {...}}`` with HTTP 200.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from . import douyin_auth as auth
from .base import Retry, operation
from .errors import (
    ConnectorError,
    InvalidContent,
    NotAuthorised,
    NotSupported,
    PlatformRejected,
    PlatformUnavailable,
    TokenExpired,
)
from .http import json_of
from .http_connector import HttpConnector
from .media import MB, MediaRule, upload_name
from .values import (
    Comment,
    CommentPage,
    CommentReply,
    CreatedPost,
    MediaFile,
    MediaKind,
    PostFigures,
    PostRef,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    ReconcileOutcome,
    Reconciliation,
    TokenInfo,
    UploadedMedia,
)

DEFAULT_BASE_URL = "https://open.douyin.com"
PLATFORM = auth.PLATFORM
VIDEO = MediaRule("a Douyin video (single upload)", frozenset({"mp4"}), 128 * MB)
TOKEN_CODES = frozenset({2190002, 2190008, 28001003, 28001008})
SCOPE_CODES = frozenset({2190004, 2190015, 10004})
CREATE_OPTIONS = ("cover_tsp", "poi_id", "at_users", "micro_app_id", "micro_app_title")
COMMENTS_PAGE_MAX = 50
LIST_PAGES = 3


def api_error(code: int, description: str) -> ConnectorError:
    raw = {"platform": PLATFORM, "raw_code": code, "raw_message": description}
    if code in TOKEN_CODES:
        return TokenExpired("Douyin rejected the account's token even after refreshing.", **raw)
    if code in SCOPE_CODES:
        return NotAuthorised(
            f"Douyin refuses this for the account or app (permission or scope): {description}",
            **raw,
        )
    if code == 2100004:
        return PlatformUnavailable(
            "Douyin is busy; it may or may not have acted on the request.",
            may_have_reached=True,
            **raw,
        )
    if code == 2100005:
        return InvalidContent(f"Douyin refused the request: {description}", **raw)
    return PlatformRejected(f"Douyin refused the request: {description} ({code}).", **raw)


class DouyinConnector(HttpConnector):
    platform = "douyin"
    default_base_url = DEFAULT_BASE_URL
    http_platform = PLATFORM

    # -- OAuth ------------------------------------------------------------------------------------
    def authorization_url(self, redirect_uri: str, scopes: list[str], state: str = "") -> str:
        query = {
            "client_key": self.ref.app_id,
            "response_type": "code",
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            **({"state": state} if state else {}),
        }
        return f"{self.base_url}/platform/oauth/connect/?{urlencode(query)}"

    @operation(Retry.NEVER)
    def exchange_code(self, code: str) -> TokenInfo:
        """Trade the authorisation code for tokens (codes work once: never retried)."""
        with self.store.lock(self.key):
            return self._info(auth.exchange(self, code))

    def _info(self, token: Any) -> TokenInfo:
        refresh_at = token.refresh_expires_at
        return TokenInfo(
            self.platform,
            datetime.fromtimestamp(token.expires_at, UTC),
            datetime.fromtimestamp(refresh_at, UTC) if refresh_at else None,
            renewals_left=max(0, auth.MAX_RENEWALS - token.renewals),
            subject=token.subject,
        )

    def _token(self, *, refresh: bool = False, rejected: str = "") -> Any:
        token = auth.current(self)
        if token.fresh(self.clock(), auth.ACCESS_MARGIN) and not refresh:
            return token
        with self.store.lock(self.key):
            token = auth.current(self)
            if rejected and token.access_token != rejected and token.fresh(self.clock()):
                return token  # another thread refreshed it meanwhile
            if token.fresh(self.clock(), auth.ACCESS_MARGIN) and not refresh:
                return token
            return auth.refresh(self, token)

    @operation(Retry.IDEMPOTENT)
    def authenticate(self, *, force: bool = False) -> TokenInfo:
        """A usable access token (refreshed when old or ``force``); renews the refresh token
        when it has less than five days left and renewals remain."""
        return self._info(self._token(refresh=force))

    @operation(Retry.NEVER)
    def renew_refresh_token(self) -> TokenInfo:
        """Swap the refresh token now. Douyin allows five per authorisation; a sixth is
        refused here without calling Douyin. Not retried: each call uses one renewal."""
        with self.store.lock(self.key):
            return self._info(auth.renew(self, auth.current(self)))

    # -- business calls ---------------------------------------------------------------------------
    def _api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        token = self._token()
        data = self._send(token, method, path, **kwargs)
        if int(data.get("error_code") or 0) in TOKEN_CODES:
            token = self._token(refresh=True, rejected=token.access_token)
            data = self._send(token, method, path, **kwargs)
        code = int(data.get("error_code") or 0)
        if code:
            raise api_error(code, str(data.get("description") or ""))
        return data

    def _send(self, token: Any, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        params = {"open_id": token.subject, **kwargs.pop("params", {})}
        response = self.http.send(
            method, path, params=params, headers={"access-token": token.access_token}, **kwargs
        )
        body = json_of(response, PLATFORM, path)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise PlatformRejected(f"Douyin answered {path} with an unexpected shape.")
        extra = body.get("extra") or {}
        if not data.get("error_code") and extra.get("error_code"):
            data = {
                **data,
                "error_code": extra["error_code"],
                "description": extra.get("description"),
            }
        return data

    # -- video ------------------------------------------------------------------------------------
    @operation(Retry.IDEMPOTENT)
    def upload_media(self, media: MediaFile, kind: MediaKind) -> UploadedMedia:
        if kind != MediaKind.VIDEO:
            raise NotSupported("This connector uploads videos to Douyin, not images.")
        if media.size > VIDEO.max_bytes:
            raise InvalidContent(
                f"{media.filename} is over 128 MB; Douyin needs a chunked upload for it, which "
                "this connector does not do yet.",
                field="media",
                platform=PLATFORM,
            )
        fmt = VIDEO.check(media, platform=PLATFORM)
        files = {"video": (upload_name(media, fmt), media.data, "video/mp4")}
        data = self._api("POST", "/api/douyin/v1/video/upload_video/", files=files)
        return UploadedMedia(kind, media_id=str(data["video"]["video_id"]))

    @operation(Retry.RECONCILE_ONLY)
    def create_post(self, post: PostRequest) -> CreatedPost:
        """Publish an uploaded video; Douyin reviews it first (visible to its author only)."""
        videos = [m for m in post.media if isinstance(m, UploadedMedia) and m.kind == "video"]
        if len(videos) != 1 or not videos[0].media_id:
            raise InvalidContent(
                "A Douyin post needs exactly one video, uploaded first with upload_media.",
                field="media",
                platform=PLATFORM,
            )
        body = {"video_id": videos[0].media_id, "text": post.text}
        body |= {k: post.extra[k] for k in CREATE_OPTIONS if k in post.extra}
        data = self._api("POST", "/api/douyin/v1/video/create_video/", json_body=body)
        item_id = str(data["item_id"])
        return CreatedPost(self.platform, PostState.SUBMITTED, post.delivery, post_id=item_id)

    def _items(self, item_ids: list[str]) -> list[dict[str, Any]]:
        data = self._api(
            "POST", "/api/douyin/v1/video/video_data/", json_body={"item_ids": item_ids}
        )
        return list(data.get("list") or [])

    @operation(Retry.SAFE)
    def publish_result(self, created: CreatedPost) -> PublishResult:
        row = next((r for r in self._items([created.post_id]) if r.get("item_id")), None)
        if row is None:
            return PublishResult(
                PublishState.REMOVED, created.post_id, reason="Douyin no longer lists the video."
            )
        if not row.get("is_reviewed"):
            return PublishResult(PublishState.PENDING, created.post_id, raw=row)
        url = str(row.get("share_url") or "")
        return PublishResult(
            PublishState.PUBLISHED, created.post_id, (url,) if url else (), raw=row
        )

    @operation(Retry.SAFE)
    def reconcile(
        self,
        post: PostRequest,
        partial: CreatedPost | None = None,
        *,
        attempted_at: datetime | None = None,
    ) -> Reconciliation:
        """By id when known, else the account's newest videos (``video_list``) with this text."""
        if partial is not None and partial.post_id:
            return Reconciliation(ReconcileOutcome.FOUND, partial, self.publish_result(partial))
        since = attempted_at.timestamp() - 60 if attempted_at else 0.0
        cursor = 0
        for _ in range(LIST_PAGES):
            data = self._api(
                "GET", "/api/douyin/v1/video/video_list/", params={"cursor": cursor, "count": 20}
            )
            for row in data.get("list") or []:
                if row.get("title") == post.text and float(row.get("create_time") or 0) >= since:
                    created = CreatedPost(
                        self.platform, PostState.SUBMITTED, post.delivery, post_id=row["item_id"]
                    )
                    return Reconciliation(
                        ReconcileOutcome.FOUND, created, self.publish_result(created)
                    )
            if not data.get("has_more"):
                break
            cursor = int(data.get("cursor") or 0)
        return Reconciliation(
            ReconcileOutcome.NOT_FOUND,
            note="None of the account's newest videos has this text; creating it again is safe.",
        )

    @operation(Retry.SAFE)
    def fetch_post_figures(self, ref: PostRef) -> PostFigures:
        """The last seven days' totals (``/data/external/item/base/``; videos < 30 days old)."""
        data = self._api(
            "GET", "/data/external/item/base/", params={"item_id": ref.post_id, "date_type": 7}
        )
        result = data.get("result") or {}
        metrics = {
            "plays": int(result.get("total_play") or 0),
            "likes": int(result.get("total_like") or 0),
            "comments": int(result.get("total_comment") or 0),
            "shares": int(result.get("total_share") or 0),
        }
        yesterday = datetime.fromtimestamp(self.clock(), UTC).date() - timedelta(days=1)
        return PostFigures(ref.post_id, metrics, yesterday, raw=result)

    # -- comments ---------------------------------------------------------------------------------
    @operation(Retry.SAFE)
    def fetch_comments(
        self, ref: PostRef, *, cursor: str | None = None, count: int = 20
    ) -> CommentPage:
        if not 1 <= count <= COMMENTS_PAGE_MAX:
            raise InvalidContent(
                f"Douyin lists 1 to {COMMENTS_PAGE_MAX} comments at a time.", field="count"
            )
        data = self._api(
            "GET",
            "/video/comment/list/",
            params={"item_id": ref.post_id, "cursor": int(cursor or 0), "count": count},
        )
        comments = tuple(
            Comment(
                comment_id=str(row.get("comment_id")),
                text=str(row.get("content", "")),
                author_id=str(row.get("comment_user_id", "")),
                created_at=datetime.fromtimestamp(int(row.get("create_time") or 0), UTC),
                raw=row,
            )
            for row in data.get("list") or []
        )
        more = bool(data.get("has_more"))
        return CommentPage(comments, str(data.get("cursor")) if more else None)

    @operation(Retry.NEVER)
    def reply_to_comment(self, ref: PostRef, comment_id: str, text: str) -> CommentReply:
        if not text.strip():
            raise InvalidContent("The reply is empty.", field="text", platform=PLATFORM)
        data = self._api(
            "POST",
            "/video/comment/reply/",
            json_body={"item_id": ref.post_id, "comment_id": comment_id, "content": text},
        )
        return CommentReply(comment_id, str(data.get("comment_id") or ""), text)

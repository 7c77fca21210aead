"""A small WeChat Official Account HTTP client: ``stable_token``, the envelope, the error map.

WeChat answers HTTP 200 with ``{"errcode", "errmsg"}`` for every failure, so the mapping from
code to typed error lives here once. The token comes from ``/cgi-bin/stable_token`` (shared by
all workers, unlike ``/cgi-bin/token`` which rotates on every call), is cached in a
:class:`~.tokens.TokenStore` and renewed under the store's lock when a call is rejected with
40001/40014/42001 — then that call is retried once. wechatpy has no stable_token and hard-codes
its host, hence this client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .errors import (
    ConnectorError,
    InvalidContent,
    MediaUnknown,
    NotAuthorised,
    PlatformRejected,
    PlatformUnavailable,
    QuotaReached,
    TokenExpired,
)
from .http import Http, json_of
from .tokens import StoredToken, TokenStore, token_key
from .values import AccountRef

log = logging.getLogger(__name__)  # paths and codes only: URLs carry the access token

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
PLATFORM = "WeChat"
REFRESHABLE = frozenset({40001, 40014, 42001})
UNKNOWN_MEDIA = 40007
CHINA = timezone(timedelta(hours=8))

_MEDIA_TOO_BIG = ("media", "The file is larger than WeChat allows for this kind of media.")
_MENU = ("menu", "The menu breaks WeChat's rules (number of buttons, name, key or link length).")
INVALID: dict[int, tuple[str, str]] = {
    40004: ("media", "WeChat does not take this kind of media."),
    40005: ("media", "WeChat does not take this file type."),
    40006: _MEDIA_TOO_BIG,
    40009: _MEDIA_TOO_BIG,
    40010: _MEDIA_TOO_BIG,
    40011: _MEDIA_TOO_BIG,
    40012: _MEDIA_TOO_BIG,
    45001: _MEDIA_TOO_BIG,
    41005: ("media", "The upload carried no file."),
    40007: ("cover", "WeChat does not know this media id; a cover must be a permanent image."),
    44003: ("text", "The article is empty."),
    45002: ("text", "The article body is longer than WeChat allows."),
    45003: ("title", "The title is longer than WeChat allows."),
    45004: ("digest", "The summary is longer than WeChat allows."),
    45005: ("source_url", "The 'read original' link is longer than WeChat allows."),
    45008: ("text", "The article is longer than WeChat allows."),
    45110: ("author", "The author name is longer than WeChat allows."),
    45166: ("text", "WeChat refused the article content (a link or element it does not allow)."),
    45067: ("idempotency_key", "The mass-send key is longer than 64 bytes."),
    53503: ("text", "The draft did not pass WeChat's publishing check."),
    88007: ("text", "The reply is empty or longer than WeChat allows."),
    61500: ("dates", "WeChat could not read the dates."),
    61501: ("dates", "WeChat refused the date range (too long, or not before today)."),
    **{code: _MENU for code in (*range(40016, 40028), 40054, 40055)},
}
NOT_AUTHORISED: dict[int, str] = {
    48001: "WeChat refuses this for the account: publishing, mass sending, comments and figures "
    "need a verified (企业认证) account, or the account lacks the permission.",
    48003: "The account's administrator has not accepted WeChat's mass-send agreement.",
    48004: "WeChat has blocked this interface for the account because of irregularities.",
    50001: "The account is not authorised for this interface.",
    50002: "WeChat has limited this account.",
    53500: "WeChat has banned publishing for this account.",
    88000: "This article does not have comments enabled (or the account lacks the privilege).",
    40164: "This server's IP address is not in the account's IP whitelist on the WeChat "
    "platform; add it there.",
    61004: "This server's IP address is not registered with WeChat.",
}


def next_china_midnight(now: datetime) -> datetime:
    """When WeChat's daily quotas reset, in UTC."""
    local = now.astimezone(CHINA)
    tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return tomorrow.astimezone(UTC)


def clean(errmsg: str) -> str:
    """The errmsg without the trailing ``rid: …`` (kept in ``raw_message``)."""
    return errmsg.split(" rid:", 1)[0].split(" hint:", 1)[0].strip()


def map_error(code: int, errmsg: str, path: str, now: datetime) -> ConnectorError:
    raw = {"platform": PLATFORM, "raw_code": code, "raw_message": errmsg}
    if code in REFRESHABLE or code == 41001:
        return TokenExpired(
            "WeChat rejected the account's access token even after renewing it.", **raw
        )
    if code == 45009:
        return QuotaReached(
            f"WeChat's daily limit for {path} is used up; it resets at midnight China time.",
            reset_at=next_china_midnight(now),
            **raw,
        )
    if code == 45011:
        reset = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return QuotaReached(
            f"Too many calls to {path} this minute; try again next minute.", reset_at=reset, **raw
        )
    if code == 45028:
        return QuotaReached(
            "No mass sends left: a subscription account may mass-send once a day, a service "
            "account four times a month. Publish (发布) instead, or wait.",
            **raw,
        )
    if code == 48006:
        return QuotaReached("The monthly allowance of quota resets is used up.", **raw)
    if code in NOT_AUTHORISED:
        return NotAuthorised(NOT_AUTHORISED[code], **raw)
    if code == -1:
        return PlatformUnavailable(
            "WeChat reported a system error; it may or may not have acted on the request.",
            may_have_reached=True,
            **raw,
        )
    if code == 45066:
        return PlatformUnavailable(
            "WeChat accepted a mass send with this key moments ago; wait a minute and retry "
            "with the same key to learn its id (it will not be sent twice).",
            may_have_reached=True,
            **raw,
        )
    if code in INVALID:
        field, message = INVALID[code]
        kind = MediaUnknown if code == UNKNOWN_MEDIA else InvalidContent
        return kind(message, field=field, **raw)
    return PlatformRejected(f"WeChat refused {path}: {clean(errmsg)} ({code}).", **raw)


def errcode(body: Any) -> int:
    if isinstance(body, Mapping):
        try:
            return int(body.get("errcode") or 0)
        except (TypeError, ValueError):
            return -1
    return 0


class WeChatApi:
    def __init__(
        self,
        ref: AccountRef,
        *,
        http: Http,
        store: TokenStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ref = ref
        self.http = http
        self.store = store
        self.clock = clock
        self.key = token_key("wechat", ref.base_url or DEFAULT_BASE_URL, ref.app_id)
        self._held: StoredToken | None = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- tokens -----------------------------------------------------------------------------
    def _fetch(self, force: bool) -> StoredToken:
        secret = self.ref.secret("app_secret")
        path = "/cgi-bin/stable_token"
        body = json_of(
            self.http.send(
                "POST",
                path,
                json_body={
                    "grant_type": "client_credential",
                    "appid": self.ref.app_id,
                    "secret": secret,
                    "force_refresh": force,
                },
            ),
            PLATFORM,
            path,
        )
        code = errcode(body)
        if code in (40001, 40002, 40013, 40125):
            raise NotAuthorised(
                "WeChat rejected the app id or app secret; check them in the credentials vault.",
                platform=PLATFORM,
                raw_code=code,
                raw_message=str(body.get("errmsg", "")),
            )
        if code:
            raise map_error(code, str(body.get("errmsg", "")), path, self.now())
        value = str(body.get("access_token") or "")
        if not value:
            raise PlatformRejected(
                "WeChat answered stable_token without a token.", platform=PLATFORM
            )
        ttl = float(body.get("expires_in") or 7200)
        token = StoredToken(access_token=value, expires_at=self.clock() + ttl)
        self.store.put(self.key, token)
        return token

    def token(self, *, refetch: bool = False) -> StoredToken:
        """A fresh token from the store, fetched under the lock when missing, ageing (the last
        five minutes, when WeChat already hands out the next one) or ``refetch`` is asked.
        Never a forced refresh: those are limited to 20 a day."""
        held = self._held
        if held is not None and held.fresh(self.clock()) and not refetch:
            return held  # this connector (one job's worth of calls) already read it
        current = self.store.get(self.key)
        if current is not None and current.fresh(self.clock()) and not refetch:
            self._held = current
            return current
        with self.store.lock(self.key):
            current = self.store.get(self.key)
            if current is None or not current.fresh(self.clock()) or refetch:
                current = self._fetch(force=False)
            self._held = current
            return current

    def _renew(self, rejected: str) -> str:
        """A token other than ``rejected``: another thread's renewal, a new stable token, or —
        when WeChat keeps handing back the rejected one — a forced refresh."""
        self._held = None
        with self.store.lock(self.key):
            current = self.store.get(self.key)
            if current is not None and current.access_token != rejected:
                self._held = current
                return current.access_token
            self.store.discard(self.key)
            token = self._fetch(force=False)
            if token.access_token == rejected:
                token = self._fetch(force=True)
            self._held = token
            return token.access_token

    # -- calls ------------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        accept: frozenset[int] = frozenset(),
    ) -> dict[str, Any]:
        """One business call; errcodes in ``accept`` are returned instead of raised."""
        token = self.token().access_token
        body = self._send(method, path, token, json_body, params, files, data)
        if errcode(body) in REFRESHABLE:
            log.info(
                "WeChat %s rejected the token of %s (%s); renewing",
                path,
                self.ref.app_id,
                errcode(body),
            )
            token = self._renew(token)
            body = self._send(method, path, token, json_body, params, files, data)
        code = errcode(body)
        if code and code not in accept:
            log.warning("WeChat %s for %s answered errcode %s", path, self.ref.app_id, code)
            raise map_error(code, str(body.get("errmsg", "")), path, self.now())
        return body

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        json_body: Any,
        params: Mapping[str, Any] | None,
        files: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        response = self.http.send(
            method,
            path,
            params={**(params or {}), "access_token": token},
            json_body=json_body,
            files=files,
            data=data,
        )
        body = json_of(response, PLATFORM, path)
        if not isinstance(body, dict):
            raise PlatformRejected(f"WeChat answered {path} with an unexpected shape.")
        return body

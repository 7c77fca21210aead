"""What a Weibo handler receives: the request, the clock reading and the authenticated user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..http import Request
from .state import Token, WeiboError, WeiboState

HOURLY_CALLS = 1000  # per user and app, all endpoints (10023)


@dataclass
class WCtx:
    request: Request
    state: WeiboState
    config: Any
    now: float

    def token(self) -> Token:
        """The caller's token, from ``access_token`` or ``Authorization: OAuth2 …``."""
        value = self.request.param("access_token") or ""
        auth = self.request.headers.get("authorization", "")
        if not value and auth.lower().startswith("oauth2 "):
            value = auth[7:].strip()
        if not value:
            raise WeiboError(21301, status=403)
        token = self.state.tokens.get(value)
        if token is None:
            raise WeiboError(21332, status=403)
        if self.now >= token.expires_at:
            raise WeiboError(21327, status=403)
        self.count(token.uid, "*", HOURLY_CALLS, 10023)
        return token

    def count(self, uid: int, bucket: str, limit: int, code: int, api: str = "") -> None:
        """Hourly per-user buckets; over the limit is HTTP 403 with 10023/10024."""
        key = (uid, bucket, int(self.now // 3600))
        used = self.state.hourly.get(key, 0)
        if used >= limit:
            raise WeiboError(code, *([api] if api else []), status=403)
        self.state.hourly[key] = used + 1

    def required(self, name: str) -> str:
        value = self.request.param(name)
        if value is None or value == "":
            raise WeiboError(10016, name)
        return value

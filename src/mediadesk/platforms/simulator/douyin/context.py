"""What a Douyin handler receives, and the ``access-token`` header check business calls share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..http import BodyError, Request
from .state import DouyinError, DouyinState, Token


@dataclass
class DCtx:
    request: Request
    state: DouyinState
    config: Any
    now: float

    def param(self, name: str) -> str:
        return self.request.param(name) or ""

    def user(self, scope: str) -> Token:
        """The caller's user token (header ``access-token``) for ``open_id``, with ``scope``."""
        value = self.request.headers.get("access-token", "")
        token = self.state.access.get(value)
        if token is None:
            raise DouyinError(2190002)
        if self.now >= token.expires_at:
            raise DouyinError(2190008)
        open_id = self.request.query.get("open_id", "")
        if not open_id:
            raise DouyinError(2100005, "缺少参数 open_id")
        if open_id != token.grant.open_id:
            raise DouyinError(2190015)
        if scope not in token.grant.scopes:
            raise DouyinError(2190004, f"应用未获得该能力: {scope}")
        return token

    def body(self) -> dict[str, Any]:
        try:
            data = self.request.json()
        except BodyError as exc:
            raise DouyinError(2100005, "请求体不是合法的JSON") from exc
        if not isinstance(data, dict):
            raise DouyinError(2100005, "请求体不是合法的JSON")
        return data

    def int_param(self, name: str, default: int) -> int:
        raw = self.param(name)
        if not raw:
            return default
        if not raw.lstrip("-").isdigit():
            raise DouyinError(2100005, f"{name} 必须是数字")
        return int(raw)

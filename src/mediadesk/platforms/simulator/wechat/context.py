"""What a WeChat endpoint handler receives, and the small parsing helpers they all need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..http import BodyError, Request
from .account import Account
from .errors import WeChatError

if TYPE_CHECKING:
    from .platform import WeChatPlatform


@dataclass
class Ctx:
    request: Request
    platform: WeChatPlatform
    now: float
    account_: Account | None = None

    @property
    def account(self) -> Account:
        assert self.account_ is not None, "route declared auth=False but used the account"
        return self.account_

    @property
    def config(self) -> Any:
        return self.platform.config

    def body(self) -> dict[str, Any]:
        """The JSON object body: 44002 when empty, 47001 when not a JSON object."""
        try:
            data = self.request.json()
        except BodyError as exc:
            raise WeChatError(44002 if exc.reason == "empty" else 47001) from exc
        if not isinstance(data, dict):
            raise WeChatError(47001)
        return data


def as_int(value: Any, code: int = 47001, what: str = "value") -> int:
    """WeChat accepts numbers and numeric strings alike; anything else is a format error."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise WeChatError(code, f"{what} must be a number")


def as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        raise WeChatError(47001)
    return str(value)

"""Douyin's in-memory state and error type.

OAuth endpoints answer ``{"data": {..., "error_code", "description"}, "message"}``; business
endpoints ``{"data": {..., "error_code", "description"}, "extra": {"error_code", "logid", …}}``,
HTTP 200 either way. Code numbers follow platform-apis.md §4 (several are [unverified] there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import DouyinApp

OAUTH_ERRORS = {
    10002: "参数错误",
    10003: "client_key错误",
    10004: "权限不足",
    10005: "缺少参数",
    10007: "授权码过期或无效",
    10008: "access_token过期",
    10010: "refresh_token过期",
    10013: "client_secret错误",
    10020: "超过刷新次数限制",
}
API_ERRORS = {
    2100004: "系统繁忙，请稍后重试",
    2100005: "参数不合法",
    2190002: "access_token无效",
    2190004: "应用未获得该能力",
    2190008: "access_token过期,请刷新或重新授权",
    2190015: "请求参数access_token与open_id不匹配",
}


class DouyinError(Exception):
    def __init__(self, code: int, description: str = "") -> None:
        self.code = code
        self.description = description or OAUTH_ERRORS.get(code) or API_ERRORS.get(code, "error")
        super().__init__(f"{code} {self.description}")


@dataclass
class Grant:
    """One user's authorisation of an app: the codes, tokens and renewals hang off it."""

    client_key: str
    open_id: str
    scopes: list[str]
    renewals: int = 0


@dataclass
class Code:
    code: str
    grant: Grant
    created_at: float
    used: bool = False


@dataclass
class Token:
    value: str
    grant: Grant
    expires_at: float


@dataclass
class Video:
    video_id: str
    open_id: str
    size: int
    created_at: float
    used: bool = False


@dataclass
class Item:
    item_id: str
    open_id: str
    client_key: str
    video_id: str
    text: str
    created_at: float
    reviewed_at: float
    cover_tsp: float = 0.0


@dataclass
class Comment:
    comment_id: str
    item_id: str
    user_id: str
    content: str
    create_time: int
    parent_id: str | None = None
    top: bool = False
    digg_count: int = 0


@dataclass
class DouyinState:
    apps: dict[str, DouyinApp]
    codes: dict[str, Code] = field(default_factory=dict)
    access: dict[str, Token] = field(default_factory=dict)
    refresh: dict[str, Token] = field(default_factory=dict)
    client_tokens: dict[str, Token] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    comments_seeded: set[str] = field(default_factory=set)

"""Weibo's in-memory state, the error type and the shapes of users, statuses and comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..clock import china_datetime
from ..config import WeiboApp
from ..ids import seeded

ERRORS: dict[int, str] = {
    10006: "source paramter(appkey) is missing",
    10008: "param error, see doc for more info",
    10014: "Insufficient app permissions!",
    10016: "Miss required parameter ({}) , see doc for more info.",
    10017: "Parameter ({})'s value invalid, see doc for more info.",
    10022: "IP requests out of rate limit!",
    10023: "User requests out of rate limit!",
    10024: "User requests for ({}) out of rate limit!",
    20005: "Unsupported image type, only suport JPG, GIF, PNG!",
    20006: "Image size too large.",
    20012: "Text too long, please input text less than 140 characters!",
    20019: "Repeat content!",
    20101: "Target weibo does not exist!",
    20201: "Target weibo comment does not exist!",
    20206: "Not allowed to delete this comment!",
    21301: "auth faild!",
    21327: "expired_token",
    21332: "invalid_access_token",
}
OAUTH_ERRORS: dict[int, str] = {
    21322: "redirect_uri_mismatch",
    21323: "invalid_request",
    21324: "invalid_client",
    21325: "invalid_grant",
    21327: "expired_token",
    21328: "unsupported_grant_type",
    21329: "unsupported_response_type",
    21332: "invalid_access_token",
}


class WeiboError(Exception):
    """An API error: HTTP ``status`` with ``{"request","error_code","error"}``."""

    def __init__(
        self, code: int, *args: str, status: int = 400, oauth: bool = False, description: str = ""
    ) -> None:
        self.code, self.status, self.oauth, self.description = code, status, oauth, description
        if oauth:
            self.text = OAUTH_ERRORS.get(code, "invalid_request")
        else:
            self.text = (
                ERRORS.get(code, "error").format(*args) if args else ERRORS.get(code, "error")
            )
        super().__init__(f"{code} {self.text}")


@dataclass
class Code:
    code: str
    app_key: str
    uid: int
    redirect_uri: str
    created_at: float
    used: bool = False


@dataclass
class Token:
    value: str
    app_key: str
    uid: int
    created_at: float
    expires_at: float


@dataclass
class Status:
    id: int
    uid: int
    app_key: str
    text: str
    created_at: float
    pic: dict[str, str] | None = None
    deleted: bool = False


@dataclass
class Comment:
    id: int
    status_id: int
    uid: int
    text: str
    created_at: float
    reply_to: int | None = None
    app_key: str | None = None
    deleted: bool = False


@dataclass
class WeiboState:
    apps: dict[str, WeiboApp]
    codes: dict[str, Code] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    statuses: dict[int, Status] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    hourly: dict[tuple[int, str, int], int] = field(default_factory=dict)


NAMES = (
    "城市观察者",
    "爱旅行的猫",
    "数据小王子",
    "清风徐来",
    "早起的阿木",
    "江南小满",
    "科技前沿君",
    "一只柠檬精",
)


def created_at(ts: float) -> str:
    """Weibo's RFC-822-ish timestamps: ``Wed Oct 24 23:49:17 +0800 2012``."""
    return china_datetime(ts).strftime("%a %b %d %H:%M:%S +0800 %Y")


def default_uid(app_key: str) -> int:
    return 5_000_000_000 + seeded("weibo-uid", app_key).randint(0, 999_999_999)


def user(uid: int) -> dict[str, Any]:
    rng = seeded("weibo-user", uid)
    name = f"{rng.choice(NAMES)}{uid % 1000:03d}"
    return {
        "id": uid,
        "idstr": str(uid),
        "screen_name": name,
        "name": name,
        "province": "11",
        "city": "1000",
        "location": "北京",
        "description": "",
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop.0.0.180.180.50/{uid:x}.jpg",
        "gender": rng.choice("mf"),
        "followers_count": rng.randint(50, 200_000),
        "friends_count": rng.randint(10, 2000),
        "statuses_count": rng.randint(10, 20_000),
        "verified": False,
    }

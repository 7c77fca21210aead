"""WeChat's error envelope: HTTP 200 with ``errcode`` and an English ``errmsg`` ending in a rid.

Texts follow the official global error-code table (platform-apis.md §1.14) so that clients
matching on prefixes, like wechatpy, behave as they do against WeChat.
"""

from __future__ import annotations

import secrets
from typing import Any

ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid meida size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40010: "invalid voice size",
    40011: "invalid video size",
    40012: "invalid thumb size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40054: "invalid sub button url domain",
    40055: "invalid button url domain",
    40097: "invalid args",
    40125: "invalid appsecret",
    40164: "invalid ip, not in whitelist",
    41001: "access_token missing",
    41005: "media data missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    44002: "empty post data",
    44003: "empty news data",
    45001: "media size out of limit",
    45002: "content size out of limit",
    45003: "title size out of limit",
    45004: "description size out of limit",
    45005: "url size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    45028: "has no masssend quota",
    45056: "too many tags",
    45059: "user has too many tags",
    45065: "clientmsgid exist",
    45066: "clientmsgid retry too fast",
    45067: "clientmsgid size out of limit",
    45110: "author size out of limit",
    45157: "invalid tag name, tag name already exists",
    45158: "tag name too long",
    45159: "invalid tag id",
    45166: "invalid content",
    46001: "media data no exist",
    46003: "menu no exist",
    46004: "user no exist",
    47001: "data format error",
    48001: "api unauthorized",
    48005: "forbid to delete material used by auto-reply or menu",
    48006: "forbid to clear quota because of reaching the limit",
    53501: "publish too frequently",
    53502: "invalid publish_id",
    53503: "draft is not eligible for publishing",
    53600: "invalid article_id",
    61500: "date format error",
    61501: "date range error",
    65301: "menuid not exist",
    65303: "there is no selfmenu, please create selfmenu first",
    65304: "match rule empty",
    76001: "rid not found",
    76002: "rid is error",
    76003: "rid is not belong to this appid",
    76021: "cgi_path not found, please check",
    88000: "without comment privilege",
    88001: "msg_data is not exists",
    88002: "the article is limit for safety",
    88003: "elected comment upper limit",
    88004: "comment was deleted by user",
    88005: "already reply",
    88007: "reply content beyond max len or content len is zero",
    88008: "comment is not exists",
    88009: "reply is not exists",
    88010: "count range error. cout <= 0 or count > 50",
}


class WeChatError(Exception):
    """Raised by handlers; becomes ``{"errcode", "errmsg": "... rid: …"}`` plus ``extra``."""

    def __init__(self, code: int, detail: str | None = None, **extra: Any) -> None:
        self.code = code
        self.detail = detail
        self.extra = extra
        super().__init__(f"{code} {self.message}")

    @property
    def message(self) -> str:
        base = ERRMSG.get(self.code, "unknown error")
        # WeChat puts an opaque hint before the rid; ours says in words what was wrong.
        return f"{base} hint: [{self.detail}]" if self.detail else base


def new_rid(now: float) -> str:
    """A request id shaped like WeChat's: three groups of eight hex digits."""
    return f"{int(now) & 0xFFFFFFFF:08x}-{secrets.randbits(32):08x}-{secrets.randbits(32):08x}"

"""Weibo's rules for a post and its error codes (platform-apis.md §3).

Checked before sending: at most 140 characters as Weibo counts them, a link inside the app's
registered safe domain (安全域名), a picture JPEG/PNG/GIF under 5 MB. Errors come back with
HTTP 4xx and ``{"request", "error_code", "error"}`` (the code a string or a number).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from .errors import (
    ConnectorError,
    InvalidContent,
    NotAuthorised,
    PlatformRejected,
    PlatformUnavailable,
    QuotaReached,
    TokenExpired,
)
from .media import MB, MediaRule

DEFAULT_BASE_URL = "https://api.weibo.com"
PLATFORM = "Weibo"
TEXT_MAX = 140
URL_WEIGHT = 10  # Weibo shortens every link to t.cn and counts it as ten characters
PICTURE = MediaRule("a Weibo picture", frozenset({"jpg", "gif", "png"}), 5 * MB, inclusive=False)
URL = re.compile(r"https?://[^\s\u3000-\u303f\uff00-\uffef]+")
TOPIC = re.compile(r"#[^#\s]+#")
PARAM = re.compile(r"\(([a-z_]+)\)")
TOKEN_CODES = frozenset({21301, 21314, 21315, 21316, 21317, 21327, 21332})
RATE_CODES = frozenset({10022, 10023, 10024})
BUSY_CODES = frozenset({10001, 10002, 10003, 10009, 10011})  # system error, busy, RPC
REFUSED_CODES = frozenset({10004, 10005, 10014, 21324, 21326, 21330})  # IP, permission, client
FIELDS = {"status": "text", "comment": "text", "pic": "media", "rip": "rip"}


def weibo_length(text: str) -> int:
    """Characters as Weibo counts them: CJK one, ASCII half, each link ten."""
    links = URL.findall(text)
    rest = URL.sub("", text)
    ascii_count = sum(1 for c in rest if ord(c) < 128)
    return math.ceil(len(rest) - ascii_count + ascii_count / 2 + URL_WEIGHT * len(links))


def invalid(message: str, field: str) -> InvalidContent:
    return InvalidContent(message, field=field, platform=PLATFORM)


def check_text(text: str) -> None:
    if not text.strip():
        raise invalid("The text is empty.", "text")
    length = weibo_length(text)
    if length > TEXT_MAX:
        raise invalid(
            f"The text counts {length} characters as Weibo counts them (a link is ten, two "
            f"Latin letters one); Weibo allows {TEXT_MAX}.",
            "text",
        )


def check_links(text: str, domains: Iterable[str] | str) -> None:
    """At least one link into the safe domains (any link at all when they are not known)."""
    if isinstance(domains, str):
        domains = [d.strip() for d in domains.split(",") if d.strip()]
    domains = list(domains)
    hosts = [(urlsplit(u).hostname or "").lower() for u in URL.findall(text)]
    ok = any(h == d or h.endswith("." + d) for h in hosts for d in domains) if domains else hosts
    if not ok:
        where = ", ".join(domains) if domains else "the app's registered safe domain"
        raise invalid(
            f"Weibo only publishes posts that link to {where} (安全域名); add such a link.", "text"
        )


def map_error(status: int, body: Any, now: datetime) -> ConnectorError:
    body = body if isinstance(body, dict) else {}
    try:
        code = int(body.get("error_code") or 0)
    except (TypeError, ValueError):
        code = 0
    text = str(body.get("error") or body.get("error_description") or f"HTTP {status}")
    raw: dict[str, Any] = {"platform": PLATFORM, "raw_code": code or status, "raw_message": text}
    if code in TOKEN_CODES:
        return TokenExpired(
            "Weibo no longer accepts this account's authorisation; the account owner must "
            "authorise the app again (Weibo gives no refresh token).",
            **raw,
        )
    if code in RATE_CODES:
        reset = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return QuotaReached(
            "Weibo's hourly limit for this account or server is used up; try after the hour.",
            reset_at=reset,
            **raw,
        )
    if code in REFUSED_CODES:
        return NotAuthorised(f"Weibo refuses this for the app or account: {text}", **raw)
    if code in (20012, 20013):
        return InvalidContent("The text is longer than Weibo allows.", field="text", **raw)
    if code == 20019:
        return InvalidContent(
            "Weibo already has a post with exactly this text from the last 24 hours.",
            field="text",
            **raw,
        )
    if code in (20005, 20006):
        return InvalidContent("Weibo refused the picture (type or size).", field="media", **raw)
    if code in (10016, 10017):
        match = PARAM.search(text)
        field = FIELDS.get(match.group(1), match.group(1)) if match else ""
        return InvalidContent(f"Weibo refused the request: {text}", field=field, **raw)
    if code in BUSY_CODES or status >= 500:
        return PlatformUnavailable(
            f"Weibo is unavailable ({text}); it may or may not have acted on the request.",
            may_have_reached=True,
            **raw,
        )
    return PlatformRejected(f"Weibo refused the request: {text} ({code or status}).", **raw)


def when(value: Any) -> datetime | None:
    """Weibo's ``Wed Oct 24 23:49:17 +0800 2012`` as an aware UTC datetime."""
    try:
        return datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        return None

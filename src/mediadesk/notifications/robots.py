"""Group-chat robots: address checks, message formats, signing and one HTTP post.

* WeCom 企业微信群机器人: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` with
  ``{"msgtype": "text", "text": {"content", "mentioned_mobile_list"}}``; text at most 2048
  bytes; answer ``{"errcode": 0, "errmsg": "ok"}``; 20 messages a minute per robot (45009).
* DingTalk 钉钉自定义机器人: ``POST https://oapi.dingtalk.com/robot/send?access_token=…`` with
  ``{"msgtype": "text", "text": {"content"}, "at": {"atMobiles"}}``; with 加签 the query also
  carries ``timestamp`` (ms) and ``sign`` = URL-encoded base64 of HMAC-SHA256 keyed with the
  secret over ``"{timestamp}\\n{secret}"``; answer ``{"errcode": 0, …}``; 20 a minute, then
  throttled for 10 minutes (130101).
* Feishu 飞书自定义机器人: ``POST https://open.feishu.cn/open-apis/bot/v2/hook/…`` with
  ``{"msg_type": "text", "content": {"text"}}``; with 签名校验 the body also carries
  ``timestamp`` (s) and ``sign`` = base64 of HMAC-SHA256 keyed with ``"{timestamp}\\n{secret}"``
  over an empty message; answer ``{"code": 0, "msg": "success"}``; 100 a minute (11232).

The address and the secret never appear in an exception, a log line or a return value: every
error names the platform's code and message, or the kind of network failure, and nothing else.
Tests inject an ``httpx`` transport with :func:`using_transport`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from django.utils.translation import gettext as _

from mediadesk.core.errors import ValidationFailed
from mediadesk.notifications.models import RobotPlatform

TIMEOUT = httpx.Timeout(5.0, connect=3.0)
MAX_URL_LENGTH = 500
MAX_SECRET_LENGTH = 200
WECOM_MAX_TEXT_BYTES = 2048
MAX_TEXT_CHARS = 3000  # DingTalk and Feishu take more, but a group message should be short

# Where each platform's webhooks live. Only these hosts are accepted, so a robot address can
# never make the server post to an internal address.
HOSTS: dict[str, tuple[str, ...]] = {
    RobotPlatform.WECOM: ("qyapi.weixin.qq.com",),
    RobotPlatform.DINGTALK: ("oapi.dingtalk.com",),
    RobotPlatform.FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}

# Error codes that mean "too many messages, wait": retried after this many seconds.
RATE_LIMITED: dict[str, dict[int, float]] = {
    RobotPlatform.WECOM: {45009: 60.0},
    RobotPlatform.DINGTALK: {130101: 600.0},
    RobotPlatform.FEISHU: {11232: 60.0},
}


class RobotError(Exception):
    """The post did not reach the group. ``retryable`` failures are tried again later."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class RobotMessage:
    text: str
    mobiles: list[str] = field(default_factory=list)


# -- addresses ----------------------------------------------------------------------------


def _key_of(platform: str, parts: urllib.parse.SplitResult) -> str:
    query = urllib.parse.parse_qs(parts.query)
    if platform == RobotPlatform.WECOM:
        return (query.get("key") or [""])[0] if parts.path == "/cgi-bin/webhook/send" else ""
    if platform == RobotPlatform.DINGTALK:
        return (query.get("access_token") or [""])[0] if parts.path == "/robot/send" else ""
    prefix = "/open-apis/bot/v2/hook/"
    return parts.path[len(prefix) :].strip("/") if parts.path.startswith(prefix) else ""


def clean_webhook_url(platform: str, url: str) -> str:
    """The address as given, if it is the platform's robot webhook with a key; else an error
    that does not repeat the address."""
    url = (url or "").strip()
    if not url:
        raise ValidationFailed(
            _("The webhook address is required."), fields={"webhook_url": _("required")}
        )
    if len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise ValidationFailed(
            _("This is not a webhook address."), fields={"webhook_url": _("invalid")}
        )
    parts = urllib.parse.urlsplit(url)
    hosts = HOSTS.get(platform, ())
    if parts.scheme != "https" or (parts.hostname or "") not in hosts or parts.port:
        raise ValidationFailed(
            _("A %(platform)s robot's address starts with https://%(host)s/.")
            % {"platform": RobotPlatform(platform).label, "host": hosts[0] if hosts else "?"},
            fields={"webhook_url": _("wrong address")},
        )
    if not _key_of(platform, parts):
        raise ValidationFailed(
            _("The address lacks the robot's key; copy the whole webhook address."),
            fields={"webhook_url": _("incomplete")},
        )
    return url


def url_hint(platform: str, url: str) -> str:
    """``qyapi.weixin.qq.com …5aaa``: enough to tell robots apart, useless to an attacker."""
    parts = urllib.parse.urlsplit(url)
    key = _key_of(platform, parts)
    return f"{parts.hostname} …{key[-4:]}" if len(key) >= 8 else f"{parts.hostname} …"


def clean_secret(platform: str, secret: str) -> str:
    secret = (secret or "").strip()
    if not secret:
        return ""
    if platform == RobotPlatform.WECOM:
        raise ValidationFailed(
            _("WeCom group robots have no signing secret."), fields={"secret": _("not used")}
        )
    if len(secret) > MAX_SECRET_LENGTH or any(c.isspace() for c in secret):
        raise ValidationFailed(_("This is not a signing secret."), fields={"secret": _("invalid")})
    if platform == RobotPlatform.DINGTALK and not secret.startswith("SEC"):
        raise ValidationFailed(
            _("A DingTalk signing secret (加签) starts with SEC."), fields={"secret": _("invalid")}
        )
    return secret


# -- signing and request bodies -----------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Base64 HMAC-SHA256 (key: the secret) of ``"{timestamp}\\n{secret}"``; not URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Base64 HMAC-SHA256 keyed with ``"{timestamp}\\n{secret}"`` over an empty message."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _fit_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def build_request(
    platform: str, url: str, secret: str, message: RobotMessage, *, now: float | None = None
) -> tuple[str, dict]:
    """The address to post to (with DingTalk's signature) and the JSON body."""
    now = time.time() if now is None else now
    text = message.text[:MAX_TEXT_CHARS]
    mobiles = list(dict.fromkeys(message.mobiles))
    if platform == RobotPlatform.WECOM:
        body: dict = {
            "msgtype": "text",
            "text": {"content": _fit_bytes(text, WECOM_MAX_TEXT_BYTES)},
        }
        if mobiles:
            body["text"]["mentioned_mobile_list"] = mobiles
        return url, body
    if platform == RobotPlatform.DINGTALK:
        if mobiles:  # DingTalk highlights a mention only when the text names the number too
            text = f"{text}\n" + " ".join(f"@{m}" for m in mobiles)
        body = {
            "msgtype": "text",
            "text": {"content": text},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }
        if secret:
            timestamp = int(now * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp))
            url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
        return url, body
    if platform == RobotPlatform.FEISHU:
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return url, body
    raise ValueError(f"unknown robot platform {platform!r}")


# -- sending ------------------------------------------------------------------------------

_transport: httpx.BaseTransport | None = None


@contextlib.contextmanager
def using_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Send every robot post through ``transport`` (tests: ``httpx.MockTransport``)."""
    global _transport
    previous, _transport = _transport, transport
    try:
        yield
    finally:
        _transport = previous


def _retry_after_header(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _platform_answer(platform: str, response: httpx.Response) -> None:
    """Raise unless the platform said ``errcode``/``code`` 0."""
    if response.status_code == 429:
        raise RobotError(
            _("The platform refused: too many messages (HTTP 429)."),
            retry_after=_retry_after_header(response) or 60.0,
        )
    if response.status_code >= 500:
        raise RobotError(_("The platform failed (HTTP %(s)d).") % {"s": response.status_code})
    try:
        answer = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        answer = None
    if not isinstance(answer, dict):
        raise RobotError(
            _("The platform gave no readable answer (HTTP %(s)d).") % {"s": response.status_code},
            retryable=response.status_code < 400,
        )
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode")))
    if code == 0 and response.status_code < 400:
        return
    if code is None:
        raise RobotError(
            _("The platform gave no result code (HTTP %(s)d).") % {"s": response.status_code},
            retryable=response.status_code < 400,
        )
    text = str(answer.get("errmsg") or answer.get("msg") or "")[:300]
    raise RobotError(
        _("The platform answered with error %(code)s: %(text)s") % {"code": code, "text": text},
        retry_after=RATE_LIMITED.get(platform, {}).get(int(code) if str(code).isdigit() else -1),
    )


def post(platform: str, url: str, secret: str, message: RobotMessage) -> None:
    """Post one message; raise :class:`RobotError` (without the address) when it failed."""
    target, body = build_request(platform, url, secret, message)
    try:
        with httpx.Client(transport=_transport, timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(target, json=body)
    except httpx.TimeoutException:
        raise RobotError(_("The platform did not answer in time.")) from None
    except httpx.TransportError as exc:
        # The exception text can carry the address; only its kind is kept.
        raise RobotError(
            _("Could not reach the platform (%(kind)s).") % {"kind": type(exc).__name__}
        ) from None
    _platform_answer(platform, response)

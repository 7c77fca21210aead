"""Simulator settings: which apps exist, where pushes go, how slow publishing is.

The same keys are accepted from the command line (``--app``), a TOML/JSON file (``app = [...]``)
and Python (``SimulatorConfig(...)``), so secrets can live in a file instead of ``ps`` output.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOUYIN_SCOPES = (
    "user_info",
    "video.create.bind",
    "video.list.bind",
    "video.data.bind",
    "data.external.item",
    "video.comment",
)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass
class CallbackConfig:
    """Where WeChat pushes go: the URL, the token used to sign and the optional AES key."""

    url: str
    token: str = ""
    aes_key: str | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"callback URL must start with http:// or https://: {self.url!r}")
        if self.aes_key is not None and len(self.aes_key) != 43:
            raise ConfigError("aes_key (EncodingAESKey) must be exactly 43 characters")


@dataclass
class WeChatApp:
    """An Official Account; a verified service account unless told otherwise."""

    appid: str
    secret: str
    verified: bool = True
    account_type: str = "service"  # "service" (服务号) or "subscription" (订阅号)
    name: str = ""
    original_id: str = ""  # gh_… ; derived from the appid when empty
    followers: int | None = None  # None: a deterministic figure derived from the appid
    ip_whitelist: list[str] | None = None  # None: any caller may fetch tokens
    callback: CallbackConfig | None = None  # overrides the simulator-wide callback

    def __post_init__(self) -> None:
        if self.account_type not in ("service", "subscription"):
            raise ConfigError(f"account_type must be service or subscription: {self.appid}")


@dataclass
class WeiboApp:
    key: str
    secret: str
    safe_domains: list[str] = field(default_factory=lambda: ["example.com"])
    redirect_uri: str | None = None  # the registered callback; None accepts any
    name: str = "mediadesk"


@dataclass
class DouyinApp:
    key: str
    secret: str
    scopes: list[str] = field(default_factory=lambda: list(DOUYIN_SCOPES))


@dataclass
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8001
    threads: int = 16
    publish_delay: float = 2.0  # seconds until publish / mass-send jobs finish
    apps: list[WeChatApp] = field(default_factory=list)
    weibo_apps: list[WeiboApp] = field(default_factory=list)
    douyin_apps: list[DouyinApp] = field(default_factory=list)
    callback: CallbackConfig | None = None
    quotas: dict[str, int] = field(default_factory=dict)  # cgi path -> daily limit
    mass_retry_interval: float = 60.0  # same clientmsgid sooner than this -> 45066
    publish_event: str = "PUBLISHJOBFINISH"  # or FREEPUBLISHJOBFINISH, to test parsers
    callback_timeout: float = 5.0
    callback_retries: int = 3
    request_log_limit: int = 50_000
    weibo_token_ttl: int = 30 * 86400
    douyin_review_delay: float | None = None  # None: same as publish_delay

    def callback_for(self, app: WeChatApp) -> CallbackConfig | None:
        return app.callback or self.callback


# -- building a config from loose settings (CLI flags and files) ----------------------------


def load_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML (``.toml``) or JSON file of settings."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror}") from exc
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {p} is not valid {p.suffix or 'TOML'}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {p} must hold a table/object at the top level")
    return data


def _pair(text: str, what: str) -> tuple[str, str, str]:
    first, sep, rest = text.partition(":")
    if not sep or not first or not rest:
        raise ConfigError(f"{what} must look like ID:SECRET, got {text!r}")
    secret, _, extra = rest.partition(":")
    return first, secret, extra


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _callback(value: Any, token: str | None, aes_key: str | None) -> CallbackConfig | None:
    if value is None:
        return None
    if isinstance(value, str):
        return CallbackConfig(url=value, token=token or "", aes_key=aes_key or None)
    if isinstance(value, dict):
        return CallbackConfig(
            url=str(value["url"]),
            token=str(value.get("token", token or "")),
            aes_key=value.get("aes_key", aes_key) or None,
        )
    raise ConfigError("callback must be a URL or a table with url/token/aes_key")


def _wechat_app(item: Any) -> WeChatApp:
    if isinstance(item, str):
        appid, secret, _ = _pair(item, "--app")
        return WeChatApp(appid=appid, secret=secret)
    if isinstance(item, dict):
        item = dict(item)
        cb = item.pop("callback", None)
        known = set(WeChatApp.__dataclass_fields__)
        unknown = set(item) - known
        if unknown:
            raise ConfigError(f"unknown keys for an app: {', '.join(sorted(unknown))}")
        app = WeChatApp(**item)
        app.callback = _callback(cb, None, None)
        return app
    raise ConfigError(f"an app must be APPID:SECRET or a table, got {item!r}")


def _weibo_app(item: Any) -> WeiboApp:
    if isinstance(item, str):
        key, secret, domains = _pair(item, "--weibo-app")
        app = WeiboApp(key=key, secret=secret)
        if domains:
            app.safe_domains = [d for d in domains.split(",") if d]
        return app
    if isinstance(item, dict):
        return WeiboApp(**item)
    raise ConfigError(f"a Weibo app must be KEY:SECRET[:domain,…] or a table, got {item!r}")


def _douyin_app(item: Any) -> DouyinApp:
    if isinstance(item, str):
        key, secret, _ = _pair(item, "--douyin-app")
        return DouyinApp(key=key, secret=secret)
    if isinstance(item, dict):
        return DouyinApp(**item)
    raise ConfigError(f"a Douyin app must be KEY:SECRET or a table, got {item!r}")


_SCALARS = {
    "host": str,
    "port": int,
    "threads": int,
    "publish_delay": float,
    "mass_retry_interval": float,
    "publish_event": str,
    "callback_timeout": float,
    "callback_retries": int,
    "request_log_limit": int,
    "weibo_token_ttl": int,
    "douyin_review_delay": float,
}
_ALIASES = {"apps": "app", "weibo_apps": "weibo_app", "douyin_apps": "douyin_app"}
_LISTS = {"app", "weibo_app", "douyin_app", "unverified", "subscription"}
_OTHER = {"callback", "callback_token", "aes_key", "quotas"}


def config_from_mapping(data: dict[str, Any]) -> SimulatorConfig:
    """Turn loose settings (file contents or parsed flags) into a checked ``SimulatorConfig``."""
    data = {_ALIASES.get(k.replace("-", "_"), k.replace("-", "_")): v for k, v in data.items()}
    unknown = set(data) - set(_SCALARS) - _LISTS - _OTHER
    if unknown:
        raise ConfigError(f"unknown simulator settings: {', '.join(sorted(unknown))}")
    config = SimulatorConfig()
    try:
        for key, kind in _SCALARS.items():
            if data.get(key) is not None:
                setattr(config, key, kind(data[key]))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad value in simulator settings: {exc}") from exc
    if config.publish_delay < 0:
        raise ConfigError("publish_delay cannot be negative")
    if not 1 <= config.threads <= 1024:
        raise ConfigError("threads must be between 1 and 1024")
    config.apps = [_wechat_app(item) for item in _as_list(data.get("app"))]
    config.weibo_apps = [_weibo_app(item) for item in _as_list(data.get("weibo_app"))]
    config.douyin_apps = [_douyin_app(item) for item in _as_list(data.get("douyin_app"))]
    by_id = {app.appid: app for app in config.apps}
    for flag, attr, value in (
        ("unverified", "verified", False),
        ("subscription", "account_type", "subscription"),
    ):
        for appid in _as_list(data.get(flag)):
            if appid not in by_id:
                raise ConfigError(f"--{flag} {appid}: no such app (add it with --app)")
            setattr(by_id[appid], attr, value)
    config.callback = _callback(
        data.get("callback"), data.get("callback_token"), data.get("aes_key")
    )
    if config.callback is None and (data.get("callback_token") or data.get("aes_key")):
        raise ConfigError("--callback-token/--aes-key need --callback URL")
    quotas = data.get("quotas") or {}
    if not isinstance(quotas, dict):
        raise ConfigError("quotas must map a cgi path to a daily limit")
    config.quotas = {str(path): int(limit) for path, limit in quotas.items()}
    return config

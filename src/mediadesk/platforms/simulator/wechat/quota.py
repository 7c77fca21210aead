"""Per-path daily quotas (45009), ``clear_quota`` and the quota/rid inspection endpoints.

Limits are the documented ones for a new account (platform-apis.md §1.3) unless the config's
``quotas`` table or ``/_sim/wechat/quota`` sets another; days turn at midnight China time.
"""

from __future__ import annotations

from typing import Any

from ..clock import china_date
from .account import Account
from .context import Ctx, as_str
from .errors import WeChatError

DAILY_LIMITS: dict[str, int] = {
    "/cgi-bin/token": 2000,
    "/cgi-bin/stable_token": 500_000,
    "/cgi-bin/menu/create": 1000,
    "/cgi-bin/menu/get": 10_000,
    "/cgi-bin/menu/delete": 1000,
    "/cgi-bin/media/upload": 100_000,
    "/cgi-bin/media/get": 200_000,
    "/cgi-bin/message/mass/sendall": 100,
    "/cgi-bin/message/mass/send": 100,
    "/cgi-bin/user/get": 500,
    "/cgi-bin/user/info": 5_000_000,
    "/cgi-bin/user/info/updateremark": 10_000,
}
DEFAULT_LIMIT = 100_000
CLEARS_PER_MONTH = 10


def limit_for(ctx: Ctx, account: Account, path: str) -> int:
    path = path.rstrip("/")
    if path in account.quota_limits:
        return account.quota_limits[path]
    if path in ctx.config.quotas:
        return ctx.config.quotas[path]
    return DAILY_LIMITS.get(path, DEFAULT_LIMIT)


def _day(ctx: Ctx) -> str:
    return china_date(ctx.now).isoformat()


def consume(ctx: Ctx, account: Account, path: str) -> None:
    key = (_day(ctx), path.rstrip("/"))
    used = account.quota_used.get(key, 0)
    if used >= limit_for(ctx, account, path):
        raise WeChatError(45009)
    account.quota_used[key] = used + 1


def clear_quota(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    if as_str(body.get("appid")) != ctx.account.appid:
        raise WeChatError(40013)
    month = _day(ctx)[:7]
    uses = ctx.account.clear_quota_uses.get(month, 0)
    if uses >= CLEARS_PER_MONTH:
        raise WeChatError(48006)
    ctx.account.clear_quota_uses[month] = uses + 1
    ctx.account.quota_used.clear()
    return {"errcode": 0, "errmsg": "ok"}


def get_quota(ctx: Ctx) -> dict[str, Any]:
    path = as_str(ctx.body().get("cgi_path")).rstrip("/")
    if not path or ctx.platform.router.match(path) is None:
        raise WeChatError(76021)
    limit = limit_for(ctx, ctx.account, path)
    used = ctx.account.quota_used.get((_day(ctx), path), 0)
    return {
        "errcode": 0,
        "errmsg": "ok",
        "quota": {"daily_limit": limit, "used": used, "remain": max(0, limit - used)},
    }


def get_rid(ctx: Ctx) -> dict[str, Any]:
    rid = as_str(ctx.body().get("rid"))
    if not rid or rid.count("-") != 2:
        raise WeChatError(76002)
    info = ctx.platform.rids.get(rid)
    if info is None:
        raise WeChatError(76001)
    if info["appid"] not in (None, ctx.account.appid):
        raise WeChatError(76003)
    public = {k: v for k, v in info.items() if k != "appid"}
    return {"errcode": 0, "errmsg": "ok", "request": public}


ROUTES = [
    ("/cgi-bin/clear_quota", "POST", clear_quota, {"quota": False}),
    ("/cgi-bin/openapi/quota/get", "POST", get_quota, {"quota": False}),
    ("/cgi-bin/openapi/rid/get", "POST", get_rid, {"quota": False}),
]

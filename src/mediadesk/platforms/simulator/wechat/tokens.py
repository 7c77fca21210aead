"""Access tokens: ``/cgi-bin/token`` (rotating) and ``/cgi-bin/stable_token`` (shared).

``token`` issues a new token on every call; the previous one keeps working for five minutes
and any older one is dead (40001). ``stable_token`` returns the same token while more than
five minutes remain; ``force_refresh`` kills the current one at once and is limited to 20 a
day, 30 s apart. Both kinds live 7200 s, then answer 42001.
"""

from __future__ import annotations

from typing import Any

from .. import ids
from .account import Account, TokenRecord
from .context import Ctx
from .errors import WeChatError
from .quota import consume

TTL = 7200
GRACE = 300
FORCE_PER_DAY = 20
FORCE_SPACING = 30


def _new_token(ctx: Ctx, account: Account, kind: str) -> TokenRecord:
    value = f"{90 + (1 if kind == 'stable' else 0)}_" + ids.token(150)
    record = TokenRecord(value, account.appid, kind, ctx.now, ctx.now + TTL)
    ctx.platform.tokens[value] = record
    return record


def _credentials(ctx: Ctx, grant_type: Any, appid: Any, secret: Any) -> Account:
    if grant_type != "client_credential":
        raise WeChatError(40002)
    account = ctx.platform.accounts.get(str(appid or ""))
    if account is None:
        raise WeChatError(40013)
    if secret != account.app.secret:
        raise WeChatError(40125)
    whitelist = account.app.ip_whitelist
    if whitelist is not None and ctx.request.remote_addr not in whitelist:
        ip = ctx.request.remote_addr
        raise WeChatError(40164, f"invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist")
    return account


def get_token(ctx: Ctx) -> dict[str, Any]:
    q = ctx.request.query
    account = _credentials(ctx, q.get("grant_type"), q.get("appid"), q.get("secret"))
    consume(ctx, account, "/cgi-bin/token")
    tokens = ctx.platform.tokens
    previous = tokens.get(account.previous_token or "")
    if previous is not None:
        previous.revoked = True
    current = tokens.get(account.current_token or "")
    if current is not None:
        current.expires_at = min(current.expires_at, ctx.now + GRACE)
        account.previous_token = current.value
    record = _new_token(ctx, account, "token")
    account.current_token = record.value
    return {"access_token": record.value, "expires_in": TTL}


def stable_token(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    account = _credentials(ctx, body.get("grant_type"), body.get("appid"), body.get("secret"))
    consume(ctx, account, "/cgi-bin/stable_token")
    force = body.get("force_refresh", False)
    if not isinstance(force, bool):
        raise WeChatError(47001, "force_refresh must be a boolean")
    tokens = ctx.platform.tokens
    current = tokens.get(account.current_stable or "")
    if force:
        recent = [t for t in account.force_refreshes if t > ctx.now - 86400]
        if len(recent) >= FORCE_PER_DAY:
            raise WeChatError(45009, "force_refresh is limited to 20 times a day")
        if recent and ctx.now - recent[-1] < FORCE_SPACING:
            raise WeChatError(45011, "force_refresh must be at least 30 seconds apart")
        account.force_refreshes = [*recent, ctx.now]
        if current is not None:
            current.revoked = True
        current = None
    elif current is not None and not current.revoked and current.expires_at - ctx.now > GRACE:
        return {"access_token": current.value, "expires_in": int(current.expires_at - ctx.now)}
    record = _new_token(ctx, account, "stable")
    account.current_stable = record.value
    return {"access_token": record.value, "expires_in": TTL}


def resolve(ctx: Ctx) -> Account:
    """The account behind ``?access_token=``: 41001 missing, 40001/40014 invalid, 42001 expired."""
    value = ctx.request.query.get("access_token", "")
    if not value:
        raise WeChatError(41001)
    record = ctx.platform.tokens.get(value)
    if record is None:
        raise WeChatError(40001 if len(value) > 20 else 40014)
    if record.revoked:
        raise WeChatError(40001)
    if ctx.now >= record.expires_at:
        account = ctx.platform.accounts[record.appid]
        is_current = value in (account.current_token, account.current_stable)
        raise WeChatError(42001 if is_current else 40001)
    return ctx.platform.accounts[record.appid]


def expire(platform: Any, appid: str | None, kind: str, now: float) -> int:
    """Force tokens to expire now (control API); returns how many were affected."""
    count = 0
    for record in platform.tokens.values():
        if appid and record.appid != appid:
            continue
        if kind != "all" and record.kind != kind:
            continue
        if record.expires_at > now:
            record.expires_at = now
            count += 1
    return count


ROUTES = [
    ("/cgi-bin/token", "GET", get_token, {"auth": False, "quota": False}),
    ("/cgi-bin/stable_token", "POST", stable_token, {"auth": False, "quota": False}),
]

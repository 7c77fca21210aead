"""Weibo OAuth2: authorize (auto-consent), access_token, get_token_info, revokeoauth2.

``authorize`` stands in for the user: it redirects straight back with a code (add ``sim_uid``
to choose which user consents). Codes live ten minutes and work once; tokens live
``weibo_token_ttl`` seconds and there is no refresh token, as for Weibo web apps.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .. import ids
from ..config import WeiboApp
from ..http import Response, redirect
from .context import WCtx
from .state import Code, Token, WeiboError, default_uid

CODE_TTL = 600


def _app(
    ctx: WCtx, client_id: str | None, secret: str | None = None, check_secret: bool = False
) -> WeiboApp:
    app = ctx.state.apps.get(client_id or "")
    if app is None or (check_secret and secret != app.secret):
        raise WeiboError(21324, oauth=True, description="client_id or client_secret is wrong")
    return app


def authorize(ctx: WCtx) -> Response:
    q = ctx.request.query
    app = _app(ctx, q.get("client_id"))
    redirect_uri = q.get("redirect_uri", "")
    if not redirect_uri:
        raise WeiboError(21323, oauth=True, description="redirect_uri is required")
    if app.redirect_uri and not redirect_uri.startswith(app.redirect_uri):
        raise WeiboError(21322, oauth=True, description="redirect_uri does not match the app")
    if q.get("response_type", "code") != "code":
        raise WeiboError(21329, oauth=True)
    uid = int(q["sim_uid"]) if q.get("sim_uid", "").isdigit() else default_uid(app.key)
    code = Code(ids.hex_id(32), app.key, uid, redirect_uri, ctx.now)
    ctx.state.codes[code.code] = code
    params = {"code": code.code}
    if "state" in q:
        params["state"] = q["state"]
    sep = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{sep}{urlencode(params)}")


def access_token(ctx: WCtx) -> dict[str, Any]:
    p = ctx.request.param
    for name in ("client_id", "client_secret", "grant_type", "code", "redirect_uri"):
        if not p(name):
            raise WeiboError(21323, oauth=True, description=f"miss required parameter {name}")
    app = _app(ctx, p("client_id"), p("client_secret"), check_secret=True)
    if p("grant_type") != "authorization_code":
        raise WeiboError(21328, oauth=True)
    code = ctx.state.codes.get(p("code") or "")
    if code is None or code.used or code.app_key != app.key or ctx.now - code.created_at > CODE_TTL:
        raise WeiboError(21325, oauth=True, description="invalid authorization code")
    if p("redirect_uri") != code.redirect_uri:
        raise WeiboError(21322, oauth=True, description="redirect_uri does not match authorize")
    code.used = True
    ttl = ctx.config.weibo_token_ttl
    token = Token("2.00" + ids.alnum(28), app.key, code.uid, ctx.now, ctx.now + ttl)
    ctx.state.tokens[token.value] = token
    return {
        "access_token": token.value,
        "expires_in": str(ttl),
        "remind_in": str(ttl),
        "uid": str(code.uid),
        "isRealName": "true",
    }


def get_token_info(ctx: WCtx) -> dict[str, Any]:
    token = ctx.state.tokens.get(ctx.request.param("access_token") or "")
    if token is None:
        raise WeiboError(21332, oauth=True, status=403)
    if ctx.now >= token.expires_at:
        raise WeiboError(21327, oauth=True, status=403)
    return {
        "uid": token.uid,
        "appkey": token.app_key,
        "scope": "",
        "create_at": int(token.created_at),
        "expire_in": int(token.expires_at - ctx.now),
    }


def revoke(ctx: WCtx) -> dict[str, Any]:
    token = ctx.state.tokens.pop(ctx.request.param("access_token") or "", None)
    if token is None:
        raise WeiboError(21332, oauth=True, status=403)
    return {"result": "true"}


ROUTES = [
    ("/oauth2/authorize", ("GET",), authorize),
    ("/oauth2/access_token", ("POST",), access_token),
    ("/oauth2/get_token_info", ("POST",), get_token_info),
    ("/oauth2/revokeoauth2", ("GET", "POST"), revoke),
]

"""Douyin OAuth: connect (auto-consent), access_token, refresh_token, renew_refresh_token and
client_token.

Access tokens live 15 days, refresh tokens 30; ``refresh_token`` issues a new access token
and keeps the refresh token; ``renew_refresh_token`` swaps the refresh token for a new one at
most five times per authorisation (then 10020: the user must authorise again).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from .. import ids
from ..config import DouyinApp
from ..http import BodyError, Response, redirect
from ..ids import seeded
from .context import DCtx
from .state import Code, DouyinError, Grant, Token

ACCESS_TTL = 15 * 86400
REFRESH_TTL = 30 * 86400
CLIENT_TTL = 7200
CODE_TTL = 600
MAX_RENEWALS = 5


def _params(ctx: DCtx) -> dict[str, str]:
    params = dict(ctx.request.query)
    params.update(ctx.request.form)
    if ctx.request.content_type.lower().startswith("application/json"):
        try:
            body = ctx.request.json()
        except BodyError:
            body = {}
        if isinstance(body, dict):
            params.update({k: str(v) for k, v in body.items()})
    return params


def _need(params: dict[str, str], *names: str) -> None:
    for name in names:
        if not params.get(name):
            raise DouyinError(10005, f"缺少参数 {name}")


def _app(ctx: DCtx, params: dict[str, str], check_secret: bool) -> DouyinApp:
    app = ctx.state.apps.get(params.get("client_key", ""))
    if app is None:
        raise DouyinError(10003)
    if check_secret and params.get("client_secret") != app.secret:
        raise DouyinError(10013)
    return app


def open_id_for(client_key: str, who: str = "") -> str:
    return str(uuid.UUID(int=seeded("douyin-open-id", client_key, who).getrandbits(128)))


def connect(ctx: DCtx) -> Response:
    q = ctx.request.query
    app = _app(ctx, q, check_secret=False)
    redirect_uri = q.get("redirect_uri", "")
    if not redirect_uri:
        raise DouyinError(10005, "缺少参数 redirect_uri")
    if q.get("response_type", "code") != "code":
        raise DouyinError(10002, "response_type 必须为 code")
    requested = [s for s in q.get("scope", "").split(",") if s]
    scopes = [s for s in (requested or app.scopes) if s in app.scopes]
    grant = Grant(app.key, open_id_for(app.key, q.get("sim_user", "")), scopes)
    code = Code(ids.hex_id(32), grant, ctx.now)
    ctx.state.codes[code.code] = code
    params = {"code": code.code, "scopes": ",".join(scopes)}
    if "state" in q:
        params["state"] = q["state"]
    sep = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{sep}{urlencode(params)}")


def _issue(ctx: DCtx, store: dict[str, Token], prefix: str, grant: Grant, ttl: int) -> Token:
    token = Token(f"{prefix}.{ids.alnum(48)}", grant, ctx.now + ttl)
    store[token.value] = token
    return token


def _ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": {**data, "description": "", "error_code": 0}, "message": "success"}


def access_token(ctx: DCtx) -> dict[str, Any]:
    params = _params(ctx)
    _need(params, "client_key", "client_secret", "code", "grant_type")
    app = _app(ctx, params, check_secret=True)
    if params["grant_type"] != "authorization_code":
        raise DouyinError(10002, "grant_type 必须为 authorization_code")
    code = ctx.state.codes.get(params["code"])
    if code is None or code.used or code.grant.client_key != app.key:
        raise DouyinError(10007)
    if ctx.now - code.created_at > CODE_TTL:
        raise DouyinError(10007)
    code.used = True
    access = _issue(ctx, ctx.state.access, "act", code.grant, ACCESS_TTL)
    refresh = _issue(ctx, ctx.state.refresh, "rft", code.grant, REFRESH_TTL)
    return _ok(
        {
            "access_token": access.value,
            "captcha": "",
            "desc_url": "",
            "expires_in": ACCESS_TTL,
            "log_id": ids.hex_id(32),
            "open_id": code.grant.open_id,
            "refresh_expires_in": REFRESH_TTL,
            "refresh_token": refresh.value,
            "scope": ",".join(code.grant.scopes),
        }
    )


def _refresh(ctx: DCtx, params: dict[str, str]) -> Token:
    _need(params, "client_key", "refresh_token")
    app = _app(ctx, params, check_secret=False)
    token = ctx.state.refresh.get(params["refresh_token"])
    if token is None or token.grant.client_key != app.key:
        raise DouyinError(10010, "refresh_token无效")
    if ctx.now >= token.expires_at:
        raise DouyinError(10010)
    return token


def refresh_token(ctx: DCtx) -> dict[str, Any]:
    params = _params(ctx)
    _need(params, "grant_type")
    if params["grant_type"] != "refresh_token":
        raise DouyinError(10002, "grant_type 必须为 refresh_token")
    refresh = _refresh(ctx, params)
    access = _issue(ctx, ctx.state.access, "act", refresh.grant, ACCESS_TTL)
    return _ok(
        {
            "access_token": access.value,
            "expires_in": ACCESS_TTL,
            "open_id": refresh.grant.open_id,
            "refresh_expires_in": int(refresh.expires_at - ctx.now),
            "refresh_token": refresh.value,
            "scope": ",".join(refresh.grant.scopes),
        }
    )


def renew_refresh_token(ctx: DCtx) -> dict[str, Any]:
    old = _refresh(ctx, _params(ctx))
    if old.grant.renewals >= MAX_RENEWALS:
        raise DouyinError(10020)
    old.grant.renewals += 1
    del ctx.state.refresh[old.value]
    new = _issue(ctx, ctx.state.refresh, "rft", old.grant, REFRESH_TTL)
    return _ok({"expires_in": REFRESH_TTL, "refresh_token": new.value})


def client_token(ctx: DCtx) -> dict[str, Any]:
    params = _params(ctx)
    _need(params, "client_key", "client_secret", "grant_type")
    app = _app(ctx, params, check_secret=True)
    if params["grant_type"] != "client_credential":
        raise DouyinError(10002, "grant_type 必须为 client_credential")
    grant = Grant(app.key, "", [])
    token = _issue(ctx, ctx.state.client_tokens, "clt", grant, CLIENT_TTL)
    return _ok({"access_token": token.value, "expires_in": CLIENT_TTL})


ROUTES = [
    ("/platform/oauth/connect/", ("GET",), connect, "oauth"),
    ("/oauth/access_token/", ("POST",), access_token, "oauth"),
    ("/oauth/refresh_token/", ("POST",), refresh_token, "oauth"),
    ("/oauth/renew_refresh_token/", ("POST",), renew_refresh_token, "oauth"),
    ("/oauth/client_token/", ("POST",), client_token, "oauth"),
]

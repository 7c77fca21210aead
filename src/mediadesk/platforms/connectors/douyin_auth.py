"""Douyin OAuth: the code exchange, access-token refresh and refresh-token renewal.

Access tokens live 15 days, refresh tokens 30. ``refresh_token`` gives a new access token and
keeps the refresh token; ``renew_refresh_token`` swaps the refresh token for a new one — at
most five times per authorisation, then the account owner must authorise again (10020). The
connector renews only when the refresh token is close to running out, counts the renewals in
the token store, refuses a sixth without calling Douyin, and never replaces a stored refresh
token with an empty one (design notes: reconnecting must not wipe it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import ConnectorError, NotAuthorised, PlatformRejected, TokenExpired
from .http import json_of
from .tokens import StoredToken, merged

if TYPE_CHECKING:
    from .douyin import DouyinConnector

PLATFORM = "Douyin"
MAX_RENEWALS = 5
RENEW_WITHIN = 5 * 86400  # renew the refresh token when it has less than five days left
ACCESS_MARGIN = 600.0


def oauth_error(code: int, description: str) -> ConnectorError:
    raw = {"platform": PLATFORM, "raw_code": code, "raw_message": description}
    if code == 10020:
        return TokenExpired(
            "Douyin allows a refresh token to be renewed only five times; the account owner "
            "must authorise the app again.",
            **raw,
        )
    if code in (10008, 10010):
        return TokenExpired(
            "The Douyin authorisation has run out; the account owner must authorise again.",
            **raw,
        )
    if code in (10003, 10013):
        return NotAuthorised("Douyin rejected the client key or secret; check the vault.", **raw)
    if code == 10004:
        return NotAuthorised("The Douyin app lacks the permission (scope) for this.", **raw)
    if code == 10007:
        return NotAuthorised(
            "The authorisation code is invalid or expired; authorise again.", **raw
        )
    return PlatformRejected(
        f"Douyin refused the authorisation call: {description} ({code}).", **raw
    )


def oauth_call(conn: DouyinConnector, path: str, form: dict[str, str]) -> dict[str, Any]:
    body = json_of(conn.http.send("POST", path, data=form), PLATFORM, path)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise PlatformRejected(f"Douyin answered {path} with an unexpected shape.")
    code = int(data.get("error_code") or 0)
    if code:
        raise oauth_error(code, str(data.get("description") or ""))
    return data


def exchange(conn: DouyinConnector, code: str) -> StoredToken:
    data = oauth_call(
        conn,
        "/oauth/access_token/",
        {
            "client_key": conn.ref.app_id,
            "client_secret": conn.ref.secret("app_secret"),
            "code": code,
            "grant_type": "authorization_code",
        },
    )
    now = conn.clock()
    token = StoredToken(
        access_token=str(data["access_token"]),
        expires_at=now + float(data.get("expires_in") or 0),
        refresh_token=str(data.get("refresh_token") or ""),
        refresh_expires_at=now + float(data.get("refresh_expires_in") or 0),
        renewals=0,  # a new authorisation starts a new count
        subject=str(data.get("open_id") or ""),
    )
    # No discard first: the store's merge keeps a stored refresh token should the answer carry
    # none (and a new refresh token replaces the old one with its count back at zero).
    conn.store.put(conn.key, token)
    return conn.store.get(conn.key) or token


def from_vault(conn: DouyinConnector) -> StoredToken:
    """A token built from the vault when the store has none: refresh on first use."""
    refresh = conn.ref.credentials("refresh_token", "") or ""
    access = conn.ref.credentials("access_token", "") or ""
    if not refresh and not access:
        conn.ref.secret("refresh_token")  # raises CredentialsMissing
    return StoredToken(
        access_token=access,
        expires_at=0.0 if refresh else conn.clock() + 60,
        refresh_token=refresh,
        subject=str(conn.ref.options.get("open_id") or ""),
    )


def current(conn: DouyinConnector) -> StoredToken:
    token = conn.store.get(conn.key)
    return token if token is not None else from_vault(conn)


def refresh(conn: DouyinConnector, token: StoredToken) -> StoredToken:
    """A new access token (caller holds the store lock); renews the refresh token too when it
    is about to run out and renewals are left."""
    now = conn.clock()
    if not token.refresh_token or (token.refresh_expires_at or now + 1) <= now:
        raise TokenExpired(
            "The Douyin authorisation has run out; the account owner must authorise again.",
            platform=PLATFORM,
        )
    data = oauth_call(
        conn,
        "/oauth/refresh_token/",
        {
            "client_key": conn.ref.app_id,
            "grant_type": "refresh_token",
            "refresh_token": token.refresh_token,
        },
    )
    refresh_in = data.get("refresh_expires_in")
    new = replace(
        token,
        access_token=str(data["access_token"]),
        expires_at=now + float(data.get("expires_in") or 0),
        refresh_token=str(data.get("refresh_token") or ""),
        refresh_expires_at=now + float(refresh_in) if refresh_in else token.refresh_expires_at,
        subject=str(data.get("open_id") or token.subject),
    )
    new = merged(token, new)
    conn.store.put(conn.key, new)
    left = (new.refresh_expires_at or now) - now
    if new.refresh_expires_at and left < RENEW_WITHIN and new.renewals < MAX_RENEWALS:
        new = renew(conn, new)
    return new


def renew(conn: DouyinConnector, token: StoredToken) -> StoredToken:
    """Swap the refresh token for a new one (caller holds the store lock)."""
    if token.renewals >= MAX_RENEWALS:
        raise oauth_error(10020, "renewal limit reached (counted by mediadesk)")
    try:
        data = oauth_call(
            conn,
            "/oauth/renew_refresh_token/",
            {"client_key": conn.ref.app_id, "refresh_token": token.refresh_token},
        )
    except TokenExpired as exc:
        if exc.raw_code == 10020:  # Douyin counted more than we did: remember it
            conn.store.put(conn.key, replace(token, renewals=MAX_RENEWALS))
        raise
    new_refresh = str(data.get("refresh_token") or "")
    expires_in = float(data.get("expires_in") or 0)
    new = replace(
        token,
        refresh_token=new_refresh or token.refresh_token,
        refresh_expires_at=conn.clock() + expires_in if new_refresh else token.refresh_expires_at,
        renewals=token.renewals + 1,
    )
    conn.store.put(conn.key, new)
    return new

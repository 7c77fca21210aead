"""API for platform connections: the per-account binding, the live menu and menu changes.

No response ever carries a secret: the binding shows which vault credentials are present,
never their values, and token state is expiry dates only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from mediadesk.accounts import selectors
from mediadesk.accounts.conformity import check_account
from mediadesk.platforms import bindings, menus, oauth
from mediadesk.platforms.connectors.douyin_auth import MAX_RENEWALS
from mediadesk.platforms.models import MenuChangeRequest, PlatformBinding, PlatformToken

router = Router(tags=["platforms"])


class TokenStateOut(Schema):
    expires_at: dt.datetime | None
    refresh_expires_at: dt.datetime | None
    renewals_left: int | None


class UserTokenOut(Schema):
    """The Weibo / Douyin user token: whether one is held and until when, never the token."""

    held: bool
    source: str | None = Field(
        description="“authorization” (obtained by connecting) or “vault” (stored by hand)"
    )
    expires_at: dt.datetime | None
    refresh_expires_at: dt.datetime | None
    expired: bool = Field(description="True: the account owner must authorise again")
    subject: str = Field(description="Weibo uid or Douyin open_id the token acts for")


class AuthorizeOut(Schema):
    authorize_url: str


class BindingOut(Schema):
    account_id: int
    platform: str
    base_url: str
    uses_simulator: bool
    effective_base_url: str | None
    app_id: str
    options: dict[str, Any]
    enabled: bool
    credentials: dict[str, bool]
    callback_url: str | None
    token: TokenStateOut | None
    user_token: UserTokenOut | None = Field(
        description="Weibo and Douyin only: the authorisation by the account owner"
    )
    updated_at: dt.datetime


class BindingIn(Schema):
    app_id: str = Field(min_length=1, max_length=100)
    base_url: str = Field(
        default="",
        max_length=300,
        description="Empty: the real platform. “simulator:”: the embedded simulator.",
    )
    options: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class DeviationOut(Schema):
    code: str
    message: str
    expected: str
    actual: str


class MenuOut(Schema):
    account_id: int
    wechat_menu: dict[str, Any] | None
    fetched_at: dt.datetime | None
    deviations: list[DeviationOut]


class MenuChangeIn(Schema):
    menu: dict[str, Any]
    reason: str = Field(default="", max_length=2000)


class DecisionIn(Schema):
    comment: str = Field(default="", max_length=2000)


class MenuChangeOut(Schema):
    id: int
    account_id: int
    menu: dict[str, Any]
    reason: str
    status: str
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    comment: str
    applied_at: dt.datetime | None
    error: str
    error_code: str


def _token_state(binding: PlatformBinding) -> dict[str, Any] | None:
    row = (
        PlatformToken.objects.filter(account=binding.account)
        .exclude(access_ciphertext="", refresh_ciphertext="")
        .order_by("-updated_at")
        .first()
    )
    if row is None:
        return None
    renewals_left = None
    if binding.account.platform == "douyin" and row.refresh_ciphertext:
        renewals_left = max(0, MAX_RENEWALS - row.renewals)
    return {
        "expires_at": row.expires_at,
        "refresh_expires_at": row.refresh_expires_at,
        "renewals_left": renewals_left,
    }


def _binding_out(request: HttpRequest, binding: PlatformBinding) -> dict[str, Any]:
    account = binding.account
    try:
        effective = bindings.resolve_base_url(binding)
    except bindings.ConnectorNotConfigured:
        effective = None
    callback = None
    if bindings.family(account.platform) == bindings.WECHAT:
        callback = request.build_absolute_uri(
            reverse("platforms:wechat-callback", kwargs={"account_id": account.pk})
        )
    return {
        "account_id": account.pk,
        "platform": account.platform,
        "base_url": binding.base_url,
        "uses_simulator": binding.uses_simulator,
        "effective_base_url": effective,
        "app_id": binding.app_id,
        "options": binding.options,
        "enabled": binding.enabled,
        "credentials": bindings.credentials_present(account),
        "callback_url": callback,
        "token": _token_state(binding),
        "user_token": oauth.user_token_state(account),
        "updated_at": binding.updated_at,
    }


def _menu_out(account: Any) -> dict[str, Any]:
    return {
        "account_id": account.pk,
        "wechat_menu": account.wechat_menu,
        "fetched_at": account.wechat_menu_fetched_at,
        "deviations": [d.__dict__ for d in check_account(account) if d.code.startswith("menu")],
    }


def _change_out(change: MenuChangeRequest) -> dict[str, Any]:
    return {name: getattr(change, name) for name in MenuChangeOut.model_fields}


# --- binding ---------------------------------------------------------------------------------


@router.get("/accounts/{account_id}/binding", response=BindingOut)
def get_binding(request: HttpRequest, account_id: int) -> dict[str, Any]:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    return _binding_out(request, bindings.get_binding(user=request.auth, account=account))


@router.put("/accounts/{account_id}/binding", response=BindingOut)
def put_binding(request: HttpRequest, account_id: int, payload: BindingIn) -> dict[str, Any]:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    binding = bindings.configure_binding(actor=request.auth, account=account, **payload.dict())
    return _binding_out(request, binding)


@router.post("/accounts/{account_id}/authorize", response=AuthorizeOut)
def authorize(request: HttpRequest, account_id: int) -> dict[str, Any]:
    """Start connecting a Weibo or Douyin account (``credential.manage``): open
    ``authorize_url`` in a browser logged in to mediadesk as the same person; the platform
    sends it back to ``/oauth/{platform}/callback/`` within 10 minutes, which stores the
    token. The link works once."""
    account = selectors.get_account(user=request.auth, account_id=account_id)
    url = oauth.start_authorization(actor=request.auth, account=account, request=request)
    return {"authorize_url": url}


# --- menu ------------------------------------------------------------------------------------


@router.post("/accounts/{account_id}/menu/fetch", response=MenuOut)
def fetch_menu(request: HttpRequest, account_id: int) -> dict[str, Any]:
    """Read the live menu from WeChat into the account record and check it."""
    account = selectors.get_account(user=request.auth, account_id=account_id)
    return _menu_out(menus.refresh_menu(account=account, actor=request.auth))


@router.get("/accounts/{account_id}/menu-changes", response=list[MenuChangeOut])
def list_menu_changes(
    request: HttpRequest, account_id: int, status: str | None = None
) -> list[dict[str, Any]]:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    changes = menus.list_menu_changes(user=request.auth, account=account, status=status)
    return [_change_out(c) for c in changes]


@router.post("/accounts/{account_id}/menu-changes", response={201: MenuChangeOut})
def request_menu_change(request: HttpRequest, account_id: int, payload: MenuChangeIn) -> Status:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    change = menus.request_menu_change(
        actor=request.auth, account=account, menu=payload.menu, reason=payload.reason
    )
    return Status(201, _change_out(change))


@router.get("/menu-changes/{change_id}", response=MenuChangeOut)
def get_menu_change(request: HttpRequest, change_id: int) -> dict[str, Any]:
    return _change_out(menus.get_menu_change(user=request.auth, change_id=change_id))


@router.post("/menu-changes/{change_id}/approve", response=MenuChangeOut)
def approve_menu_change(request: HttpRequest, change_id: int, payload: DecisionIn) -> dict:
    """Approve and apply: the menu is set on WeChat now. A platform failure answers with its
    error and leaves the change ``failed`` (approve again to retry)."""
    change = menus.get_menu_change(user=request.auth, change_id=change_id)
    return _change_out(
        menus.approve_menu_change(actor=request.auth, change=change, comment=payload.comment)
    )


@router.post("/menu-changes/{change_id}/reject", response=MenuChangeOut)
def reject_menu_change(request: HttpRequest, change_id: int, payload: DecisionIn) -> dict:
    change = menus.get_menu_change(user=request.auth, change_id=change_id)
    return _change_out(
        menus.reject_menu_change(actor=request.auth, change=change, comment=payload.comment)
    )


@router.post("/menu-changes/{change_id}/withdraw", response=MenuChangeOut)
def withdraw_menu_change(request: HttpRequest, change_id: int) -> dict:
    change = menus.get_menu_change(user=request.auth, change_id=change_id)
    return _change_out(menus.withdraw_menu_change(actor=request.auth, change=change))

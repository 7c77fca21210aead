"""Connecting a Weibo or Douyin account: the OAuth authorisation by the account's owner.

WeChat connectors get their token from the app secret; Weibo and Douyin act with a *user*
token, which only the account's owner can grant by authorising the app on the platform:

1. :func:`start_authorization` (``credential.manage`` on the account) remembers a one-time
   ``state`` — a random value kept only as its SHA-256, bound to the account and the person,
   valid for :data:`STATE_TTL` — and returns the platform's authorisation page, which sends the
   browser back to ``/oauth/<platform>/callback/?code=…&state=…``;
2. :func:`complete_authorization` (the callback) checks the state (unknown, expired, used, or
   started by someone else: refused, nothing stored, the platform not called), marks it used,
   trades the code for the token through the connector — which keeps it, encrypted, in the
   database token store, where :func:`~mediadesk.platforms.bindings.connector_for` finds it —
   and writes an audit entry with the expiry, never a token or a code.

The callback address is ``MEDIADESK_PUBLIC_URL`` when set (what is registered with the
platform), else that of the request starting the authorisation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.models import SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.core.errors import DomainError, ValidationFailed
from mediadesk.orgs.permissions import Action, require
from mediadesk.platforms.bindings import (
    authorization_connector,
    binding_of,
    credentials_present,
    family,
)
from mediadesk.platforms.connectors import Connector, ConnectorError
from mediadesk.platforms.connectors.douyin import DouyinConnector
from mediadesk.platforms.connectors.values import TokenInfo
from mediadesk.platforms.connectors.weibo import WeiboConnector
from mediadesk.platforms.models import OAuthState, PlatformToken

log = logging.getLogger(__name__)

OAUTH_PLATFORMS = ("weibo", "douyin")
STATE_TTL = timedelta(minutes=10)
KEEP_STATES = timedelta(days=1)  # used and expired states are deleted after this
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"  # `make run` without a request to go by
# What mediadesk asks a Douyin account for: publishing, its videos and figures, comments.
DOUYIN_SCOPES = (
    "user_info",
    "video.create.bind",
    "video.list.bind",
    "video.data.bind",
    "data.external.item",
    "video.comment",
)


class AuthorizationRefused(DomainError):
    """The callback cannot be trusted or completed; nothing was stored. ``account`` is set
    when the state was good and the platform refused (or the exchange failed)."""

    code = "authorization_refused"
    http_status = 400

    def __init__(self, message: str, *, account: SocialAccount | None = None) -> None:
        super().__init__(message)
        self.account = account


@dataclass(frozen=True)
class Authorization:
    """A completed authorisation: when the token runs out, never the token."""

    account: SocialAccount
    platform: str
    expires_at: datetime | None
    refresh_expires_at: datetime | None = None
    subject: str = ""  # Weibo uid, Douyin open_id


# -- addresses ----------------------------------------------------------------------------------


def public_url(request: Any = None) -> str:
    """Where people (and the platforms' redirects) reach mediadesk, without a trailing slash."""
    configured = str(getattr(settings, "MEDIADESK_PUBLIC_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return str(request.build_absolute_uri("/")).rstrip("/")
    return DEFAULT_PUBLIC_URL


def callback_url(platform: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("web:oauth_callback", kwargs={"platform": platform})


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def oauth_platform(account: SocialAccount) -> str:
    """``weibo`` or ``douyin``; a clear refusal for accounts connected otherwise."""
    kind = family(account.platform)
    if kind not in OAUTH_PLATFORMS:
        raise ValidationFailed(
            _(
                "%(p)s accounts are not connected by an authorisation of the account owner "
                "(only Weibo and Douyin are)."
            )
            % {"p": account.get_platform_display()},
            fields={"platform": _("no authorisation needed")},
        )
    return str(kind)


def authorize_url(connector: Connector, redirect_uri: str, state: str) -> str:
    """The platform's page where the account owner grants the app access."""
    if isinstance(connector, DouyinConnector):
        return connector.authorization_url(redirect_uri, list(DOUYIN_SCOPES), state=state)
    if isinstance(connector, WeiboConnector):
        return connector.authorization_url(redirect_uri, state=state)
    raise ValidationFailed(_("This connection has no authorisation by the account owner."))


# -- step 1 ---------------------------------------------------------------------------------------


def start_authorization(*, actor: Any, account: SocialAccount, request: Any = None) -> str:
    """The URL to send the person's browser to; it comes back to the callback with a code.

    Refuses up front (nothing remembered) when the account has no usable connection or its
    app secret is missing from the vault.
    """
    require(actor, Action.CREDENTIAL_MANAGE, account)
    platform = oauth_platform(account)
    redirect_uri = callback_url(platform, public_url(request))
    with authorization_connector(account) as connector:
        state = secrets.token_urlsafe(32)
        url = authorize_url(connector, redirect_uri, state)
    now = timezone.now()
    OAuthState.objects.filter(expires_at__lt=now - KEEP_STATES).delete()
    OAuthState.objects.create(
        state_hash=_hash(state),
        account=account,
        actor=actor,
        platform=platform,
        redirect_uri=redirect_uri,
        created_at=now,
        expires_at=now + STATE_TTL,
    )
    return url


# -- step 2 ---------------------------------------------------------------------------------------


def _refuse(platform: str, reason: str, message: str) -> AuthorizationRefused:
    log.warning("%s authorisation callback refused: %s", platform, reason)  # never the state
    return AuthorizationRefused(message)


def _claim(*, actor: Any, platform: str, state: str) -> OAuthState:
    """The state's record, marked used; refused when it cannot be trusted."""
    again = _("Start the connection again from the account page.")
    row = None
    if state:
        row = (
            OAuthState.objects.select_related("account__owning_unit")
            .filter(state_hash=_hash(state), platform=platform)
            .first()
        )
    if row is None:
        raise _refuse(
            platform,
            "unknown state",
            _("This authorisation link is not one mediadesk started (unknown state).")
            + " "
            + again,
        )
    if row.used_at is not None:
        raise _refuse(
            platform, "state used", _("This authorisation link was already used.") + " " + again
        )
    now = timezone.now()
    if row.expires_at <= now:
        raise _refuse(
            platform,
            "state expired",
            _("This authorisation link has expired (it is valid for 10 minutes).") + " " + again,
        )
    if row.actor_id != getattr(actor, "pk", None):
        raise _refuse(
            platform,
            "state of another person",
            _("This authorisation was started by another person; only they can complete it."),
        )
    if not OAuthState.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise _refuse(
            platform, "state used", _("This authorisation link was already used.") + " " + again
        )
    return row


def _stamp(when: datetime | None) -> datetime | None:
    if when is None or when.year >= 9999:  # a token of unknown lifetime
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _record_failure(actor: Any, account: SocialAccount, platform: str, **detail: Any) -> None:
    record_event(
        action="platforms.oauth.failed",
        actor=actor,
        obj=account,
        after={"platform": platform, **{k: v for k, v in detail.items() if v not in ("", None)}},
    )


def connect_with_code(
    *,
    account: SocialAccount,
    code: str,
    redirect_uri: str,
    actor: Any = None,
    via: str = "",
    **connector_options: Any,
) -> Authorization:
    """Trade ``code`` for the account's user token (kept in the token store) and audit it.

    Checks nobody: :func:`complete_authorization` does, for a person; the simulator's
    auto-consent at start (``platforms.simulated``) needs none. ``connector_options``
    (``transport``, ``clock``) go to the connector.
    """
    platform = oauth_platform(account)
    with authorization_connector(account, **connector_options) as connector:
        if isinstance(connector, DouyinConnector):
            info: TokenInfo = connector.exchange_code(code)
        elif isinstance(connector, WeiboConnector):
            info = connector.exchange_code(code, redirect_uri)
        else:  # pragma: no cover - oauth_platform admits only the two
            raise ValidationFailed(_("This connection has no authorisation by the account owner."))
    done = Authorization(
        account=account,
        platform=platform,
        expires_at=_stamp(info.expires_at),
        refresh_expires_at=_stamp(info.refresh_expires_at),
        subject=info.subject,
    )
    binding = binding_of(account)
    after = {
        "platform": platform,
        "base_url": binding.base_url if binding else "",
        "subject": done.subject,
        "expires_at": done.expires_at,
        "refresh_expires_at": done.refresh_expires_at,
    }
    if via:
        after["via"] = via
    record_event(action="platforms.oauth.connected", actor=actor, obj=account, after=after)
    return done


def complete_authorization(
    *,
    actor: Any,
    platform: str,
    state: str,
    code: str = "",
    error: str = "",
    error_description: str = "",
    **connector_options: Any,
) -> Authorization:
    """The callback's work: check the state, then exchange the code (or report the platform's
    refusal). Raises :class:`AuthorizationRefused` for a state that cannot be trusted (nothing
    stored, the platform not called); a refusal by the platform or a failed exchange is audited
    and raised as :class:`AuthorizationRefused` too, with the platform's reason."""
    row = _claim(actor=actor, platform=platform, state=state)
    account = row.account
    require(actor, Action.CREDENTIAL_MANAGE, account)  # may have been withdrawn meanwhile
    name = account.get_platform_display()
    if error:
        _record_failure(
            actor, account, platform, error=error[:60], description=error_description[:200]
        )
        if error == "access_denied":
            message = _("The authorisation was declined on %(p)s; nothing was changed.")
        else:
            message = _("%(p)s did not authorise the app (%(e)s); nothing was changed.")
        raise AuthorizationRefused(message % {"p": name, "e": error[:60]}, account=account)
    if not code:
        _record_failure(actor, account, platform, error="no_code")
        raise AuthorizationRefused(
            _("%(p)s sent no authorisation code; nothing was changed.") % {"p": name},
            account=account,
        )
    try:
        return connect_with_code(
            account=account,
            code=code,
            redirect_uri=row.redirect_uri,
            actor=actor,
            **connector_options,
        )
    except ConnectorError as exc:
        _record_failure(
            actor, account, platform, error=exc.code, raw_code=exc.raw_code, description=exc.message
        )
        raise AuthorizationRefused(
            _("%(p)s did not give the token: %(m)s Start the connection again.")
            % {"p": name, "m": exc.message},
            account=account,
        ) from exc


# -- what the binding shows -----------------------------------------------------------------------


def user_token_state(account: SocialAccount) -> dict[str, Any] | None:
    """Whether a user token is held for a Weibo or Douyin account and until when (never the
    token); None for accounts whose token comes from the app secret (WeChat)."""
    kind = family(account.platform)
    if kind not in OAUTH_PLATFORMS:
        return None
    row = (
        PlatformToken.objects.filter(account=account)
        .exclude(access_ciphertext="", refresh_ciphertext="")
        .order_by("-updated_at")
        .first()
    )
    now = timezone.now()
    if row is not None:
        # Douyin renews its access token while the refresh token lives; Weibo's just ends.
        lapses = row.refresh_expires_at if row.refresh_ciphertext else row.expires_at
        return {
            "held": True,
            "source": "authorization",
            "expires_at": row.expires_at,
            "refresh_expires_at": row.refresh_expires_at if row.refresh_ciphertext else None,
            "expired": lapses is not None and lapses <= now,
            "subject": row.subject,
        }
    in_vault = any(
        ok
        for k, ok in credentials_present(account).items()
        if k in ("access_token", "refresh_token")
    )
    return {
        "held": in_vault,
        "source": "vault" if in_vault else None,
        "expires_at": None,
        "refresh_expires_at": None,
        "expired": False,
        "subject": "",
    }

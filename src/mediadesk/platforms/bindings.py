"""Per-account connector configuration (issue 6, item 7) and :func:`connector_for`.

A binding says where an account's API calls go (the real platform, another endpoint, or
``simulator:`` — the simulator ``mediadesk run`` started in this process), with which app id
and options. Secrets are never part of it: :func:`connector_for` reads them from the
credentials vault when a connector asks, and refuses up front — before anything is sent —
when one the platform needs is missing.

Changing the endpoint or app id decides where the app secret will be sent, so it needs
``credential.manage``; switching a binding on or off and its options need ``account.manage``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists
from django.utils.translation import gettext as _

from mediadesk.accounts.models import Credential, CredentialKind, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, NotFound, ValidationFailed
from mediadesk.orgs.permissions import Action, require
from mediadesk.platforms import token_store
from mediadesk.platforms.connectors import (
    CONNECTORS,
    Connector,
    ConnectorError,
    CredentialsMissing,
    NotSupported,
    for_platform,
    ref_for_account,
)
from mediadesk.platforms.connectors.assisted import AssistedConnector
from mediadesk.platforms.models import SIMULATOR_MARKER, PlatformBinding, PlatformToken
from mediadesk.platforms.token_store import DbTokenStore

WECHAT = "wechat"
FAMILY = {
    "wechat_service": WECHAT,
    "wechat_subscription": WECHAT,
    "weibo": "weibo",
    "douyin": "douyin",
}
DEFAULT_BASE_URLS = {
    WECHAT: "https://api.weixin.qq.com",
    "weibo": "https://api.weibo.com",
    "douyin": "https://open.douyin.com",
}
SIMULATOR_PATHS = {WECHAT: "", "weibo": "/weibo", "douyin": "/douyin"}
# What each family may carry in ``options`` and of which type.
OPTION_TYPES: dict[str, dict[str, type]] = {
    WECHAT: {"mass_tag_id": int},
    "weibo": {"safe_domains": list, "rip": str, "uid": str},
    "douyin": {"open_id": str},
}
# Vault kinds shown on the binding (presence only, never values).
SHOWN_KINDS = {
    WECHAT: ("app_secret", "callback_token", "aes_key"),
    "weibo": ("app_secret", "access_token"),
    "douyin": ("app_secret", "access_token", "refresh_token"),
}
APP_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


class ConnectorNotConfigured(ConnectorError):
    """The account has no usable connector configuration (none, switched off, or pointing at
    a simulator that is not running); nothing was sent."""

    code = "platform_not_configured"
    http_status = 409


def family(platform: str) -> str | None:
    return FAMILY.get(platform)


def _label(kind: str) -> str:
    return str(CredentialKind(kind).label) if kind in CredentialKind.values else kind


# -- reading ------------------------------------------------------------------------------------


def binding_of(account: SocialAccount) -> PlatformBinding | None:
    return PlatformBinding.objects.filter(account=account).select_related("account").first()


def get_binding(*, user: Any, account: SocialAccount) -> PlatformBinding:
    require(user, Action.ACCOUNT_VIEW, account)
    binding = binding_of(account)
    if binding is None:
        raise NotFound(_("%(a)s has no platform connection configured.") % {"a": account.name})
    return binding


def _binding_and_kinds(account: SocialAccount) -> tuple[PlatformBinding | None, set[str]]:
    """The binding (for ``account``, not read again) and which of the shown vault kinds are
    stored, in one query: every publishing job builds a connector."""
    kinds = SHOWN_KINDS.get(family(account.platform) or "", ())
    stored = {
        f"has_{kind}": Exists(Credential.objects.filter(account=account, label="", kind=kind))
        for kind in kinds
    }
    binding = PlatformBinding.objects.filter(account=account).annotate(**stored).first()
    if binding is None:
        return None, set()
    binding.account = account
    return binding, {kind for kind in kinds if getattr(binding, f"has_{kind}")}


def credentials_present(account: SocialAccount) -> dict[str, bool]:
    kinds = SHOWN_KINDS.get(family(account.platform) or "", ())
    stored = set(
        Credential.objects.filter(account=account, label="", kind__in=kinds).values_list(
            "kind", flat=True
        )
    )
    return {kind: kind in stored for kind in kinds}


def simulator_url() -> str:
    return str(getattr(settings, "MEDIADESK_SIMULATOR_URL", "") or "").rstrip("/")


def resolve_base_url(binding: PlatformBinding) -> str:
    """The address to call: ``simulator:`` becomes this process's simulator (plus the
    platform's prefix there, ``/weibo`` or ``/douyin``, unless the marker names a path)."""
    if not binding.uses_simulator:
        return binding.base_url.rstrip("/")
    base = simulator_url()
    if not base:
        raise ConnectorNotConfigured(
            _(
                "%(a)s is set to use the embedded platform simulator, which is not running in "
                "this process (start mediadesk with “mediadesk run”, or set "
                "MEDIADESK_SIMULATOR_URL)."
            )
            % {"a": binding.account.name}
        )
    path = (
        binding.base_url[len(SIMULATOR_MARKER) :]
        or SIMULATOR_PATHS[family(binding.account.platform) or WECHAT]
    )
    return base + path.rstrip("/")


def token_holders(binding: PlatformBinding) -> dict[str, bool]:
    """Whether the token store holds an access / refresh token for the account."""
    rows = PlatformToken.objects.filter(account=binding.account)
    return {
        "access_token": rows.exclude(access_ciphertext="").exists(),
        "refresh_token": rows.exclude(refresh_ciphertext="").exists(),
    }


def missing_credentials(
    binding: PlatformBinding, *, authorizing: bool = False, present: set[str] | None = None
) -> list[str]:
    """Vault kinds the connector cannot work without (given the tokens already held).

    ``authorizing``: for the OAuth code exchange, which needs the app secret and is about to
    obtain the user token itself. ``present``: the kinds in the vault, when already read.
    """
    account = binding.account
    kind = family(account.platform)
    if present is None:
        present = {k for k, ok in credentials_present(account).items() if ok}
    if kind == WECHAT or authorizing:
        return [] if "app_secret" in present else ["app_secret"]
    held = token_holders(binding)
    if kind == "weibo":
        ok = "access_token" in present or held["access_token"]
        return [] if ok else ["access_token"]
    if kind == "douyin":
        ok = present & {"access_token", "refresh_token"} or held["refresh_token"]
        return [] if ok else ["refresh_token"]
    return []


# -- the connector ----------------------------------------------------------------------------


def connector_for(account: SocialAccount, **options: Any) -> Connector:
    """The connector acting for ``account``, configured from its binding and the vault.

    ``options`` (``transport``, ``clock``, ``store``) go to the connector; by default tokens
    live in the database. Raises :class:`ConnectorNotConfigured` or
    :class:`~mediadesk.platforms.connectors.CredentialsMissing` before anything is sent.
    """
    return _connector(account, authorizing=False, options=options)


def authorization_connector(account: SocialAccount, **options: Any) -> Connector:
    """The connector for an OAuth authorisation (``platforms.oauth``): configured as by
    :func:`connector_for`, but needing only the app secret — the user token is what it is
    about to obtain, into the same token store."""
    return _connector(account, authorizing=True, options=options)


def _connector(account: SocialAccount, *, authorizing: bool, options: dict[str, Any]) -> Connector:
    cls = CONNECTORS.get(account.platform)
    if cls is None:
        raise NotSupported(
            _("There is no connector for %(p)s.") % {"p": account.get_platform_display()}
        )
    if cls is AssistedConnector:
        return for_platform(account.platform, ref_for_account(account))
    binding, present = _binding_and_kinds(account)
    if binding is None:
        raise ConnectorNotConfigured(
            _("%(a)s has no platform connection configured; set its API endpoint and app id.")
            % {"a": account.name}
        )
    if not binding.enabled:
        raise ConnectorNotConfigured(
            _("The platform connection of %(a)s is switched off.") % {"a": account.name}
        )
    missing = missing_credentials(binding, authorizing=authorizing, present=present)
    if missing:
        raise CredentialsMissing(
            _(
                "%(a)s cannot connect: %(k)s is not in the credentials vault. Add it to the "
                "account's credentials (nothing was sent to the platform)."
            )
            % {"a": account.name, "k": ", ".join(_label(k) for k in missing)},
            platform=account.get_platform_display(),
        )
    base_url = resolve_base_url(binding)
    ref = ref_for_account(
        account,
        app_id=binding.app_id,
        base_url=base_url,
        options=dict(binding.options),
        timeout=float(getattr(settings, "MEDIADESK_PLATFORM_TIMEOUT_SECONDS", 15.0)),
    )
    if "store" not in options:
        options["store"] = DbTokenStore(account=account, aliases={base_url: binding.base_url})
    return for_platform(account.platform, ref, **options)


# -- configuring ------------------------------------------------------------------------------


def _clean_base_url(value: Any, kind: str) -> str:
    text = str(value or "").strip()
    if not text:
        return DEFAULT_BASE_URLS[kind]
    if text.startswith(SIMULATOR_MARKER):
        path = text[len(SIMULATOR_MARKER) :]
        if path and not re.fullmatch(r"(/[A-Za-z0-9_\-]+)+", path):
            raise ValidationFailed(
                _("After “simulator:” only a path such as /weibo may follow."),
                fields={"base_url": _("invalid")},
            )
        return text
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or len(text) > 300
    ):
        raise ValidationFailed(
            _("The base URL must be an http(s) address without query, or “simulator:”."),
            fields={"base_url": _("invalid")},
        )
    return text.rstrip("/")


def _clean_options(value: Any, kind: str) -> dict[str, Any]:
    options = dict(value or {})
    allowed = OPTION_TYPES[kind]
    unknown = set(options) - set(allowed)
    if unknown:
        raise ValidationFailed(
            _("Unknown options: %(o)s (allowed: %(a)s).")
            % {"o": ", ".join(sorted(unknown)), "a": ", ".join(sorted(allowed)) or "-"},
            fields={"options": _("unknown")},
        )
    for name, expected in allowed.items():
        if name not in options:
            continue
        item = options[name]
        ok = isinstance(item, expected) and not isinstance(item, bool)
        if name == "safe_domains":
            ok = ok and all(isinstance(d, str) and d.strip() for d in item)
            item = [d.strip() for d in item] if ok else item
        elif expected is str:
            ok = ok and bool(item.strip()) and len(item) <= 100
            item = item.strip() if ok else item
        if not ok:
            raise ValidationFailed(
                _("The option %(o)s is not valid.") % {"o": name},
                fields={f"options.{name}": _("invalid")},
            )
        options[name] = item
    return options


def _clean_app_id(value: Any) -> str:
    text = str(value or "").strip()
    if not APP_ID.match(text):
        raise ValidationFailed(
            _("The app id is required: letters, digits, “_”, “-” or “.”, at most 100."),
            fields={"app_id": _("invalid")},
        )
    return text


def snapshot(binding: PlatformBinding) -> dict[str, Any]:
    return {
        "account_id": binding.account_id,
        "base_url": binding.base_url,
        "app_id": binding.app_id,
        "options": binding.options,
        "enabled": binding.enabled,
    }


@transaction.atomic
def configure_binding(
    *,
    actor: Any,
    account: SocialAccount,
    app_id: str,
    base_url: str = "",
    options: dict[str, Any] | None = None,
    enabled: bool = True,
) -> PlatformBinding:
    """Create or replace the account's binding (an empty ``base_url`` is the real platform).

    When the endpoint or app id changes, the tokens held for the old one are dropped.
    """
    account = (
        SocialAccount.objects.select_for_update(of=("self",))
        .select_related("owning_unit")
        .get(pk=account.pk)
    )
    kind = family(account.platform)
    if kind is None:
        raise ValidationFailed(
            _("%(p)s has no publishing API here: it uses assisted publishing, no connection.")
            % {"p": account.get_platform_display()},
            fields={"platform": _("no API connector")},
        )
    clean = {
        "base_url": _clean_base_url(base_url, kind),
        "app_id": _clean_app_id(app_id),
        "options": _clean_options(options, kind),
        "enabled": bool(enabled),
    }
    binding = binding_of(account)
    before = snapshot(binding) if binding else None
    endpoint_changes = binding is None or (
        (binding.base_url, binding.app_id) != (clean["base_url"], clean["app_id"])
    )
    if endpoint_changes:
        require(actor, Action.CREDENTIAL_MANAGE, account)
    else:
        require(actor, Action.ACCOUNT_MANAGE, account)
    if kind == WECHAT:
        clash = PlatformBinding.objects.filter(
            app_id=clean["app_id"], account__platform__in=list(_wechat_platforms())
        ).exclude(account=account)
        if clash.exists():
            raise Conflict(
                _("Another account is already connected with this WeChat AppID."),
                fields={"app_id": _("in use")},
            )
    if binding is None:
        binding = PlatformBinding(account=account)
    for field, value in clean.items():
        setattr(binding, field, value)
    binding.updated_by = actor if getattr(actor, "pk", None) else None
    binding.save()
    dropped = 0
    if before is not None and endpoint_changes:
        dropped, _detail = PlatformToken.objects.filter(account=account).delete()
        token_store.forget_cached()  # this process's copies too (other processes' expire)
    record_event(
        action="platforms.binding.create" if before is None else "platforms.binding.update",
        actor=actor,
        obj=binding,
        before=before,
        after={**snapshot(binding), **({"tokens_dropped": dropped} if dropped else {})},
    )
    return binding


def _wechat_platforms() -> set[str]:
    return {p for p, k in FAMILY.items() if k == WECHAT}

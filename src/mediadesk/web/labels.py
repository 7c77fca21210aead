"""Human names for permission actions and audit event codes, in the interface language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mediadesk.orgs.permissions import Action

A = Action

ACTION_LABELS: dict[str, Any] = {
    A.ORG_VIEW: _("View the organisation"),
    A.ORG_MANAGE: _("Manage the organisation"),
    A.PERSON_VIEW: _("View people"),
    A.PERSON_MANAGE: _("Manage people"),
    A.ROLE_GRANT: _("Grant roles"),
    A.AUDIT_VIEW: _("Read the audit log"),
    A.AUDIT_EXPORT: _("Export the audit log"),
    A.SETTINGS_MANAGE: _("Manage system settings"),
    A.ACCOUNT_VIEW: _("View accounts"),
    A.ACCOUNT_APPLY: _("Apply for accounts"),
    A.ACCOUNT_MANAGE: _("Manage accounts"),
    A.ACCOUNT_APPROVE: _("Approve accounts"),
    A.ACCOUNT_FILE: _("File account changes"),
    A.CREDENTIAL_REVEAL: _("Reveal credentials"),
    A.CREDENTIAL_MANAGE: _("Manage credentials"),
    A.MENU_CHANGE: _("Change account menus"),
    A.CONTENT_VIEW: _("View content"),
    A.CONTENT_DRAFT: _("Draft content"),
    A.CONTENT_REVIEW_L1: _("L1 review"),
    A.CONTENT_REVIEW_L2: _("L2 review"),
    A.CONTENT_REVIEW_L3: _("L3 review"),
    A.CONTENT_PUBLISH: _("Publish content"),
    A.CONTENT_WITHDRAW: _("Withdraw content"),
    A.INBOX_VIEW: _("View interactions"),
    A.INBOX_REPLY: _("Reply to interactions"),
    A.ANALYTICS_VIEW: _("View analytics"),
    A.ANALYTICS_EXPORT: _("Export analytics"),
    A.RISK_VIEW: _("View risk alerts"),
    A.RISK_MANAGE: _("Handle risk incidents"),
    A.COMPLIANCE_MANAGE: _("Manage compliance rules"),
}

# Audit event codes written by the services; codes not listed here are shown as they are.
# Other apps add theirs with ``register_audit_labels`` (e.g. from their AppConfig.ready).
AUDIT_ACTION_LABELS: dict[str, Any] = {
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed log-in"),
    "auth.locked": _("Account locked"),
    "auth.logout": _("Logged out"),
    "auth.token.create": _("API token created"),
    "auth.token.revoke": _("API token revoked"),
    "orgs.unit.create": _("Unit created"),
    "orgs.unit.update": _("Unit changed"),
    "orgs.unit.move": _("Unit moved"),
    "orgs.unit.delete": _("Unit deleted"),
    "orgs.person.create": _("Person added"),
    "orgs.person.update": _("Person changed"),
    "orgs.person.deactivate": _("Person deactivated"),
    "orgs.person.set_password": _("Password set"),
    "orgs.person.unlock": _("Person unlocked"),
    "orgs.role.grant": _("Role granted"),
    "orgs.role.revoke": _("Role revoked"),
    "audit.export": _("Audit log exported"),
    "audit.purge": _("Audit log purged"),
}


# Prefixes offered in the audit filter (the filter matches a prefix).
AUDIT_ACTION_PREFIXES: list[tuple[str, Any]] = [
    ("auth.login", _("Log-ins")),
    ("auth.token", _("API tokens")),
    ("orgs.unit", _("Organisation")),
    ("orgs.person", _("People")),
    ("orgs.role", _("Roles")),
    ("audit", _("Audit log")),
]


def register_audit_labels(labels: dict[str, Any], prefixes: dict[str, Any] | None = None) -> None:
    """Name an app's audit event codes (lazy translations) and, optionally, filter prefixes."""
    AUDIT_ACTION_LABELS.update(labels)
    for prefix, label in (prefixes or {}).items():
        if all(prefix != known for known, _label in AUDIT_ACTION_PREFIXES):
            AUDIT_ACTION_PREFIXES.append((prefix, label))


SOURCE_LABELS: dict[str, Any] = {
    "web": _("Web"),
    "api": _("API"),
    "cli": _("Command line"),
    "job": _("Background job"),
    "system": _("System"),
    "demo": _("Demo data"),
}

# Django 5.2 changed this message's msgid and its own zh_Hans catalogue still carries the old
# one, so the password policy would speak English in a Chinese page; our catalogue fills the gap.
DJANGO_CATALOGUE_GAPS = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
]

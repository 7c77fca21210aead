"""The one permission service: may this person do this action on this object (ORG-2, ORG-3)?

Views, the API and background jobs all ask :func:`can` / :func:`require`. A role is granted on an
org unit and covers everything below it; which actions each role carries is the table
``ROLE_ACTIONS`` below, the single place to change it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediadesk.core.errors import PermissionDenied
from mediadesk.core.scopes import Scope, scope_of
from mediadesk.orgs.models import Role, RoleAssignment

__all__ = ["ALL_UNITS", "ROLE_ACTIONS", "Action", "Role", "can", "require", "unit_paths_for"]


class Action(StrEnum):
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    PERSON_VIEW = "person.view"
    PERSON_MANAGE = "person.manage"
    ROLE_GRANT = "role.grant"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    SETTINGS_MANAGE = "settings.manage"
    ACCOUNT_VIEW = "account.view"
    ACCOUNT_APPLY = "account.apply"
    ACCOUNT_MANAGE = "account.manage"
    ACCOUNT_APPROVE = "account.approve"
    ACCOUNT_FILE = "account.file"
    CREDENTIAL_REVEAL = "credential.reveal"
    CREDENTIAL_MANAGE = "credential.manage"
    MENU_CHANGE = "menu.change"
    CONTENT_VIEW = "content.view"
    CONTENT_DRAFT = "content.draft"
    CONTENT_REVIEW_L1 = "content.review_l1"
    CONTENT_REVIEW_L2 = "content.review_l2"
    CONTENT_REVIEW_L3 = "content.review_l3"
    CONTENT_PUBLISH = "content.publish"
    CONTENT_WITHDRAW = "content.withdraw"
    INBOX_VIEW = "inbox.view"
    INBOX_REPLY = "inbox.reply"
    ANALYTICS_VIEW = "analytics.view"
    ANALYTICS_EXPORT = "analytics.export"
    RISK_VIEW = "risk.view"
    RISK_MANAGE = "risk.manage"
    COMPLIANCE_MANAGE = "compliance.manage"


A = Action

ACTION_LABELS: dict[Action, Any] = {
    A.ORG_VIEW: gettext_lazy("view the organisation"),
    A.ORG_MANAGE: gettext_lazy("change the organisation"),
    A.PERSON_VIEW: gettext_lazy("view people"),
    A.PERSON_MANAGE: gettext_lazy("manage people"),
    A.ROLE_GRANT: gettext_lazy("grant roles"),
    A.AUDIT_VIEW: gettext_lazy("read the audit log"),
    A.AUDIT_EXPORT: gettext_lazy("export the audit log"),
    A.SETTINGS_MANAGE: gettext_lazy("change settings"),
    A.ACCOUNT_VIEW: gettext_lazy("view accounts"),
    A.ACCOUNT_APPLY: gettext_lazy("apply for accounts"),
    A.ACCOUNT_MANAGE: gettext_lazy("manage accounts"),
    A.ACCOUNT_APPROVE: gettext_lazy("approve accounts"),
    A.ACCOUNT_FILE: gettext_lazy("file account changes"),
    A.CREDENTIAL_REVEAL: gettext_lazy("reveal credentials"),
    A.CREDENTIAL_MANAGE: gettext_lazy("manage credentials"),
    A.MENU_CHANGE: gettext_lazy("change menus"),
    A.CONTENT_VIEW: gettext_lazy("view content"),
    A.CONTENT_DRAFT: gettext_lazy("draft content"),
    A.CONTENT_REVIEW_L1: gettext_lazy("review at level 1"),
    A.CONTENT_REVIEW_L2: gettext_lazy("review at level 2"),
    A.CONTENT_REVIEW_L3: gettext_lazy("review at level 3"),
    A.CONTENT_PUBLISH: gettext_lazy("publish"),
    A.CONTENT_WITHDRAW: gettext_lazy("withdraw posts"),
    A.INBOX_VIEW: gettext_lazy("view the inbox"),
    A.INBOX_REPLY: gettext_lazy("reply to comments and messages"),
    A.ANALYTICS_VIEW: gettext_lazy("view analytics"),
    A.ANALYTICS_EXPORT: gettext_lazy("export analytics"),
    A.RISK_VIEW: gettext_lazy("view risks"),
    A.RISK_MANAGE: gettext_lazy("manage risks and crises"),
    A.COMPLIANCE_MANAGE: gettext_lazy("change the compliance lexicon"),
}
_VIEW_BASICS = {A.ORG_VIEW, A.ACCOUNT_VIEW, A.CONTENT_VIEW}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    # Overall decisions: sees everything, decides in a crisis, does not edit day-to-day work.
    Role.GENERAL_MANAGER: frozenset(
        _VIEW_BASICS
        | {A.PERSON_VIEW, A.AUDIT_VIEW, A.INBOX_VIEW, A.ANALYTICS_VIEW, A.ANALYTICS_EXPORT}
        | {A.RISK_VIEW, A.RISK_MANAGE}
    ),
    # Governs all accounts: the organisation, people, approvals of accounts, filings.
    Role.HQ_COMMUNICATIONS: frozenset(
        _VIEW_BASICS
        | {A.ORG_MANAGE, A.PERSON_VIEW, A.PERSON_MANAGE, A.ROLE_GRANT}
        | {A.AUDIT_VIEW, A.AUDIT_EXPORT, A.SETTINGS_MANAGE}
        | {A.ACCOUNT_APPLY, A.ACCOUNT_MANAGE, A.ACCOUNT_APPROVE, A.ACCOUNT_FILE}
        | {A.CONTENT_PUBLISH, A.CONTENT_WITHDRAW, A.INBOX_VIEW}
        | {A.ANALYTICS_VIEW, A.ANALYTICS_EXPORT, A.RISK_VIEW, A.RISK_MANAGE, A.COMPLIANCE_MANAGE}
    ),
    Role.OPERATOR: frozenset(
        _VIEW_BASICS
        | {A.ACCOUNT_APPLY, A.ACCOUNT_FILE, A.CONTENT_DRAFT, A.CONTENT_PUBLISH}
        | {A.INBOX_VIEW, A.INBOX_REPLY, A.ANALYTICS_VIEW}
    ),
    Role.REVIEWER_L1: frozenset(_VIEW_BASICS | {A.CONTENT_REVIEW_L1, A.ANALYTICS_VIEW}),
    Role.REVIEWER_L2: frozenset(
        _VIEW_BASICS | {A.PERSON_VIEW, A.CONTENT_REVIEW_L2, A.ANALYTICS_VIEW}
    ),
    Role.REVIEWER_L3: frozenset(
        _VIEW_BASICS | {A.CONTENT_REVIEW_L3, A.RISK_VIEW, A.COMPLIANCE_MANAGE}
    ),
    Role.CUSTOMER_SERVICE: frozenset(_VIEW_BASICS | {A.INBOX_VIEW, A.INBOX_REPLY}),
    Role.DATA_ANALYST: frozenset(_VIEW_BASICS | {A.ANALYTICS_VIEW, A.ANALYTICS_EXPORT}),
    Role.TECHNICAL_SUPPORT: frozenset(
        _VIEW_BASICS | {A.SETTINGS_MANAGE, A.MENU_CHANGE, A.AUDIT_VIEW}
    ),
    # Holds the credentials (ACC-6).
    Role.ACCOUNT_ADMIN: frozenset(
        _VIEW_BASICS
        | {A.PERSON_VIEW, A.ACCOUNT_MANAGE, A.CREDENTIAL_REVEAL, A.CREDENTIAL_MANAGE, A.MENU_CHANGE}
    ),
}

# Powers over people, secrets and approvals. Whoever grants a role carrying one of these must
# hold it there too, so nobody can hand out more control than they have (Postiz #866: a basic
# user could invite an admin). Day-to-day powers (drafting, reviewing, replying, analytics) may
# be delegated by anyone who may grant roles at that place: that is how HQ staffs account teams.
ADMINISTRATIVE_ACTIONS = frozenset(
    {
        A.ORG_MANAGE,
        A.PERSON_MANAGE,
        A.ROLE_GRANT,
        A.AUDIT_VIEW,
        A.AUDIT_EXPORT,
        A.SETTINGS_MANAGE,
        A.ACCOUNT_MANAGE,
        A.ACCOUNT_APPROVE,
        A.CREDENTIAL_REVEAL,
        A.CREDENTIAL_MANAGE,
        A.MENU_CHANGE,
        A.RISK_MANAGE,
        A.COMPLIANCE_MANAGE,
    }
)

ALL_UNITS = object()  # returned by unit_paths_for when the grant covers the whole organisation

_CACHE_ATTR = "_mediadesk_grants"


def _grants(user: Any) -> list[tuple[str, str, int | None]]:
    """(role, unit path, account id) of the user's active grants, cached on the user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.active()
            .filter(user_id=user.pk)
            .values_list("role", "org_unit__path", "account_id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user: Any) -> None:
    """Drop the cached grants after they changed, so the next check reads them afresh."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _is_usable(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can(user: Any, action: Action | str, obj: Any = None) -> bool:
    """True when ``user`` may perform ``action`` on ``obj`` (or somewhere, when ``obj`` is None)."""
    if not _is_usable(user):
        return False
    action = Action(action)
    if user.is_superuser:
        return True
    scope = None if obj is None else scope_of(obj)
    for role, path, account_id in _grants(user):
        if action not in ROLE_ACTIONS.get(role, ()):
            continue
        if scope is None:
            return True
        if path and scope.unit_path and scope.unit_path.startswith(path):
            return True
        if account_id is not None and scope.account_id == account_id:
            return True
        if path and not scope.unit_path and path.count("/") == 2:
            # Objects outside any unit (system-wide settings) belong to whoever governs the root.
            return True
    return False


def require(user: Any, action: Action | str, obj: Any = None) -> None:
    """Raise :class:`PermissionDenied` naming the action unless :func:`can` allows it."""
    if not can(user, action, obj):
        where = f" ({obj})" if obj is not None and not isinstance(obj, Scope) else ""
        label = ACTION_LABELS.get(Action(action), action)
        raise PermissionDenied(
            _("You are not allowed to %(action)s%(where)s.") % {"action": label, "where": where}
        )


def unit_paths_for(user: Any, action: Action | str) -> Any:
    """Unit paths under which ``user`` may do ``action``; ``ALL_UNITS`` for the whole group."""
    if not _is_usable(user):
        return []
    action = Action(action)
    if user.is_superuser:
        return ALL_UNITS
    paths = sorted(
        {path for role, path, _a in _grants(user) if path and action in ROLE_ACTIONS.get(role, ())}
    )
    if any(path.count("/") == 2 for path in paths):
        return ALL_UNITS
    return paths


def account_ids_for(user: Any, action: Action | str) -> set[int]:
    """Accounts on which ``user`` holds ``action`` through a grant on that single account."""
    if not _is_usable(user):
        return set()
    action = Action(action)
    return {
        account_id
        for role, _path, account_id in _grants(user)
        if account_id is not None and action in ROLE_ACTIONS.get(role, ())
    }


def role_actions(role: str) -> frozenset[Action]:
    return ROLE_ACTIONS.get(role, frozenset())

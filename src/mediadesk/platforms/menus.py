"""The WeChat custom menu: read the live one, and change it only after approval (ORG-3).

* :func:`refresh_menu` reads the menu through the connector into ``SocialAccount.wechat_menu``
  so the conformity check (``accounts.conformity.check_menu``) reports on what followers see.
* :func:`request_menu_change` → :func:`approve_menu_change` (someone with ``account.approve``
  who is not the requester) → the connector replaces the menu on WeChat → the outcome is
  recorded. Every step is audited. The platform call happens outside any database
  transaction: the approval is committed first (status ``applying``), the result after.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.conformity import validate_menu
from mediadesk.accounts.models import AccountStatus, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import User
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.platforms.bindings import WECHAT, connector_for, family
from mediadesk.platforms.connectors import ConnectorError, InvalidContent, wechat_rules
from mediadesk.platforms.models import (
    MenuChangeRequest,
    MenuChangeStatus,
    PlatformBinding,
)

log = logging.getLogger(__name__)


def _need_wechat(account: SocialAccount) -> None:
    if family(account.platform) != WECHAT:
        raise ValidationFailed(
            _("Only WeChat Official Accounts have a custom menu."),
            fields={"account": _("not a WeChat account")},
        )


def _people_who_may(action: Action, obj: Any) -> list[User]:
    return [u for u in User.objects.filter(is_active=True) if can(u, action, obj)]


# -- the live menu ---------------------------------------------------------------------------


def refresh_menu(*, account: SocialAccount, actor: Any = None) -> SocialAccount:
    """Fetch the live menu into ``wechat_menu`` (None when the account has none).

    ``actor`` None is the system (the periodic job). A changed menu is audited; an unchanged
    one only moves ``wechat_menu_fetched_at``.
    """
    _need_wechat(account)
    if actor is not None and not can(actor, Action.ACCOUNT_MANAGE, account):
        require(actor, Action.MENU_CHANGE, account)  # either permission will do
    with connector_for(account) as connector:
        live = connector.get_menu()
    now = timezone.now()
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
        before = account.wechat_menu
        account.wechat_menu = live
        account.wechat_menu_fetched_at = now
        account.save(update_fields=["wechat_menu", "wechat_menu_fetched_at", "updated_at"])
        if before != live:
            record_event(
                action="platforms.menu.fetch",
                actor=actor,
                obj=account,
                before={"wechat_menu": before},
                after={"wechat_menu": live},
            )
    return account


def refresh_all_menus() -> dict[str, int]:
    """The periodic job: every enabled WeChat binding of a live account; one failure does not
    stop the others (it is logged, and the account keeps its last known menu)."""
    done = failed = 0
    bindings = PlatformBinding.objects.filter(
        enabled=True,
        account__platform__in=["wechat_service", "wechat_subscription"],
        account__status__in=[AccountStatus.ACTIVE, AccountStatus.STOPPED],
    ).select_related("account__owning_unit")
    for binding in bindings:
        try:
            refresh_menu(account=binding.account)
            done += 1
        except ConnectorError as exc:
            failed += 1
            log.warning("menu of account %s not fetched: %s", binding.account_id, exc)
    return {"fetched": done, "failed": failed}


# -- changes -------------------------------------------------------------------------------


def _clean_menu(menu: Any) -> dict[str, Any]:
    validate_menu(menu)
    try:
        return wechat_rules.check_menu(menu)
    except InvalidContent as exc:
        raise ValidationFailed(exc.message, fields={"menu": exc.message}) from None


def _locked(change: MenuChangeRequest) -> MenuChangeRequest:
    return (
        MenuChangeRequest.objects.select_for_update(of=("self",))
        .select_related("account__owning_unit", "requested_by")
        .get(pk=change.pk)
    )


def _audit(action: str, actor: Any, change: MenuChangeRequest, **after: Any) -> None:
    record_event(
        action=f"platforms.menu_change.{action}",
        actor=actor,
        obj=change,
        after={"account_id": change.account_id, "status": change.status, **after},
    )


def request_menu_change(
    *, actor: Any, account: SocialAccount, menu: Any, reason: str = ""
) -> MenuChangeRequest:
    """Propose a new menu; approvers of the account are told."""
    require(actor, Action.MENU_CHANGE, account)
    _need_wechat(account)
    clean = _clean_menu(menu)
    try:
        with transaction.atomic():
            change = MenuChangeRequest.objects.create(
                account=account, menu=clean, reason=(reason or "").strip(), requested_by=actor
            )
            _audit("request", actor, change, menu=clean, reason=change.reason)
    except IntegrityError:
        raise Conflict(
            _("A menu change for this account is already waiting; decide on it first.")
        ) from None
    approvers = [u for u in _people_who_may(Action.ACCOUNT_APPROVE, account) if u.pk != actor.pk]
    notify(
        approvers,
        kind="platforms.menu_change",
        title=_("Menu change for %(a)s awaits approval") % {"a": account.name},
        link=f"/accounts/{account.pk}/",
        dedupe_key=f"menu-change-{change.pk}",
    )
    return change


def _check_approver(actor: Any, change: MenuChangeRequest) -> None:
    require(actor, Action.ACCOUNT_APPROVE, change.account)
    if getattr(actor, "pk", None) == change.requested_by_id:
        raise PermissionDenied(
            _("You asked for this menu change; someone else must approve or reject it.")
        )


def approve_menu_change(
    *, actor: Any, change: MenuChangeRequest, comment: str = ""
) -> MenuChangeRequest:
    """Approve, then set the menu on WeChat and record the outcome.

    A failed change (the platform refused or did not answer) stays ``failed`` with the reason
    and may be approved again (menu create is idempotent); the error is raised after it is
    recorded.
    """
    with transaction.atomic():
        change = _locked(change)
        _check_approver(actor, change)
        if change.status not in (MenuChangeStatus.PENDING, MenuChangeStatus.FAILED):
            raise Conflict(
                _("This menu change is %(s)s; it cannot be approved.")
                % {"s": change.get_status_display()}
            )
        change.status = MenuChangeStatus.APPLYING
        change.decided_by, change.decided_at = actor, timezone.now()
        change.comment = (comment or "").strip()
        change.error = change.error_code = ""
        change.save()
        _audit("approve", actor, change, comment=change.comment)
    try:
        with connector_for(change.account) as connector:
            connector.set_menu(change.menu)
    except ConnectorError as exc:
        _record_failure(actor, change, exc)
        raise
    with transaction.atomic():
        change = _locked(change)
        account = SocialAccount.objects.select_for_update(of=("self",)).get(pk=change.account_id)
        before = account.wechat_menu
        now = timezone.now()
        account.wechat_menu = change.menu
        account.wechat_menu_fetched_at = now
        account.save(update_fields=["wechat_menu", "wechat_menu_fetched_at", "updated_at"])
        change.status, change.applied_at = MenuChangeStatus.APPLIED, now
        change.save()
        record_event(
            action="platforms.menu_change.apply",
            actor=actor,
            obj=change,
            before={"wechat_menu": before},
            after={"account_id": account.pk, "status": change.status, "wechat_menu": change.menu},
        )
    return change


def _record_failure(actor: Any, change: MenuChangeRequest, exc: ConnectorError) -> None:
    with transaction.atomic():
        change = _locked(change)
        change.status = MenuChangeStatus.FAILED
        change.error = exc.message[:2000]
        change.error_code = str(exc.raw_code if exc.raw_code is not None else exc.code)[:60]
        change.save()
        _audit("fail", actor, change, error=change.error, error_code=change.error_code)


def reject_menu_change(
    *, actor: Any, change: MenuChangeRequest, comment: str = ""
) -> MenuChangeRequest:
    with transaction.atomic():
        change = _locked(change)
        _check_approver(actor, change)
        if change.status not in (MenuChangeStatus.PENDING, MenuChangeStatus.FAILED):
            raise Conflict(
                _("This menu change is %(s)s; it cannot be rejected.")
                % {"s": change.get_status_display()}
            )
        change.status = MenuChangeStatus.REJECTED
        change.decided_by, change.decided_at = actor, timezone.now()
        change.comment = (comment or "").strip()
        change.save()
        _audit("reject", actor, change, comment=change.comment)
    notify(
        [change.requested_by],
        kind="platforms.menu_change",
        title=_("Menu change for %(a)s was rejected") % {"a": change.account.name},
        body=change.comment,
        link=f"/accounts/{change.account_id}/",
        dedupe_key=f"menu-change-{change.pk}-rejected",
    )
    return change


def withdraw_menu_change(*, actor: Any, change: MenuChangeRequest) -> MenuChangeRequest:
    with transaction.atomic():
        change = _locked(change)
        if getattr(actor, "pk", None) != change.requested_by_id:
            raise PermissionDenied(
                _("Only the person who asked for a menu change can withdraw it.")
            )
        if change.status not in (MenuChangeStatus.PENDING, MenuChangeStatus.FAILED):
            raise Conflict(
                _("This menu change is %(s)s; it cannot be withdrawn.")
                % {"s": change.get_status_display()}
            )
        change.status = MenuChangeStatus.WITHDRAWN
        change.save()
        _audit("withdraw", actor, change)
    return change


# -- reading --------------------------------------------------------------------------------


def list_menu_changes(
    *, user: Any, account: SocialAccount, status: str | None = None
) -> QuerySet[MenuChangeRequest]:
    require(user, Action.ACCOUNT_VIEW, account)
    qs = MenuChangeRequest.objects.filter(account=account).select_related("account")
    return qs.filter(status=status) if status else qs


def get_menu_change(*, user: Any, change_id: int) -> MenuChangeRequest:
    change = (
        MenuChangeRequest.objects.select_related("account__owning_unit")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        raise NotFound(f"menu change {change_id} does not exist")
    require(user, Action.ACCOUNT_VIEW, change.account)
    return change

"""Reading the account matrix, limited to what the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mediadesk.accounts.conformity import Deviation, check_account, standards_for
from mediadesk.accounts.models import (
    AccountApplication,
    AccountStatus,
    Filing,
    FilingStatus,
    Platform,
    RotationTask,
    SocialAccount,
)
from mediadesk.core.errors import NotFound
from mediadesk.orgs.models import OrgUnit, UnitKind
from mediadesk.orgs.permissions import (
    ALL_UNITS,
    Action,
    account_ids_for,
    require,
    unit_paths_for,
)

VERIFICATION_WARNING_DAYS = 30


def _visible(
    qs: QuerySet, user: Any, action: Action, unit_field: str, account_field: str
) -> QuerySet:
    paths = unit_paths_for(user, action)
    if paths is ALL_UNITS:
        return qs
    condition = Q(**{f"{account_field}__in": account_ids_for(user, action)})
    for path in paths:
        condition |= Q(**{f"{unit_field}__startswith": path})
    return qs.filter(condition)


def visible_accounts(user: Any, action: Action = Action.ACCOUNT_VIEW) -> QuerySet[SocialAccount]:
    return _visible(
        SocialAccount.objects.select_related("owning_unit", "responsible_person"),
        user,
        action,
        "owning_unit__path",
        "pk",
    )


def list_accounts(
    *,
    user: Any,
    platform: str | None = None,
    unit: int | None = None,
    status: str | None = None,
    matrix_role: str | None = None,
    q: str | None = None,
) -> QuerySet[SocialAccount]:
    require(user, Action.ACCOUNT_VIEW)
    qs = visible_accounts(user)
    if platform:
        qs = qs.filter(platform=platform)
    if unit is not None:
        target = OrgUnit.objects.filter(pk=unit).first()
        qs = qs.filter(owning_unit__path__startswith=target.path) if target else qs.none()
    if status:
        qs = qs.filter(status=status)
    if matrix_role:
        qs = qs.filter(matrix_role=matrix_role)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(platform_account_id__icontains=q))
    return qs


def get_account(*, user: Any, account_id: int) -> SocialAccount:
    account = (
        SocialAccount.objects.select_related("owning_unit", "responsible_person")
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise NotFound(f"account {account_id} does not exist")
    require(user, Action.ACCOUNT_VIEW, account)
    return account


def list_applications(
    *, user: Any, status: str | None = None, unit: int | None = None
) -> QuerySet[AccountApplication]:
    require(user, Action.ACCOUNT_VIEW)
    qs = _visible(
        AccountApplication.objects.select_related("account", "unit", "applicant", "decided_by"),
        user,
        Action.ACCOUNT_VIEW,
        "unit__path",
        "account_id",
    )
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    return qs.order_by("-updated_at")


def get_application(*, user: Any, application_id: int) -> AccountApplication:
    application = (
        AccountApplication.objects.select_related("account__owning_unit", "unit", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound(f"application {application_id} does not exist")
    require(user, Action.ACCOUNT_VIEW, application)
    return application


def list_filings(
    *,
    user: Any,
    account: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
) -> QuerySet[Filing]:
    require(user, Action.ACCOUNT_VIEW)
    qs = _visible(
        Filing.objects.select_related("account__owning_unit", "filed_by"),
        user,
        Action.ACCOUNT_VIEW,
        "account__owning_unit__path",
        "account_id",
    )
    if account is not None:
        qs = qs.filter(account_id=account)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(_late_condition())
    return qs.order_by("due_on", "-created_at")


def _late_condition() -> Q:
    today = timezone.localdate()
    return Q(status=FilingStatus.DUE, due_on__lt=today) | Q(
        status=FilingStatus.FILED, due_on__isnull=False, filed_at__date__gt=F("due_on")
    )


def is_late(filing: Filing) -> bool:
    if filing.due_on is None:
        return False
    if filing.status == FilingStatus.DUE:
        return timezone.localdate() > filing.due_on
    return (
        filing.filed_at is not None and timezone.localtime(filing.filed_at).date() > filing.due_on
    )


def open_rotation_tasks(*, user: Any) -> QuerySet[RotationTask]:
    require(user, Action.CREDENTIAL_MANAGE)
    return _visible(
        RotationTask.objects.filter(done_at__isnull=True).select_related(
            "credential__account", "departed"
        ),
        user,
        Action.CREDENTIAL_MANAGE,
        "credential__account__owning_unit__path",
        "credential__account_id",
    )


def conformity_report(
    *, user: Any, unit: int | None = None
) -> list[tuple[SocialAccount, list[Deviation]]]:
    """Every visible, live account with the deviations from its unit's standards."""
    accounts = list_accounts(user=user, unit=unit).exclude(status__in=[AccountStatus.CLOSED])
    cache: dict[int, Any] = {}
    report = []
    for account in accounts:
        if account.owning_unit_id not in cache:
            cache[account.owning_unit_id] = standards_for(account.owning_unit)
        report.append((account, check_account(account, cache[account.owning_unit_id])))
    return report


@dataclass
class MatrixCell:
    accounts: list[SocialAccount] = field(default_factory=list)


@dataclass
class AccountHealth:
    deviations: list[Deviation]
    verification_days_left: int | None
    overdue_filings: int
    flags: list[str]


def account_health(
    account: SocialAccount, deviations: list[Deviation], overdue: int, today: dt.date
) -> AccountHealth:
    flags = []
    days_left = None
    if account.verification_expires_on:
        days_left = (account.verification_expires_on - today).days
        if days_left < 0:
            flags.append("verification_lapsed")
        elif days_left <= VERIFICATION_WARNING_DAYS:
            flags.append("verification_expiring")
    if deviations:
        flags.append("nonconforming")
    if overdue:
        flags.append("filing_overdue")
    if account.status in (AccountStatus.STOPPED, AccountStatus.SUSPENDED):
        flags.append(account.status)
    return AccountHealth(deviations, days_left, overdue, flags)


def matrix(*, user: Any) -> dict[str, Any]:
    """Units × platforms, each cell the accounts there with their health flags (ACC-1, ACC-7)."""
    report = conformity_report(user=user)
    overdue_by_account: dict[int, int] = {}
    for filing in list_filings(user=user, overdue=True):
        overdue_by_account[filing.account_id] = overdue_by_account.get(filing.account_id, 0) + 1
    today = timezone.localdate()
    units = {u.pk: u for u in OrgUnit.objects.exclude(kind=UnitKind.DEPARTMENT)}
    rows: dict[int, dict[str, list[tuple[SocialAccount, AccountHealth]]]] = {}
    for account, deviations in report:
        unit = account.owning_unit
        while (
            unit.kind == UnitKind.DEPARTMENT and unit.parent_id
        ):  # departments fold into their unit
            unit = units.get(unit.parent_id) or unit.parent
        health = account_health(account, deviations, overdue_by_account.get(account.pk, 0), today)
        rows.setdefault(unit.pk, {}).setdefault(account.platform, []).append((account, health))
    platforms = [p for p in Platform if any(p.value in cells for cells in rows.values())]
    ordered_units = sorted((units[u] for u in rows if u in units), key=lambda u: u.path)
    return {"platforms": platforms, "units": ordered_units, "rows": rows}


# --- for the web pages ---------------------------------------------------------------------------


def awaiting_decision(*, user: Any) -> QuerySet[AccountApplication]:
    """Submitted applications this person may decide on (HQ communications' queue)."""
    from mediadesk.accounts.models import ApplicationStatus

    require(user, Action.ACCOUNT_APPROVE)
    return _visible(
        AccountApplication.objects.filter(status=ApplicationStatus.SUBMITTED).select_related(
            "account", "unit", "applicant"
        ),
        user,
        Action.ACCOUNT_APPROVE,
        "unit__path",
        "account_id",
    ).order_by("updated_at")


def account_team(*, user: Any, account: SocialAccount) -> QuerySet[Any]:
    """The active roles granted on this one account (operators, reviewers, administrators)."""
    from mediadesk.orgs.models import RoleAssignment

    require(user, Action.ACCOUNT_VIEW, account)
    return (
        RoleAssignment.objects.active()
        .filter(account=account)
        .select_related("user", "granted_by")
        .order_by("role", "user__username")
    )


def visible_links(*, user: Any, account: SocialAccount | None = None) -> QuerySet[Any]:
    """Cross-promotion links between accounts the person may see (of one account, if given)."""
    from mediadesk.accounts.models import AccountLink

    require(user, Action.ACCOUNT_VIEW)
    visible = visible_accounts(user)
    qs = AccountLink.objects.filter(source__in=visible, target__in=visible).select_related(
        "source", "target"
    )
    if account is not None:
        qs = qs.filter(Q(source=account) | Q(target=account))
    return qs.order_by("source__name", "target__name")


def account_credentials(*, user: Any, account: SocialAccount) -> QuerySet[Any]:
    """What is stored for an account and when it was rotated: metadata, never a value."""
    from mediadesk.accounts.models import Credential

    require(user, Action.CREDENTIAL_MANAGE, account)
    return (
        Credential.objects.filter(account=account)
        .select_related("created_by", "rotated_by")
        .prefetch_related("rotations__rotated_by", "rotation_tasks")
        .defer("ciphertext")
    )

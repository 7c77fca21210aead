"""The daily look ahead (PUB-3): tell each account's people about gaps, overloads and quota
breaches in the next days, once per account, kind and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mediadesk.accounts.models import SocialAccount
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import Role, User
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.planning_warnings import accounts_in, calendar_warnings

#: Today and the next two days: near enough to act on, far enough to plan.
LOOKAHEAD_DAYS = 3
NOTIFIED_CODES = ("frequency_gap", "frequency_overload", "quota_breach")


def account_people(account: SocialAccount) -> list[User]:
    """Whoever runs the account: its responsible person and the operators granted on it or on
    its unit (or a unit above, short of the whole group: HQ is not every account's operator)."""
    units = [uid for uid in account.owning_unit.ancestor_ids()[1:]]
    operators = User.objects.filter(
        Q(role_assignments__account=account) | Q(role_assignments__org_unit_id__in=units),
        is_active=True,
        role_assignments__role=Role.OPERATOR,
        role_assignments__revoked_at__isnull=True,
    ).distinct()
    people = {u.pk: u for u in operators}
    if account.responsible_person_id and account.responsible_person.is_active:
        people[account.responsible_person_id] = account.responsible_person
    return list(people.values())


def warn_ahead(today: dt.date | None = None) -> int:
    """Notify about every warning of the coming days; returns the notifications sent."""
    today = today or rules.local_today()
    end = today + dt.timedelta(days=LOOKAHEAD_DAYS - 1)
    accounts = accounts_in(None)
    by_pk = {a.pk: a for a in accounts}
    sent = 0
    for warning in calendar_warnings(scope=None, start=today, end=end, accounts=accounts):
        if warning.code not in NOTIFIED_CODES or warning.account_id not in by_pk:
            continue
        account = by_pk[warning.account_id]
        key = f"planning:{warning.code}:{account.pk}:{warning.period}:{warning.starts_on}"
        titles: dict[str, Any] = {
            "frequency_gap": _("Too few posts planned for %(a)s"),
            "frequency_overload": _("Too many posts planned for %(a)s"),
            "quota_breach": _("Mass-send quota exceeded on %(a)s"),
        }
        sent += len(
            notify(
                account_people(account),
                kind=f"publishing.{warning.code}",
                title=titles[warning.code] % {"a": account.name},
                body=warning.message,
                link=f"/publishing/calendar/?account={account.pk}&day={warning.starts_on}",
                dedupe_key=key,
            )
        )
    return sent

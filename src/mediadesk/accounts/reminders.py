"""Reminders before a verification lapses and about filings that are due or late (ACC-1, ACC-3).

Each reminder is sent once per account, threshold and person (notification dedupe keys), so the
daily job can run as often as it likes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.models import AccountStatus, Filing, FilingStatus, SocialAccount
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import User
from mediadesk.orgs.permissions import Action, can

VERIFICATION_THRESHOLDS_DAYS = (30, 7, 1)


def _people_who_may(action: Action, obj: Any) -> list[User]:
    return [u for u in User.objects.filter(is_active=True) if can(u, action, obj)]


def remind_verification_expiry(today: dt.date | None = None) -> int:
    """Tell account administrators and HQ when a verification lapses within 30, 7 or 1 day(s):
    an unverified account loses the publishing API."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(VERIFICATION_THRESHOLDS_DAYS))
    sent = 0
    accounts = SocialAccount.objects.filter(
        verification_expires_on__isnull=False,
        verification_expires_on__lte=horizon,
        status__in=[AccountStatus.ACTIVE, AccountStatus.STOPPED],
    ).select_related("owning_unit")
    for account in accounts:
        days_left = (account.verification_expires_on - today).days
        threshold = next((t for t in sorted(VERIFICATION_THRESHOLDS_DAYS) if days_left <= t), None)
        if threshold is None:
            continue
        title = (
            _("Verification of %(a)s lapsed on %(d)s: publishing through the API stops")
            if days_left < 0
            else _("Verification of %(a)s lapses on %(d)s (%(n)d days left)")
        ) % {"a": account.name, "d": account.verification_expires_on, "n": days_left}
        recipients = _people_who_may(Action.CREDENTIAL_MANAGE, account) + _people_who_may(
            Action.ACCOUNT_APPROVE, account
        )
        stage = threshold if days_left >= 0 else "lapsed"
        key = f"verification-{account.pk}-{account.verification_expires_on}-{stage}"
        sent += len(
            notify(
                recipients,
                kind="account.verification",
                title=title,
                link=f"/accounts/{account.pk}/",
                dedupe_key=key,
            )
        )
    return sent


def remind_due_filings(today: dt.date | None = None) -> int:
    """Tell the unit on the last working day and everyone governing it once a filing is late."""
    today = today or timezone.localdate()
    sent = 0
    for filing in Filing.objects.filter(
        status=FilingStatus.DUE, due_on__isnull=False
    ).select_related("account__owning_unit"):
        if filing.due_on < today:
            title = _("Late filing: %(k)s for %(a)s was due on %(d)s") % {
                "k": filing.get_kind_display(),
                "a": filing.account.name,
                "d": filing.due_on,
            }
            recipients = _people_who_may(Action.ACCOUNT_FILE, filing) + _people_who_may(
                Action.ACCOUNT_APPROVE, filing
            )
            key = f"filing-late-{filing.pk}"
        elif filing.due_on == today:
            title = _("Filing due today: %(k)s for %(a)s") % {
                "k": filing.get_kind_display(),
                "a": filing.account.name,
            }
            recipients = _people_who_may(Action.ACCOUNT_FILE, filing)
            key = f"filing-due-{filing.pk}"
        else:
            continue
        sent += len(
            notify(
                recipients,
                kind="account.filing",
                title=title,
                link=f"/accounts/{filing.account_id}/",
                dedupe_key=key,
            )
        )
    return sent

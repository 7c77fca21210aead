import datetime as dt

import pytest

from mediadesk.accounts import services
from mediadesk.accounts.models import Filing
from mediadesk.accounts.reminders import remind_due_filings, remind_verification_expiry
from mediadesk.core.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_account_administrators_hear_before_a_verification_lapses_once_per_threshold():
    account = f.account(
        verification_status="verified", verification_expires_on=TODAY + dt.timedelta(days=6)
    )
    keeper = f.person(account.owning_unit, "account_admin")
    assert remind_verification_expiry(TODAY) >= 1
    remind_verification_expiry(TODAY)  # the job runs again the same day
    mine = Notification.objects.filter(recipient=keeper, kind="account.verification")
    assert mine.count() == 1 and "6" in mine.get().title


def test_no_reminder_while_the_verification_is_far_off():
    account = f.account(verification_expires_on=TODAY + dt.timedelta(days=90))
    f.person(account.owning_unit, "account_admin")
    assert remind_verification_expiry(TODAY) == 0


def test_a_late_filing_is_flagged_to_the_unit_and_to_hq():
    account = f.account()
    operator = f.person(account.owning_unit, "operator")
    hq = f.person(f.group(), "hq_communications")
    services.grant_account_role(
        actor=f.superuser(), person=f.person(), role="operator", account=account
    )
    Filing.objects.filter(kind="operator_change").update(due_on=TODAY - dt.timedelta(days=1))
    remind_due_filings(TODAY)
    for person in (operator, hq):
        assert Notification.objects.filter(
            recipient=person, kind="account.filing", title__contains="Late"
        ).exists()

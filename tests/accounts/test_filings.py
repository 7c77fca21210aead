import datetime as dt

import pytest
import time_machine

from mediadesk.accounts import selectors, services
from mediadesk.accounts.models import Filing
from mediadesk.core.errors import ValidationFailed
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_closing_an_account_is_filed_with_the_reason_and_recipients():
    account = f.account()
    filing = services.file_status_change(
        actor=f.superuser(), account=account, kind="closure", reason="业务调整"
    )
    account.refresh_from_db()
    assert account.status == "closed"
    assert filing.reason == "业务调整" and filing.recipients


def test_a_filing_for_a_closed_account_is_refused_and_changes_nothing():
    account = f.account()
    services.file_status_change(actor=f.superuser(), account=account, kind="closure", reason="停用")
    count = Filing.objects.count()
    with pytest.raises(ValidationFailed, match="already closed"):
        services.file_status_change(
            actor=f.superuser(), account=account, kind="stop_updating", reason="x"
        )
    assert Filing.objects.count() == count


def test_a_suspension_by_the_platform_is_recorded_with_its_cause():
    account = f.account()
    filing = services.file_status_change(
        actor=f.superuser(),
        account=account,
        kind="suspension",
        reason="被投诉",
        details={"cause": "complaint"},
    )
    account.refresh_from_db()
    assert account.status == "suspended" and filing.details["cause"] == "complaint"


def test_a_filing_not_made_in_time_shows_on_the_overdue_list():
    account = f.account()
    with time_machine.travel(dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)):
        services.grant_account_role(
            actor=f.superuser(), person=f.person(), role="operator", account=account
        )
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)):
        overdue = list(selectors.list_filings(user=f.superuser(), overdue=True))
    assert [x.kind for x in overdue] == ["operator_change"]


def test_a_filing_made_in_time_is_not_overdue():
    account = f.account()
    with time_machine.travel(dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)):
        services.grant_account_role(
            actor=f.superuser(), person=f.person(), role="operator", account=account
        )
        filing = Filing.objects.get(kind="operator_change")
        services.complete_filing(actor=f.superuser(), filing=filing, reason="新增运营人员")
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)):
        assert not selectors.list_filings(user=f.superuser(), overdue=True).exists()

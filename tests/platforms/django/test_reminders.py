"""Account administrators hear before an authorisation runs out — once per threshold."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.core.models import Notification
from mediadesk.platforms.connectors.tokens import StoredToken
from mediadesk.platforms.reminders import remind_token_expiry
from mediadesk.platforms.token_store import DbTokenStore
from tests import factories

from .conftest import bind

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)
DAY = 86400.0


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def connected(platform: str, token: StoredToken):
    """An account of ``platform`` with an administrator and ``token`` in the store."""
    account = factories.account(platform=platform, status="active")
    bind(account, app_id=f"{platform}-app", base_url="")
    keeper = factories.person(account.owning_unit, "account_admin")
    key = f"{platform}|https://example.invalid|{platform}-app|{account.pk}"
    DbTokenStore(account=account).put(key, token)
    return account, keeper


def weibo_token(days_left: float) -> StoredToken:
    return StoredToken("2.00weibo", expires_at=NOW.timestamp() + days_left * DAY)


def douyin_token(refresh_days_left: float, renewals: int = 0) -> StoredToken:
    return StoredToken(
        "act.douyin",
        expires_at=NOW.timestamp() + DAY,
        refresh_token="rft.douyin",
        refresh_expires_at=NOW.timestamp() + refresh_days_left * DAY,
        renewals=renewals,
    )


def told(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person, kind="platforms.token").values_list(
            "title", flat=True
        )
    )


def test_a_token_lapsing_within_a_week_is_told_once_however_often_the_job_runs(frozen):
    _, keeper = connected("weibo", weibo_token(days_left=6))
    remind_token_expiry()
    remind_token_expiry()
    assert len(told(keeper)) == 1 and "6 days left" in told(keeper)[0]


def test_the_last_day_is_a_threshold_of_its_own(frozen):
    _, keeper = connected("weibo", weibo_token(days_left=6))
    remind_token_expiry()
    frozen.shift(dt.timedelta(days=5, hours=12))
    remind_token_expiry()
    assert len(told(keeper)) == 2


def test_a_lapsed_token_is_told_as_lapsed(frozen):
    _, keeper = connected("weibo", weibo_token(days_left=-1))
    remind_token_expiry()
    assert "lapsed" in told(keeper)[0]


def test_nothing_is_told_while_the_expiry_is_far_off(frozen):
    _, keeper = connected("weibo", weibo_token(days_left=20))
    assert remind_token_expiry() == 0 and told(keeper) == []


def test_a_douyin_refresh_token_lapsing_within_a_week_is_told(frozen):
    _, keeper = connected("douyin", douyin_token(refresh_days_left=5, renewals=1))
    remind_token_expiry()
    assert len(told(keeper)) == 1 and "5 days left" in told(keeper)[0]


def test_used_up_douyin_renewals_are_told_once(frozen):
    _, keeper = connected("douyin", douyin_token(refresh_days_left=25, renewals=5))
    remind_token_expiry()
    remind_token_expiry()
    assert len(told(keeper)) == 1 and "renewals used" in told(keeper)[0]


def test_a_douyin_access_token_that_renews_itself_is_not_told(frozen):
    _, keeper = connected("douyin", douyin_token(refresh_days_left=25))
    assert remind_token_expiry() == 0 and told(keeper) == []

import datetime as dt

import pytest

from mediadesk.core.models import CalendarDay
from mediadesk.core.workdays import add_working_days, is_working_day

pytestmark = pytest.mark.django_db
D = dt.date


def test_weekends_are_off_and_weekdays_on():
    assert is_working_day(D(2026, 11, 20)) and not is_working_day(D(2026, 11, 21))


def test_public_holidays_are_off_and_make_up_days_are_on():
    assert not is_working_day(D(2026, 10, 5))  # 国庆节, a Monday
    assert is_working_day(D(2026, 10, 10))  # Saturday 调休上班
    assert is_working_day(D(2026, 2, 14))  # Saturday before 春节


def test_five_working_days_skip_the_national_day_week():
    # Wed 30 Sep → Oct 8, 9, 10 (make-up Saturday), 12, 13
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_the_maintained_calendar_overrides_the_shipped_data():
    CalendarDay.objects.create(date=D(2026, 11, 23), kind="holiday", name="公司司庆")
    assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 24)

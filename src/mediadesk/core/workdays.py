"""Working days in mainland China: weekends and public holidays off, make-up days (调休) on.

Filing deadlines ("within 5 working days", "within 1 working day") count these. The shipped data
covers the years the State Council has published; the ``CalendarDay`` table holds corrections.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "holidays_cn.json"


@functools.cache
def _shipped() -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for year, data in raw.items():
        if year.startswith("_"):
            continue
        for name, days in data.get("holidays", {}).items():
            holidays.update({dt.date.fromisoformat(d): name for d in days})
        for name, days in data.get("workdays", {}).items():
            workdays.update({dt.date.fromisoformat(d): name for d in days})
    return holidays, workdays


def shipped_years() -> list[int]:
    holidays, _ = _shipped()
    return sorted({d.year for d in holidays})


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    from mediadesk.core.models import CalendarDay

    return dict(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    )


def is_working_day(day: dt.date, overrides: dict[dt.date, str] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day] == "workday"
    holidays, workdays = _shipped()
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    overrides = _overrides(start, start + dt.timedelta(days=days * 3 + 30))
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current, overrides):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    return sum(
        is_working_day(start + dt.timedelta(days=i), overrides)
        for i in range(1, (end - start).days + 1)
    )

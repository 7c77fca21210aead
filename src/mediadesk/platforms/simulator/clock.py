"""Time as the simulator sees it.

Token expiry, daily quotas and job delays are all about time; tests must be able to move it
without sleeping. ``Clock`` is wall time plus an offset (so ``time-machine`` also works) and
``/_sim/clock/advance`` moves the offset; ``ManualClock`` never moves by itself.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock:
    """Wall-clock time shifted by an offset that only ever grows."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the simulator clock never goes back")
        with self._lock:
            self._offset += seconds
        return self.now()


class ManualClock(Clock):
    """A clock that stands still until told to move: for deterministic tests."""

    def __init__(self, start: float | None = None) -> None:
        super().__init__()
        self._now = time.time() if start is None else float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the simulator clock never goes back")
        with self._lock:
            self._now += seconds
        return self._now


def china_date(ts: float) -> date:
    """The platforms' calendar day (quotas reset and datacube days end at midnight UTC+8)."""
    return datetime.fromtimestamp(ts, CHINA).date()


def china_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, CHINA)


def utc_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)

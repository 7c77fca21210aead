"""Exceptions a task raises to tell the runner what to do next."""

from __future__ import annotations

from datetime import timedelta


class TransientJobError(Exception):
    """The work may succeed later (a 5xx, a timeout, a quota with a reset time): retry it.

    ``retry_after`` (seconds or a timedelta) overrides the exponential backoff, e.g. with the
    platform's quota reset time. Any other exception fails the job permanently, so that a bug or
    a rejected post is never retried into a duplicate.
    """

    def __init__(self, message: str = "", *, retry_after: float | timedelta | None = None):
        super().__init__(message)
        if isinstance(retry_after, timedelta):
            retry_after = retry_after.total_seconds()
        self.retry_after: float | None = None if retry_after is None else max(0.0, retry_after)

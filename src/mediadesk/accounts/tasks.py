"""Daily account jobs: verification and filing reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mediadesk.jobs.registry import periodic_task


@periodic_task("accounts.remind_verification", every=timedelta(hours=6))
def remind_verification(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.accounts.reminders import remind_verification_expiry

    return {"sent": remind_verification_expiry()}


@periodic_task("accounts.remind_filings", every=timedelta(hours=6))
def remind_filings(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.accounts.reminders import remind_due_filings

    return {"sent": remind_due_filings()}

"""Platform jobs: processing pushed events, fetching live menus, authorisation reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mediadesk.jobs.registry import periodic_task, task


@task("platforms.process_event")
def process_event(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.platforms.events import process_event as process

    return process(int(payload["event_id"]))


@periodic_task("platforms.fetch_menus", every=timedelta(hours=6))
def fetch_menus(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.platforms.menus import refresh_all_menus

    return refresh_all_menus()


@periodic_task("platforms.remind_tokens", every=timedelta(hours=6))
def remind_tokens(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.platforms.reminders import remind_token_expiry

    return {"sent": remind_token_expiry()}

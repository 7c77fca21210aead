"""Notification jobs: send one delivery; requeue deliveries whose job was never enqueued."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mediadesk.jobs.registry import periodic_task, task
from mediadesk.notifications.sending import MAX_ATTEMPTS, RETRY_BASE_SECONDS, TASK


@task(TASK, max_attempts=MAX_ATTEMPTS + 1, retry_base_seconds=RETRY_BASE_SECONDS)
def deliver(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.notifications.sending import deliver as send

    return {"status": send(int(payload["delivery_id"]))}


@periodic_task("notifications.requeue_stranded", every=timedelta(minutes=10))
def requeue_stranded(payload: dict[str, Any]) -> dict[str, Any]:
    from mediadesk.notifications.dispatch import enqueue_deliveries
    from mediadesk.notifications.selectors import stranded_deliveries

    ids = list(stranded_deliveries())
    enqueue_deliveries(ids)
    return {"requeued": len(ids)}

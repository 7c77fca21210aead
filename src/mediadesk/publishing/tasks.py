"""The publishing engine's jobs; the same functions run in the embedded pool and on Celery.

* ``publishing.tick`` (periodic): recover stale claims and dead workers' posts, take up WeChat
  pushes, claim what is due and queue its send jobs;
* ``publishing.advance``: the next step of one publication at one version (send, retry,
  reconcile, poll, verify) — a stale or duplicated job is skipped;
* ``publishing.withdraw``: carry out an approved withdrawal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

from mediadesk.jobs.registry import periodic_task, task
from mediadesk.publishing import engine

TICK_EVERY = timedelta(seconds=float(getattr(settings, "MEDIADESK_PUBLISH_TICK_SECONDS", 5)))


@periodic_task("publishing.tick", every=TICK_EVERY)
def tick(payload: dict[str, Any]) -> dict[str, Any]:
    return engine.tick()


@task(engine.ADVANCE_TASK, max_attempts=3)
def advance(payload: dict[str, Any]) -> dict[str, Any]:
    return engine.advance(int(payload["publication"]), int(payload["version"]))


@task(engine.WITHDRAW_TASK, max_attempts=3)
def withdraw(payload: dict[str, Any]) -> dict[str, Any]:
    return engine.run_withdrawal(int(payload["request"]), int(payload.get("attempt", 1)))

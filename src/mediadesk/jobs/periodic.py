"""Turn code-declared periodic tasks into job rows, once per period, across many schedulers.

Each task has a ``PeriodicSchedule`` row holding when its next period starts. A scheduler claims a
period with a compare-and-set UPDATE (``WHERE next_run_at = <the value it read>``) in the same
transaction as the enqueue; a second scheduler's UPDATE matches nothing, so the period is enqueued
once, and a restart continues from the stored time instead of restarting the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mediadesk.jobs import registry
from mediadesk.jobs.models import Job, PeriodicSchedule
from mediadesk.jobs.services import enqueue

logger = logging.getLogger("mediadesk.jobs")


def enqueue_due_periodic(
    now: datetime | None = None, *, specs: Iterable[registry.PeriodicSpec] | None = None
) -> list[Job]:
    """Enqueue every periodic task whose period has started; returns the jobs this call created.

    A task seen for the first time is due at once, then every ``every`` after that.
    """
    now = now or timezone.now()
    created = []
    specs = list(registry.periodic_tasks() if specs is None else specs)
    # One read for all of them: schedulers call this on every pass (several times a second
    # while jobs are flowing), and nearly always nothing is due.
    known = {s.name: s for s in PeriodicSchedule.objects.filter(name__in=[s.name for s in specs])}
    for spec in specs:
        schedule = known.get(spec.name)
        if schedule is not None and schedule.next_run_at > now:
            continue
        try:
            job = _enqueue_one(spec, now, schedule)
        except Exception:  # one broken schedule must not stop the others
            logger.exception("periodic task %s could not be scheduled", spec.name)
            continue
        if job is not None:
            created.append(job)
    return created


def _enqueue_one(
    spec: registry.PeriodicSpec, now: datetime, schedule: PeriodicSchedule | None = None
) -> Job | None:
    if schedule is None:
        schedule, _ = PeriodicSchedule.objects.get_or_create(
            name=spec.name, defaults={"next_run_at": now}
        )
    current = schedule.next_run_at
    if current > now:
        return None
    if spec.catch_up:
        period_start, following = current, current + spec.every
    else:
        missed = (now - current) // spec.every  # whole periods skipped while nobody scheduled
        period_start = current + missed * spec.every
        following = period_start + spec.every
    with transaction.atomic():
        claimed = PeriodicSchedule.objects.filter(pk=schedule.pk, next_run_at=current).update(
            next_run_at=following, last_enqueued_at=now
        )
        if not claimed:
            return None  # another scheduler took this period
        payload = {**spec.payload, "scheduled_for": period_start.isoformat()}
        job = enqueue(spec.name, payload)
        PeriodicSchedule.objects.filter(pk=schedule.pk).update(last_job_id=job.id)
    return job

"""Built-in housekeeping tasks.

Other apps put their own tasks in ``<app>/tasks.py`` with ``@task`` / ``@periodic_task`` from
:mod:`mediadesk.jobs.registry`; ``JobsConfig.ready`` imports every such module. Name tasks
``<app>.<verb>`` (``publishing.publish``, ``metrics.collect``, ``inbox.poll``, ``alerts.evaluate``).
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.utils import timezone

from mediadesk.jobs.registry import periodic_task

FINISHED_JOB_RETENTION_DAYS = 30
HEARTBEAT_RETENTION_DAYS = 7


@periodic_task("housekeeping.clear_sessions", every=timedelta(days=1))
def clear_expired_sessions(payload: dict[str, Any]) -> dict[str, Any]:
    """Expired sessions would otherwise pile up: Django never deletes them on its own."""
    engine = import_module(settings.SESSION_ENGINE)
    try:
        engine.SessionStore.clear_expired()
    except NotImplementedError:  # cookie-based sessions have nothing stored to clear
        return {"cleared": False}
    return {"cleared": True}


@periodic_task("housekeeping.prune_jobs", every=timedelta(days=1))
def prune_jobs(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop old finished job rows and heartbeats of workers long gone.

    Failed jobs and jobs with a dedupe key are kept: the first are evidence, and deleting the
    second would let the same logical job be enqueued again.
    """
    from mediadesk.jobs.models import Job, WorkerHeartbeat

    now = timezone.now()
    jobs, _ = Job.objects.filter(
        status__in=[Job.Status.SUCCEEDED, Job.Status.CANCELLED],
        dedupe_key__isnull=True,
        finished_at__lt=now - timedelta(days=FINISHED_JOB_RETENTION_DAYS),
    ).delete()
    beats, _ = WorkerHeartbeat.objects.filter(
        last_seen__lt=now - timedelta(days=HEARTBEAT_RETENTION_DAYS)
    ).delete()
    return {"jobs_deleted": jobs, "heartbeats_deleted": beats}

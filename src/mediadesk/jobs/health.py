"""Is the job system consuming work? The facts behind ``/healthz`` and the dashboard.

A web process that answers proves little; this reports the database, the newest heartbeat of a
worker and of a scheduler, and how long the oldest due job has been waiting, so a dead worker or a
stuck queue shows up. It reveals no hostnames, connection strings or error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

from mediadesk.jobs.models import Job, WorkerHeartbeat

WORKER_KINDS = ("embedded", "celery")
SCHEDULER_KINDS = ("embedded", "beat")


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "unreachable" here
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _heartbeat_check(kinds: tuple[str, ...], now: datetime) -> dict[str, Any]:
    stale_after = settings.MEDIADESK_HEARTBEAT_STALE_SECONDS
    beats = WorkerHeartbeat.objects.filter(kind__in=kinds)
    last = beats.order_by("-last_seen").values_list("last_seen", flat=True).first()
    if last is None:
        return {"last_heartbeat": None, "age_seconds": None, "alive": 0, "ok": False}
    age = max(0.0, (now - last).total_seconds())
    alive = beats.filter(last_seen__gte=now - timedelta(seconds=stale_after)).count()
    return {
        "last_heartbeat": last.isoformat(),
        "age_seconds": round(age, 1),
        "alive": alive,
        "ok": age <= stale_after,
    }


def check_worker(now: datetime) -> dict[str, Any]:
    return _heartbeat_check(WORKER_KINDS, now)


def check_scheduler(now: datetime) -> dict[str, Any]:
    return _heartbeat_check(SCHEDULER_KINDS, now)


def check_jobs(now: datetime) -> dict[str, Any]:
    """Due jobs not yet begun: queued ones, and claimed ones still waiting in the broker."""
    waiting = Job.objects.filter(
        Q(status=Job.Status.QUEUED, run_at__lte=now)
        | Q(status=Job.Status.RUNNING, started_at__isnull=True)
    ).aggregate(n=Count("id"), oldest=Min("run_at"))
    oldest = waiting["oldest"]
    wait = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return {
        "waiting": waiting["n"],
        "oldest_waiting_due_at": oldest.isoformat() if oldest else None,
        "oldest_wait_seconds": round(wait, 1),
        "ok": wait <= settings.MEDIADESK_JOB_LAG_ALERT_SECONDS,
    }


def _guarded(check: Callable[[datetime], dict[str, Any]], now: datetime) -> dict[str, Any]:
    try:
        return check(now)
    except Exception as exc:  # the database went away between checks
        return {"ok": False, "error": type(exc).__name__}


def check_publishing(now: datetime) -> dict[str, Any]:
    """Due posts nobody claims, and posts stuck mid-way (``publishing.health``)."""
    from mediadesk.publishing.health import check_publishing as check

    return check(now)


def report() -> dict[str, Any]:
    """``{"status": "ok"|"unhealthy", "checks": {...}}``; any failing check makes it unhealthy."""
    now = timezone.now()
    checks: dict[str, Any] = {"database": check_database()}
    for name, check in (
        ("worker", check_worker),
        ("scheduler", check_scheduler),
        ("jobs", check_jobs),
        ("publishing", check_publishing),
    ):
        if checks["database"]["ok"]:
            checks[name] = _guarded(check, now)
        else:
            checks[name] = {"ok": False, "error": "database unavailable"}
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "unhealthy", "checks": checks}

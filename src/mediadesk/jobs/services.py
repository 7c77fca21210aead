"""Enqueue, claim, run and recover jobs — the same calls from the embedded runner and Celery.

Life of a job: ``queued`` → claimed (``running``, ``locked_by`` set, ``started_at`` empty) →
started by exactly one worker (``started_at`` set, ``attempts`` + 1) → ``succeeded`` /
``failed`` / back to ``queued`` for a retry. Every transition is a conditional UPDATE on the
expected state, so a duplicated Celery message or a second scheduler can never run a job twice.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import traceback
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from mediadesk.core import context
from mediadesk.core.logging import redact
from mediadesk.jobs import registry
from mediadesk.jobs.errors import TransientJobError
from mediadesk.jobs.models import Job, WorkerHeartbeat

__all__ = [
    "TransientJobError",
    "backoff_seconds",
    "cancel",
    "claim_due_job_ids",
    "claim_due_jobs",
    "enqueue",
    "heartbeat",
    "recover_stale_jobs",
    "release_job",
    "run_job",
]

logger = logging.getLogger("mediadesk.jobs")

RETRY_CAP_SECONDS = 3600.0
ERROR_MAX_CHARS = 4000
Outcome = Literal["succeeded", "retrying", "failed", "skipped"]


def enqueue(
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Queue task ``name``; with ``dedupe_key``, return the existing job instead of a second one."""
    spec = registry.get_task(name)  # fail at the call site, not later in a worker
    if run_at is not None and timezone.is_naive(run_at):
        raise ValueError("run_at must be timezone-aware (times are stored in UTC)")
    fields = {
        "name": name,
        "payload": payload or {},
        "run_at": run_at or timezone.now(),
        "max_attempts": max_attempts or spec.max_attempts,
        "dedupe_key": dedupe_key or None,
    }
    if not dedupe_key:
        return Job.objects.create(**fields)
    existing = Job.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Job.objects.create(**fields)
    except IntegrityError:  # another process enqueued the same key between our read and insert
        return Job.objects.get(dedupe_key=dedupe_key)


def cancel(job_id: int) -> bool:
    """Cancel a job that has not been claimed yet; False if it already started or finished."""
    return bool(
        Job.objects.filter(id=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now()
        )
    )


def claim_due_jobs(worker_id: str, limit: int) -> list[Job]:
    """Lock up to ``limit`` due jobs for ``worker_id``; concurrent claimers get disjoint sets."""
    ids = claim_due_job_ids(worker_id, limit)
    if not ids:
        return []
    return list(Job.objects.filter(id__in=ids).order_by("run_at", "id"))


def claim_due_job_ids(worker_id: str, limit: int) -> list[int]:
    """:func:`claim_due_jobs` for schedulers that only pass ids on (no second read)."""
    if limit <= 0:
        return []
    now = timezone.now()
    if connection.features.has_select_for_update_skip_locked:
        return _claim_skip_locked(worker_id, limit, now)  # in (run_at, id) order
    return sorted(_claim_returning(worker_id, limit, now))  # RETURNING has no order


def _claim_skip_locked(worker_id: str, limit: int, now: datetime) -> list[int]:
    # PostgreSQL: rows another scheduler is claiming are skipped, not waited for.
    with transaction.atomic():
        ids = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.QUEUED, run_at__lte=now)
            .order_by("run_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Job.objects.filter(id__in=ids).update(
                status=Job.Status.RUNNING, locked_by=worker_id, locked_at=now, started_at=None
            )
    return ids


def _claim_returning(worker_id: str, limit: int, now: datetime) -> list[int]:
    # SQLite: one UPDATE … RETURNING statement is atomic, so no second writer can interleave.
    table = Job._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    # The table name comes from the model; every value is a parameter.
    sql = (
        f"UPDATE {table} SET status = %s, locked_by = %s, locked_at = %s, "  # noqa: S608
        "started_at = NULL WHERE status = %s AND id IN "
        f"(SELECT id FROM {table} WHERE status = %s AND run_at <= %s "
        "ORDER BY run_at, id LIMIT %s) RETURNING id"
    )
    params = [
        Job.Status.RUNNING,
        worker_id,
        adapt(now),
        Job.Status.QUEUED,
        Job.Status.QUEUED,
        adapt(now),
        limit,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def release_job(job_id: int, worker_id: str) -> bool:
    """Give back a claimed job that never started (e.g. the broker refused the message)."""
    return bool(
        Job.objects.filter(
            id=job_id, status=Job.Status.RUNNING, locked_by=worker_id, started_at__isnull=True
        ).update(status=Job.Status.QUEUED, locked_by="", locked_at=None)
    )


def run_job(job_id: int, worker_id: str) -> Outcome:
    """Run a claimed job once and record the outcome.

    Returns ``"skipped"`` when the job is not claimed-and-unstarted — a duplicate delivery, a
    cancelled job, or one another worker already began — so calling it twice is harmless.
    """
    now = timezone.now()
    job = _begin(job_id, worker_id, now)
    if job is None:
        logger.info("job %s not claimable by %s; skipped", job_id, worker_id)
        return "skipped"
    mine = Job.objects.filter(
        id=job_id, status=Job.Status.RUNNING, locked_by=worker_id, started_at=now
    )
    try:
        spec = registry.get_task(job.name)
        # Jobs write words people read later (attempt messages, notifications): in the site's
        # language, as a request would, not in whatever a worker thread happens to have active.
        with (
            translation.override(settings.LANGUAGE_CODE),
            context.acting(source="job", request_id=f"job-{job.id}"),
        ):
            result = spec.fn(dict(job.payload))
    except TransientJobError as exc:
        return _after_transient(job, mine, exc)
    except Exception as exc:  # any other error is permanent by design
        _finish(mine, Job.Status.FAILED, error=_describe(exc, with_traceback=True))
        logger.warning("job %s (%s) failed: %s", job.id, job.name, redact(str(exc)))
        return "failed"
    _finish(mine, Job.Status.SUCCEEDED, result=_storable(result))
    return "succeeded"


def _begin(job_id: int, worker_id: str, now: datetime) -> Job | None:
    """Mark a claimed, unstarted job as started by ``worker_id`` and return it as it now is;
    None when it is not claimed-and-unstarted. One ``UPDATE … RETURNING`` (PostgreSQL and
    SQLite ≥ 3.35): the state check and the read of the job are the same statement."""
    table = Job._meta.db_table
    fields = Job._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"UPDATE {table} SET started_at = %s, locked_by = %s, locked_at = %s, "  # noqa: S608
        f"attempts = attempts + 1 WHERE id = %s AND status = %s AND started_at IS NULL "
        f"RETURNING {columns}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(now), worker_id, adapt(now), job_id, Job.Status.RUNNING]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for field, value in zip(fields, row, strict=True):
        for convert in connection.ops.get_db_converters(field.get_col(table)):
            value = convert(value, field.get_col(table), connection)
        if hasattr(field, "from_db_value"):
            value = field.from_db_value(value, None, connection)
        values.append(value)
    return Job.from_db(connection.alias, [f.attname for f in fields], values)


def _storable(result: object) -> dict[str, Any] | None:
    # The work is done: an odd return value must not stop us recording that, or the job would
    # be recovered and run a second time.
    if not isinstance(result, dict):
        return None
    try:
        return json.loads(json.dumps(result, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        return {"unstorable_result": repr(result)[:500]}


def _after_transient(job: Job, mine: QuerySet[Job], exc: TransientJobError) -> Outcome:
    if job.attempts >= job.max_attempts:
        _finish(mine, Job.Status.FAILED, error=_describe(exc))
        logger.warning("job %s (%s) gave up after %s attempts", job.id, job.name, job.attempts)
        return "failed"
    spec_base = _retry_base(job.name)
    delay = (
        exc.retry_after
        if exc.retry_after is not None
        else backoff_seconds(job.attempts, base=spec_base)
    )
    requeued = mine.update(
        status=Job.Status.QUEUED,
        run_at=timezone.now() + timedelta(seconds=delay),
        last_error=_describe(exc),
        locked_by="",
        locked_at=None,
        started_at=None,
    )
    if not requeued:
        logger.warning("job %s lost its lock while running; retry not recorded", job.id)
    return "retrying"


def _finish(
    mine: QuerySet[Job], status: str, *, error: str = "", result: dict | None = None
) -> None:
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": timezone.now(),
        "locked_by": "",
        "locked_at": None,
        "result": result,
    }
    if error:
        fields["last_error"] = error
    if not mine.update(**fields):
        logger.warning("a job lost its lock while running; outcome %s not recorded", status)


def _retry_base(name: str) -> float:
    try:
        return registry.get_task(name).retry_base_seconds
    except registry.UnknownTask:
        return registry.DEFAULT_RETRY_BASE_SECONDS


def _describe(exc: BaseException, *, with_traceback: bool = False) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if with_traceback:
        text = "".join(traceback.format_exception(exc))
    # Platform errors often echo the request URL, and WeChat URLs carry access tokens.
    return redact(text)[-ERROR_MAX_CHARS:]


def backoff_seconds(attempt: int, *, base: float = registry.DEFAULT_RETRY_BASE_SECONDS) -> float:
    """Delay before retry number ``attempt`` (1-based): base·2^(attempt-1), capped, +≤10% jitter.

    The jitter spreads retries after a platform outage so they do not all return at once.
    """
    delay = min(base * 2 ** max(attempt - 1, 0), RETRY_CAP_SECONDS)
    return delay * (1 + random.random() * 0.1)


def lock_timeout_seconds() -> float:
    return float(getattr(settings, "MEDIADESK_JOB_LOCK_TIMEOUT_SECONDS", 300))


def recover_stale_jobs(*, timeout_seconds: float | None = None) -> int:
    """Requeue jobs whose lock was not refreshed for ``timeout_seconds`` (their worker died).

    Workers refresh their locks with every heartbeat, so only a dead worker's jobs go stale. A job
    that had started keeps the attempt it used; one that used its last attempt fails instead.
    """
    timeout = lock_timeout_seconds() if timeout_seconds is None else timeout_seconds
    now = timezone.now()
    stale = Job.objects.filter(
        status=Job.Status.RUNNING, locked_at__lt=now - timedelta(seconds=timeout)
    )
    recovered = 0
    for job in stale.only("id", "attempts", "max_attempts", "locked_by", "locked_at"):
        same = Job.objects.filter(
            id=job.id, status=Job.Status.RUNNING, locked_by=job.locked_by, locked_at=job.locked_at
        )
        message = f"worker {job.locked_by} stopped responding; lock expired"
        if job.attempts >= job.max_attempts:
            updated = same.update(
                status=Job.Status.FAILED,
                finished_at=now,
                last_error=message,
                locked_by="",
                locked_at=None,
            )
        else:
            updated = same.update(
                status=Job.Status.QUEUED,
                run_at=now,
                last_error=message,
                locked_by="",
                locked_at=None,
                started_at=None,
            )
        if updated:
            logger.warning("job %s: %s", job.id, message)
        recovered += updated
    return recovered


def heartbeat(worker_id: str, kind: str) -> WorkerHeartbeat:
    """Record that ``worker_id`` is alive and refresh the locks of the jobs it is running."""
    now = timezone.now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": now, "kind": kind},
        create_defaults={
            "last_seen": now,
            "kind": kind,
            "started_at": now,
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )
    # Only started jobs: a claim whose Celery message was lost must still expire and be retried.
    Job.objects.filter(
        status=Job.Status.RUNNING, locked_by=worker_id, started_at__isnull=False
    ).update(locked_at=now)
    return beat


def new_worker_id(kind: str) -> str:
    """A worker id unique across hosts, processes and restarts."""
    return f"{kind}@{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"

"""Job rows, worker heartbeats and periodic-schedule bookkeeping.

The queue lives in the database rather than in a broker so that "what is due, who holds it, how
often it was tried" survives restarts and is the same whether the embedded thread pool or Celery
workers run the work; Redis only carries "run job N now" messages.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"  # claimed; started_at is set once a worker begins it
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"

    name = models.CharField(max_length=200)
    payload = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    run_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    last_error = models.TextField(blank=True, default="")
    locked_by = models.CharField(max_length=200, blank=True, default="")
    locked_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # NULL for ordinary jobs; a value makes the logical job unique forever.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [
            # "What is due?" — scanned by every scheduler tick.
            models.Index(
                fields=["run_at", "id"],
                condition=Q(status="queued"),
                name="jobs_job_due_idx",
            ),
            # "Whose lock went stale?" and "what is claimed but not started?".
            models.Index(
                fields=["locked_at"],
                condition=Q(status="running"),
                name="jobs_job_running_idx",
            ),
            models.Index(fields=["name", "status"], name="jobs_job_name_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk} ({self.status})"


class WorkerHeartbeat(models.Model):
    """One row per worker process, refreshed every few seconds; stale means dead."""

    class Kind(models.TextChoices):
        EMBEDDED = "embedded", "embedded"
        CELERY = "celery", "celery"
        BEAT = "beat", "beat"

    worker_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    host = models.CharField(max_length=200, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.worker_id}"


class PeriodicSchedule(models.Model):
    """When a code-declared periodic task is next due.

    Kept in the database so that a restart neither re-runs the current period nor restarts the
    clock; the period is claimed by a compare-and-set on ``next_run_at`` so two schedulers never
    both enqueue it.
    """

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_job_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} next {self.next_run_at:%Y-%m-%d %H:%M:%S}"

"""The database scheduler for the Celery backend (``mediadesk beat``).

It does what the embedded runner's scheduler thread does — periodic tasks, stale-lock recovery,
claiming due jobs, a heartbeat (kind ``beat``) — but hands claimed jobs to Celery workers through
the broker, after the claim has committed so a worker never looks for a row it cannot see yet.
When hundreds are due at once, several jobs share one message (:meth:`BeatScheduler.messages`).
Running two beats is safe (claims are locked), only wasteful.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import partial

from django.db import close_old_connections, transaction

from mediadesk.jobs import services
from mediadesk.jobs.models import Job
from mediadesk.jobs.periodic import enqueue_due_periodic
from mediadesk.jobs.runner import PERIODIC_CHECK_SECONDS, heartbeat_interval

logger = logging.getLogger("mediadesk.jobs")

DEFAULT_BATCH = 500
#: When many jobs are due at once, up to MEDIADESK_CELERY_JOBS_PER_MESSAGE go in one broker
#: message (run one after the other by one worker thread), but never fewer messages than this
#: while there are jobs for them: a few due jobs still go one per message, so that every free
#: worker thread gets one.
MIN_MESSAGES = 64
# Claimed-but-unstarted jobs allowed in the broker; more would wait there past the lock timeout.
DEFAULT_MAX_OUTSTANDING = 2000


class BeatScheduler:
    def __init__(
        self,
        *,
        poll_seconds: float | None = None,
        queue: str | None = None,
        batch: int = DEFAULT_BATCH,
        max_outstanding: int = DEFAULT_MAX_OUTSTANDING,
        recover_seconds: float = 30.0,
        jobs_per_message: int | None = None,
    ) -> None:
        from django.conf import settings

        self.poll_seconds = (
            settings.MEDIADESK_JOB_POLL_SECONDS if poll_seconds is None else poll_seconds
        )
        self.queue = queue
        self.batch = batch
        self.max_outstanding = max_outstanding
        self.recover_seconds = recover_seconds
        per = jobs_per_message or settings.MEDIADESK_CELERY_JOBS_PER_MESSAGE
        self.jobs_per_message = max(1, per)
        self.beat_id = services.new_worker_id("beat")
        self._last_beat = 0.0
        self._last_recover = 0.0
        self._last_periodic = 0.0

    def tick(self) -> int:
        """One pass; returns how many jobs were sent to the workers."""
        now = time.monotonic()
        if now - self._last_beat >= heartbeat_interval():
            services.heartbeat(self.beat_id, "beat")
            self._last_beat = now
        if now - self._last_recover >= self.recover_seconds:
            services.recover_stale_jobs()
            self._last_recover = now
        if now - self._last_periodic >= PERIODIC_CHECK_SECONDS:
            enqueue_due_periodic()
            self._last_periodic = now
        return self.dispatch_due()

    def dispatch_due(self) -> int:
        outstanding = Job.objects.filter(
            status=Job.Status.RUNNING, locked_by=self.beat_id, started_at__isnull=True
        ).count()
        limit = min(self.batch, self.max_outstanding - outstanding)
        with transaction.atomic():
            ids = services.claim_due_job_ids(self.beat_id, limit)
            for message in self.messages(ids):
                transaction.on_commit(partial(self._send, message))
        return len(ids)

    def messages(self, ids: list[int]) -> list[list[int]]:
        """``ids`` (in due order) cut into the job lists of the messages to send."""
        per = max(1, min(self.jobs_per_message, len(ids) // MIN_MESSAGES))
        return [ids[i : i + per] for i in range(0, len(ids), per)]

    def _send(self, job_ids: list[int]) -> None:
        from mediadesk.celery_app import run_job_task, run_jobs_task

        try:
            if len(job_ids) == 1:
                run_job_task.apply_async(args=[job_ids[0]], queue=self.queue)
            else:
                run_jobs_task.apply_async(args=[job_ids], queue=self.queue)
        except Exception:
            logger.exception("could not send jobs %s to the broker; released for later", job_ids)
            for job_id in job_ids:
                services.release_job(job_id, self.beat_id)

    def run(self, stop: threading.Event) -> None:
        """Tick until ``stop`` is set; sleeps only when there was nothing to send."""
        logger.info("job scheduler %s started", self.beat_id)
        while not stop.is_set():
            sent = 0
            try:
                sent = self.tick()
            except Exception:
                logger.exception("job scheduler tick failed")
            finally:
                close_old_connections()
            if not sent:
                stop.wait(self.poll_seconds)
        logger.info("job scheduler %s stopped", self.beat_id)

"""The Celery app for running jobs on workers across machines (``MEDIADESK_JOB_BACKEND=celery``).

Start workers with ``mediadesk worker`` (or ``celery -A mediadesk.celery_app worker``) and one
scheduler with ``mediadesk beat``. The database stays the source of truth: ``mediadesk beat``
claims due job rows and sends ``mediadesk.run_job(job_id)`` (or, when many are due at once,
``mediadesk.run_jobs([job_id, …])``); the worker calls the same
``run_job`` the embedded runner uses, which refuses to run a job twice if Redis redelivers the
message. Each worker process writes a heartbeat (kind ``celery``) from a small thread.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")

logger = logging.getLogger("mediadesk.jobs")

app = Celery("mediadesk")
# Every CELERY_* Django setting (CELERY_BROKER_URL, …) configures the app.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_ignore_result=True,  # outcomes are recorded on the job row
    worker_prefetch_multiplier=1,  # spread due jobs evenly over the workers
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="mediadesk.run_job", bind=True)
def run_job_task(self: Any, job_id: int) -> str:
    """Run job ``job_id``; the worker's node name is the lock owner its heartbeat refreshes."""
    from mediadesk.jobs.services import run_job

    return run_job(job_id, worker_id=self.request.hostname or "celery")


@app.task(name="mediadesk.run_jobs", bind=True)
def run_jobs_task(self: Any, job_ids: list[int]) -> dict[str, int]:
    """Run several claimed jobs one after the other in this worker thread.

    ``mediadesk beat`` packs due jobs into one message when many are due at once: each message
    costs the broker round trips, the decoding and the task bookkeeping on both sides, about as
    much CPU as a short job itself. A job that cannot be started here (a duplicate message,
    taken over after a lock timeout) is skipped by ``run_job`` as for a single message.
    """
    from mediadesk.jobs.services import run_job

    worker = self.request.hostname or "celery"
    outcomes: dict[str, int] = {}
    for job_id in job_ids:
        outcome = run_job(int(job_id), worker_id=worker)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


class _WorkerHeartbeat:
    """Beats every few seconds from the worker's main process while it consumes.

    A thread rather than a Celery periodic task, so a worker whose queue is full still beats.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker_id: str) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._loop, args=(worker_id,), name="mediadesk-heartbeat", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _loop(self, worker_id: str) -> None:
        from django.db import connection

        from mediadesk.jobs.runner import heartbeat_interval
        from mediadesk.jobs.services import heartbeat

        while not self._stop.is_set():
            try:
                heartbeat(worker_id, "celery")
            except Exception:
                logger.exception("celery worker heartbeat failed")
            finally:
                # Never keep a connection a forked pool child could inherit.
                connection.close()
            self._stop.wait(heartbeat_interval())


_heartbeat = _WorkerHeartbeat()


@signals.worker_ready.connect
def _start_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    _heartbeat.start(getattr(sender, "hostname", None) or "celery")


@signals.worker_shutdown.connect
def _stop_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    _heartbeat.stop()

"""The embedded job runner: a scheduler thread feeding a thread pool, inside the web process.

This is the no-broker default (``MEDIADESK_JOB_BACKEND=embedded``). The scheduler thread
enqueues periodic tasks, requeues jobs of dead workers, claims only as many due jobs as there are
free threads (so nothing sits claimed in a local queue) and writes a heartbeat. Job threads close
their database connection after every job so neither SQLite nor PostgreSQL connections leak.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

from django.conf import settings
from django.db import close_old_connections, connection

from mediadesk.jobs import services
from mediadesk.jobs.periodic import enqueue_due_periodic

logger = logging.getLogger("mediadesk.jobs")

#: Periodic tasks are looked at no more often than this: a scheduler passes whenever a job
#: finishes (many times a second under load), and no period is shorter than seconds.
PERIODIC_CHECK_SECONDS = 1.0


def heartbeat_interval() -> float:
    return float(getattr(settings, "MEDIADESK_HEARTBEAT_SECONDS", 5.0))


class EmbeddedRunner:
    def __init__(
        self,
        workers: int | None = None,
        poll_seconds: float | None = None,
        *,
        heartbeat_seconds: float | None = None,
        recover_seconds: float = 30.0,
    ) -> None:
        self.workers = max(1, workers or settings.MEDIADESK_JOB_WORKERS)
        self.poll_seconds = (
            settings.MEDIADESK_JOB_POLL_SECONDS if poll_seconds is None else poll_seconds
        )
        self.heartbeat_seconds = heartbeat_seconds or heartbeat_interval()
        self.recover_seconds = recover_seconds
        self.worker_id = services.new_worker_id("embedded")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: dict[int, Future] = {}
        self._cancelled: list[int] = []
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._last_beat = 0.0
        self._last_recover = 0.0
        self._last_periodic = 0.0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("runner already started")
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="mediadesk-job")
        self._thread = threading.Thread(
            target=self._loop, name="mediadesk-job-scheduler", daemon=True
        )
        self._thread.start()
        logger.info("embedded job runner %s started with %s threads", self.worker_id, self.workers)

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop claiming, let running jobs finish (up to ``timeout``) and join every thread.

        Returns False if a job was still running when the timeout elapsed; its lock then expires
        and another worker retries it.
        """
        if self._thread is None:
            return True
        deadline = time.monotonic() + timeout
        self._stop.set()
        self._wake.set()
        self._thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            pending = list(self._in_flight.values())
        _done, not_done = wait_futures(pending, timeout=max(0.0, deadline - time.monotonic()))
        assert self._pool is not None
        self._pool.shutdown(wait=not not_done, cancel_futures=True)
        for job_id in self._cancelled:
            # Claimed but never begun: hand it back now instead of waiting for the lock timeout.
            services.release_job(job_id, self.worker_id)
        self._cancelled.clear()
        clean = not not_done and not self._thread.is_alive()
        if not clean:
            logger.warning("job runner stopped with %s job(s) still running", len(not_done))
        self._thread = None
        logger.info("embedded job runner %s stopped", self.worker_id)
        return clean

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- scheduler thread --------------------------------------------------------------------

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                claimed = 0
                try:
                    claimed = self.tick()
                except Exception:  # a database hiccup must not kill the scheduler
                    logger.exception("job scheduler tick failed")
                finally:
                    close_old_connections()
                self._wake.wait(0 if claimed and self._free_slots() else self.poll_seconds)
                self._wake.clear()
        finally:
            connection.close()

    def tick(self) -> int:
        """One scheduler pass; returns how many jobs were claimed and submitted."""
        now = time.monotonic()
        if now - self._last_beat >= self.heartbeat_seconds:
            services.heartbeat(self.worker_id, "embedded")
            self._last_beat = now
        if now - self._last_recover >= self.recover_seconds:
            services.recover_stale_jobs()
            self._last_recover = now
        if now - self._last_periodic >= PERIODIC_CHECK_SECONDS:
            enqueue_due_periodic()
            self._last_periodic = now
        free = self._free_slots()
        if free <= 0 or self._stop.is_set():
            return 0
        ids = services.claim_due_job_ids(self.worker_id, free)
        for job_id in ids:
            self._submit(job_id)
        return len(ids)

    def _free_slots(self) -> int:
        with self._lock:
            return self.workers - len(self._in_flight)

    def _submit(self, job_id: int) -> None:
        assert self._pool is not None
        with self._lock:
            future = self._pool.submit(self._run, job_id)
            self._in_flight[job_id] = future
        future.add_done_callback(lambda _f, job_id=job_id: self._done(job_id))

    def _done(self, job_id: int) -> None:
        with self._lock:
            future = self._in_flight.pop(job_id, None)
            if future is not None and future.cancelled():
                self._cancelled.append(job_id)
        self._wake.set()

    # -- job threads -------------------------------------------------------------------------

    def _run(self, job_id: int) -> None:
        close_old_connections()
        try:
            services.run_job(job_id, self.worker_id)
        except Exception:  # run_job records task errors; this is the database failing
            logger.exception("job %s could not be run", job_id)
        finally:
            connection.close()


def start_embedded_runner_if_configured() -> EmbeddedRunner | None:
    """Start the in-process runner unless ``MEDIADESK_JOB_BACKEND`` hands jobs to Celery."""
    if settings.MEDIADESK_JOB_BACKEND != "embedded":
        return None
    runner = EmbeddedRunner()
    runner.start()
    return runner

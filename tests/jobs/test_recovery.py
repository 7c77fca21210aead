from __future__ import annotations

from datetime import timedelta

import pytest

from mediadesk.jobs import services
from mediadesk.jobs.models import Job
from tests.jobs.conftest import T0

pytestmark = pytest.mark.django_db


def _started_by(worker: str, **enqueue_options) -> Job:
    """A job a worker claimed and began, as if that worker then died."""
    job = services.enqueue("tests.echo", **enqueue_options)
    services.claim_due_jobs(worker, 1)
    Job.objects.filter(pk=job.pk).update(started_at=T0, attempts=1)
    return job


def test_a_dead_workers_job_is_requeued_with_its_attempt_counted(frozen):
    job = _started_by("dead-worker")
    frozen.move_to(T0 + timedelta(seconds=301), tick=False)

    assert services.recover_stale_jobs(timeout_seconds=300) == 1

    job.refresh_from_db()
    assert (job.status, job.attempts, job.locked_by, job.started_at) == ("queued", 1, "", None)
    assert "dead-worker" in job.last_error
    assert [j.pk for j in services.claim_due_jobs("w2", 1)] == [job.pk]


def test_a_lock_younger_than_the_timeout_is_left_alone(frozen):
    job = _started_by("slow-worker")
    frozen.move_to(T0 + timedelta(seconds=299), tick=False)

    assert services.recover_stale_jobs(timeout_seconds=300) == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_heartbeats_keep_a_long_running_jobs_lock_fresh(frozen):
    job = _started_by("busy-worker")
    frozen.move_to(T0 + timedelta(seconds=250), tick=False)
    services.heartbeat("busy-worker", "embedded")
    frozen.move_to(T0 + timedelta(seconds=400), tick=False)

    assert services.recover_stale_jobs(timeout_seconds=300) == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_a_dead_workers_job_on_its_last_attempt_fails(frozen):
    job = _started_by("dead-worker", max_attempts=1)
    frozen.move_to(T0 + timedelta(seconds=301), tick=False)

    services.recover_stale_jobs(timeout_seconds=300)

    job.refresh_from_db()
    assert job.status == "failed"
    assert "lock expired" in job.last_error


def test_a_claim_whose_message_was_lost_is_requeued_without_using_an_attempt(frozen):
    job = services.enqueue("tests.echo")
    services.claim_due_jobs("beat", 1)  # claimed, sent, but no worker ever began it
    frozen.move_to(T0 + timedelta(seconds=301), tick=False)

    services.recover_stale_jobs(timeout_seconds=300)

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 0)

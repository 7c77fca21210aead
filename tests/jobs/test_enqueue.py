from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mediadesk.jobs import services
from mediadesk.jobs.models import Job
from mediadesk.jobs.registry import UnknownTask
from tests.jobs.conftest import T0

pytestmark = pytest.mark.django_db


def test_enqueue_creates_a_queued_job_due_now(frozen):
    job = services.enqueue("tests.echo", {"a": 1})

    job.refresh_from_db()
    assert (job.status, job.payload, job.run_at, job.attempts) == ("queued", {"a": 1}, T0, 0)


def test_enqueue_takes_max_attempts_from_the_task_declaration():
    assert services.enqueue("tests.flaky", {"key": "x", "fail_times": 0}).max_attempts == 4


def test_same_dedupe_key_returns_the_first_job_instead_of_a_second():
    first = services.enqueue("tests.echo", {"n": 1}, dedupe_key="post:42:publish")
    again = services.enqueue("tests.echo", {"n": 2}, dedupe_key="post:42:publish")

    assert again.pk == first.pk
    assert Job.objects.filter(dedupe_key="post:42:publish").count() == 1


def test_dedupe_key_still_holds_after_the_job_finished():
    first = services.enqueue("tests.echo", dedupe_key="once")
    Job.objects.filter(pk=first.pk).update(status=Job.Status.SUCCEEDED)

    assert services.enqueue("tests.echo", dedupe_key="once").pk == first.pk


def test_enqueue_rejects_an_unknown_task():
    with pytest.raises(UnknownTask):
        services.enqueue("tests.no_such_task")
    assert not Job.objects.exists()


def test_enqueue_rejects_a_naive_run_at():
    with pytest.raises(ValueError, match="timezone-aware"):
        services.enqueue("tests.echo", run_at=datetime(2026, 1, 1, 8, 0))


def test_cancel_stops_a_queued_job(frozen):
    job = services.enqueue("tests.echo", run_at=T0 + timedelta(hours=1))

    assert services.cancel(job.pk) is True
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert services.claim_due_jobs("w1", 10) == []


def test_cancel_leaves_a_claimed_job_alone():
    job = services.enqueue("tests.echo")
    services.claim_due_jobs("w1", 1)

    assert services.cancel(job.pk) is False

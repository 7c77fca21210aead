from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from mediadesk.jobs import services
from mediadesk.jobs.models import Job
from tests.jobs.conftest import T0
from tests.jobs.tasks_for_tests import calls

pytestmark = pytest.mark.django_db


def _claim_and_run(worker: str = "w1") -> str:
    [job] = services.claim_due_jobs(worker, 1)
    return services.run_job(job.pk, worker)


def _flaky(fail_times: int, **extra) -> Job:
    return services.enqueue(
        "tests.flaky", {"key": uuid.uuid4().hex, "fail_times": fail_times, **extra}
    )


def test_success_is_recorded_with_the_result(frozen):
    job = services.enqueue("tests.echo", {"a": 1})

    assert _claim_and_run() == "succeeded"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("succeeded", 1, {"echo": {"a": 1}})
    assert (job.started_at, job.finished_at, job.locked_by) == (T0, T0, "")


def test_a_result_that_cannot_be_stored_still_records_success():
    job = services.enqueue("tests.odd_result", {"when": "now"})

    assert _claim_and_run() == "succeeded"
    job.refresh_from_db()
    assert job.status == "succeeded" and "unstorable_result" in job.result


def test_transient_error_requeues_with_exponential_backoff(frozen):
    job = _flaky(fail_times=2)

    assert _claim_and_run() == "retrying"
    job.refresh_from_db()
    first_delay = job.run_at - T0
    frozen.move_to(job.run_at, tick=False)
    assert _claim_and_run() == "retrying"
    job.refresh_from_db()
    second_delay = job.run_at - (T0 + first_delay)

    assert job.status == "queued"
    assert "503" in job.last_error
    assert timedelta(seconds=10) <= first_delay <= timedelta(seconds=11)
    assert timedelta(seconds=20) <= second_delay <= timedelta(seconds=22)


def test_transient_job_succeeds_once_the_platform_recovers(frozen):
    job = _flaky(fail_times=2)

    outcomes = []
    for _ in range(3):
        outcomes.append(_claim_and_run())
        job.refresh_from_db()
        frozen.move_to(job.run_at, tick=False)

    assert outcomes == ["retrying", "retrying", "succeeded"]
    assert (job.status, job.attempts, job.result) == ("succeeded", 3, {"calls": 3})


def test_retry_after_overrides_the_backoff(frozen):
    job = _flaky(fail_times=1, retry_after=900)

    _claim_and_run()

    job.refresh_from_db()
    assert job.run_at == T0 + timedelta(seconds=900)


def test_transient_error_on_the_last_attempt_fails_the_job(frozen):
    job = services.enqueue(
        "tests.flaky", {"key": uuid.uuid4().hex, "fail_times": 9}, max_attempts=2
    )
    _claim_and_run()
    job.refresh_from_db()
    frozen.move_to(job.run_at, tick=False)

    assert _claim_and_run() == "failed"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 2)
    assert "503" in job.last_error


def test_other_exceptions_fail_permanently_without_retry(frozen):
    job = services.enqueue("tests.boom")

    assert _claim_and_run() == "failed"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == ("failed", 1, T0)
    assert "ValueError: rejected: title too long" in job.last_error
    assert services.claim_due_jobs("w1", 10) == []


def test_recorded_errors_have_tokens_masked():
    job = services.enqueue("tests.boom")

    _claim_and_run()

    job.refresh_from_db()
    assert "SECRET123" not in job.last_error


def test_a_duplicate_delivery_does_not_run_the_job_again():
    key = uuid.uuid4().hex
    job = services.enqueue("tests.flaky", {"key": key, "fail_times": 0})
    services.claim_due_jobs("beat", 1)
    services.run_job(job.pk, "celery@a")

    assert services.run_job(job.pk, "celery@b") == "skipped"
    assert calls[key] == 1


def test_an_unclaimed_job_is_not_run():
    job = services.enqueue("tests.echo")

    assert services.run_job(job.pk, "w1") == "skipped"
    job.refresh_from_db()
    assert job.status == "queued"


def test_a_job_writes_in_the_site_language_whatever_the_worker_thread_has_active():
    from django.utils import translation

    job = services.enqueue("tests.language", {})

    with translation.override("en"):
        _claim_and_run()

    job.refresh_from_db()
    assert job.result == {"language": "zh-hans", "word": "是"}

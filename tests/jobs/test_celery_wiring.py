"""The Celery pieces that need no broker: argument handling, dispatch, the task body."""

from __future__ import annotations

import pytest

from mediadesk.celery_app import app, run_job_task, run_jobs_task
from mediadesk.jobs import services
from mediadesk.jobs.beat import BeatScheduler
from mediadesk.jobs.management.commands.worker import worker_argv
from mediadesk.jobs.models import Job


def test_worker_defaults_to_a_thread_pool_of_the_configured_size(settings):
    settings.MEDIADESK_JOB_WORKERS = 6

    argv = worker_argv(["-Q", "jobs"])

    assert argv[:3] == ["worker", "-Q", "jobs"]
    assert argv[3:7] == ["--pool", "threads", "--concurrency", "6"]


def test_worker_keeps_a_pool_given_on_the_command_line():
    argv = worker_argv(["--pool=prefork", "-c", "2"])

    assert "threads" not in argv and argv.count("-c") == 1


def test_the_celery_app_reads_the_broker_from_django_settings(settings):
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.mark.django_db
def test_beat_sends_each_claimed_job_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(run_job_task, "apply_async", lambda args, queue: sent.append(args[0]))
    jobs = [services.enqueue("tests.echo") for _ in range(3)]
    beat = BeatScheduler(queue="q")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        beat.dispatch_due()
    assert sent == []
    for callback in callbacks:
        callback()

    assert sorted(sent) == sorted(j.pk for j in jobs)
    assert set(Job.objects.values_list("locked_by", flat=True)) == {beat.beat_id}


@pytest.fixture
def broker(monkeypatch):
    """What beat hands to the broker: single-job messages and batch messages."""
    sent = {"singles": [], "batches": []}
    monkeypatch.setattr(
        run_job_task, "apply_async", lambda args, queue: sent["singles"].append(args[0])
    )
    monkeypatch.setattr(
        run_jobs_task, "apply_async", lambda args, queue: sent["batches"].append(args[0])
    )
    return sent


@pytest.mark.django_db
def test_beat_packs_many_due_jobs_into_fewer_messages_each_job_once(
    broker, django_capture_on_commit_callbacks
):
    jobs = [services.enqueue("tests.echo") for _ in range(300)]

    with django_capture_on_commit_callbacks(execute=True):
        BeatScheduler(queue="q", jobs_per_message=8).dispatch_due()

    singles, batches = broker["singles"], broker["batches"]
    sent = [job_id for batch in batches for job_id in batch] + singles
    assert sorted(sent) == sorted(j.pk for j in jobs)
    assert len(batches) + len(singles) >= 64  # still spread over many worker threads
    assert len(batches) + len(singles) < 300
    assert max(len(b) for b in batches) <= 8


@pytest.mark.django_db
def test_beat_sends_a_few_due_jobs_one_per_message(broker, django_capture_on_commit_callbacks):
    jobs = [services.enqueue("tests.echo") for _ in range(20)]

    with django_capture_on_commit_callbacks(execute=True):
        BeatScheduler(queue="q", jobs_per_message=8).dispatch_due()

    assert broker["batches"] == []
    assert sorted(broker["singles"]) == sorted(j.pk for j in jobs)


@pytest.mark.django_db
def test_beat_releases_every_job_of_a_message_the_broker_refused(
    monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(args, queue):
        raise ConnectionError("broker down")

    monkeypatch.setattr(run_jobs_task, "apply_async", refuse)
    monkeypatch.setattr(run_job_task, "apply_async", refuse)
    for _ in range(200):
        services.enqueue("tests.echo")

    with django_capture_on_commit_callbacks(execute=True):
        BeatScheduler(jobs_per_message=8).dispatch_due()

    assert set(Job.objects.values_list("status", "locked_by")) == {("queued", "")}


@pytest.mark.django_db
def test_beat_releases_a_job_the_broker_refused(monkeypatch, django_capture_on_commit_callbacks):
    def refuse(args, queue):
        raise ConnectionError("broker down")

    monkeypatch.setattr(run_job_task, "apply_async", refuse)
    job = services.enqueue("tests.echo")

    with django_capture_on_commit_callbacks(execute=True):
        BeatScheduler().dispatch_due()

    job.refresh_from_db()
    assert (job.status, job.locked_by) == ("queued", "")


@pytest.mark.django_db
def test_the_celery_task_runs_the_job_through_run_job():
    job = services.enqueue("tests.echo", {"x": 1})
    services.claim_due_jobs("beat", 1)

    outcome = run_job_task.apply(args=[job.pk]).get()

    job.refresh_from_db()
    assert (outcome, job.status, job.result) == ("succeeded", "succeeded", {"echo": {"x": 1}})


@pytest.mark.django_db
def test_the_batch_task_runs_each_job_once_and_skips_one_already_run():
    jobs = [services.enqueue("tests.echo", {"n": n}) for n in range(3)]
    services.claim_due_jobs("beat", 3)
    services.run_job(jobs[1].pk, "another-worker")  # a duplicate delivery ran it already

    outcomes = run_jobs_task.apply(args=[[j.pk for j in jobs]]).get()

    assert outcomes == {"succeeded": 2, "skipped": 1}
    assert [Job.objects.get(pk=j.pk).result for j in jobs] == [{"echo": {"n": n}} for n in range(3)]

"""The Celery pieces that need no broker: argument handling, dispatch, the task body."""

from __future__ import annotations

import pytest

from mediadesk.celery_app import app, run_job_task
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

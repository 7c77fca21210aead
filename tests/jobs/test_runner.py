from __future__ import annotations

import threading
import time

import pytest

from mediadesk.jobs import services
from mediadesk.jobs.models import Job, WorkerHeartbeat
from mediadesk.jobs.runner import EmbeddedRunner

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_until(predicate, timeout: float = 30.0) -> None:
    """Poll until ``predicate()`` holds; the timeout only bounds a hang, it asserts no speed."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


@pytest.fixture
def runner():
    runner = EmbeddedRunner(workers=2, poll_seconds=0.05)
    yield runner
    runner.stop(timeout=30)


def test_the_embedded_runner_runs_a_job_end_to_end(runner):
    job = services.enqueue("tests.echo", {"hello": "世界"})

    runner.start()
    _wait_until(lambda: Job.objects.get(pk=job.pk).status == "succeeded")

    job.refresh_from_db()
    assert job.result == {"echo": {"hello": "世界"}}
    assert job.locked_by == "" and job.attempts == 1


def test_the_embedded_runner_writes_a_heartbeat(runner):
    runner.start()

    _wait_until(lambda: WorkerHeartbeat.objects.filter(worker_id=runner.worker_id).exists())

    assert WorkerHeartbeat.objects.get(worker_id=runner.worker_id).kind == "embedded"


def test_stop_leaves_no_thread_behind(runner):
    before = set(threading.enumerate())
    runner.start()
    for n in range(6):
        services.enqueue("tests.echo", {"n": n})
    _wait_until(lambda: not Job.objects.exclude(status="succeeded").exists())

    assert runner.stop(timeout=30) is True
    assert set(threading.enumerate()) - before == set()


def test_passes_in_quick_succession_look_at_periodic_tasks_once_a_second(monkeypatch):
    from mediadesk.jobs import runner as module

    looked: list[float] = []
    clock = iter([100.0, 100.4, 100.9, 101.1, 101.5])
    now = 100.0

    def fake_monotonic() -> float:
        return now

    monkeypatch.setattr(module.time, "monotonic", fake_monotonic)
    monkeypatch.setattr(module, "enqueue_due_periodic", lambda: looked.append(now))
    scheduler = EmbeddedRunner(workers=1, heartbeat_seconds=3600, recover_seconds=3600)
    for now in clock:  # noqa: B007 - read by fake_monotonic
        scheduler.tick()
    assert looked == [100.0, 101.1]

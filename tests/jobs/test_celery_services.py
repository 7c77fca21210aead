"""Two real Celery worker processes on PostgreSQL and Redis compete for the same due jobs.

Runs under ``make test-services`` (DATABASE_URL → PostgreSQL, CELERY_BROKER_URL and
MEDIADESK_REDIS_URL → Redis db 14). It fails — never skips — when a service is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection

from mediadesk.celery_app import run_job_task
from mediadesk.jobs import services
from mediadesk.jobs.beat import BeatScheduler
from mediadesk.jobs.models import Job, WorkerHeartbeat

pytestmark = [pytest.mark.services, pytest.mark.urls("tests.jobs.urls")]

REPO = Path(__file__).resolve().parents[2]
JOBS = 50


def _redis_url() -> str:
    url = os.environ.get("MEDIADESK_REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        pytest.fail("MEDIADESK_REDIS_URL is not set: run this through `make test-services`")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is not reachable at {url}: {exc} (start Redis, then make test-services)"
        )
    return url


def _test_database_url() -> str:
    """DATABASE_URL with the database name swapped for pytest-django's ``test_<name>``."""
    if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL"):
        pytest.fail("the Celery test needs PostgreSQL: set DATABASE_URL (make test-services)")
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _wait_until(predicate: Callable[[], bool], what: str, logs: list[Path], timeout: float = 120):
    """Poll ``predicate``; the timeout only catches a hang and asserts nothing about speed."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs)
            pytest.fail(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.2)


class Workers:
    def __init__(self, queue: str, redis_url: str, logs: list[Path], names: list[str]):
        self.queue, self.redis_url, self.logs, self.names = queue, redis_url, logs, names
        self.processes: list[subprocess.Popen] = []

    def node_ids(self) -> set[str]:
        return set(
            WorkerHeartbeat.objects.filter(
                kind="celery", worker_id__in=self.hostnames()
            ).values_list("worker_id", flat=True)
        )

    def hostnames(self) -> list[str]:
        return [f"{name}@{socket.gethostname()}" for name in self.names]

    def wait_for_heartbeats(self) -> None:
        def ready() -> bool:
            for p in self.processes:
                if p.poll() is not None:
                    tails = "\n".join(f.read_text()[-3000:] for f in self.logs)
                    pytest.fail(f"a celery worker exited with {p.returncode}\n{tails}")
            return len(self.node_ids()) == len(self.names)

        _wait_until(ready, "both workers' heartbeats", self.logs)


def _start_worker(name: str, queue: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "celery", "-A", "tests.jobs.celery_entry", "worker"]
    argv += ["-P", "threads", "-c", "2", "-Q", queue, "-n", f"{name}@%h"]
    argv += ["--without-gossip", "--without-mingle", "-l", "INFO"]
    with log.open("w") as out:
        return subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@pytest.fixture(scope="module")
def workers(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Workers]:
    redis_url = _redis_url()
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    token = uuid.uuid4().hex[:8]
    queue = f"mediadesk-test-{token}"
    logs_dir = tmp_path_factory.mktemp("celery")
    names = [f"w{i}-{token}" for i in (1, 2)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "MEDIADESK_REDIS_URL": redis_url,
        "MEDIADESK_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
    }
    logs = [logs_dir / f"{name}.log" for name in names]
    group = Workers(queue, redis_url, logs, names)
    try:
        for name, log in zip(names, logs, strict=True):
            group.processes.append(_start_worker(name, queue, env, log))
        with django_db_blocker.unblock():
            group.wait_for_heartbeats()
        yield group
    finally:
        for p in group.processes:
            p.terminate()
        for p in group.processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}")


@pytest.fixture
def witness(workers: Workers) -> Iterator[str]:
    """A Redis list every execution of ``tests.redis_witness`` appends to."""
    key = f"mediadesk-test-witness-{uuid.uuid4().hex[:8]}"
    yield key
    redis.Redis.from_url(workers.redis_url).delete(key, key + ":pids")


def _run_to_completion(workers: Workers, beat: BeatScheduler) -> None:
    def all_finished() -> bool:
        beat.tick()
        return (
            not Job.objects.filter(name="tests.redis_witness")
            .exclude(status__in=["succeeded", "failed"])
            .exists()
        )

    _wait_until(all_finished, "all jobs to finish", workers.logs)


def _executions(workers: Workers, key: str) -> list[int]:
    return sorted(int(n) for n in redis.Redis.from_url(workers.redis_url).lrange(key, 0, -1))


def _worker_pids(workers: Workers, key: str) -> set[int]:
    return {int(p) for p in redis.Redis.from_url(workers.redis_url).smembers(key + ":pids")}


def test_two_workers_run_each_due_job_exactly_once(transactional_db, workers, witness):
    jobs = [
        services.enqueue("tests.redis_witness", {"list": witness, "n": n, "sleep": 0.05})
        for n in range(JOBS)
    ]
    workers.wait_for_heartbeats()

    _run_to_completion(workers, BeatScheduler(queue=workers.queue))

    done = Job.objects.filter(pk__in=[j.pk for j in jobs])
    assert sorted(done.values_list("status", flat=True).distinct()) == ["succeeded"]
    assert set(done.values_list("attempts", flat=True)) == {1}
    assert _executions(workers, witness) == list(range(JOBS))
    assert _worker_pids(workers, witness) == {p.pid for p in workers.processes}


def test_a_job_sent_twice_still_runs_once(transactional_db, workers, witness):
    jobs = [services.enqueue("tests.redis_witness", {"list": witness, "n": n}) for n in range(20)]
    beat = BeatScheduler(queue=workers.queue)
    workers.wait_for_heartbeats()
    for job in services.claim_due_jobs(beat.beat_id, len(jobs)):
        # Redis redelivering a message, or two schedulers sending the same claim.
        run_job_task.apply_async(args=[job.pk], queue=workers.queue)
        run_job_task.apply_async(args=[job.pk], queue=workers.queue)

    _run_to_completion(workers, beat)

    assert _executions(workers, witness) == list(range(20))


def test_healthz_sees_the_celery_workers(transactional_db, workers, client):
    workers.wait_for_heartbeats()
    BeatScheduler(queue=workers.queue).tick()  # the scheduler's own heartbeat

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["alive"] >= 2
    assert workers.node_ids() == set(workers.hostnames())

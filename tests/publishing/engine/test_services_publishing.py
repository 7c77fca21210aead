"""Real Celery worker processes on PostgreSQL and Redis publish to the simulator (issue 7).

* two worker processes compete for the same due posts: each post reaches the platform once;
* a worker is SIGKILLed in the middle of publishing and another is started: every post still
  reaches the platform exactly once, none is lost, none is left "possibly published".

"Once" is judged by the simulator's own state and request log. Runs under
``make test-services``; it fails — never skips — when PostgreSQL or Redis is missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from mediadesk.accounts import vault
from mediadesk.jobs.beat import BeatScheduler
from mediadesk.jobs.models import WorkerHeartbeat
from mediadesk.platforms.simulator import Simulator
from mediadesk.publishing.models import Publication, PublicationState
from tests.jobs.test_celery_services import _redis_url, _test_database_url
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import Sim, sim_config, wechat_account

pytestmark = [pytest.mark.services]

REPO = Path(__file__).resolve().parents[3]
S = PublicationState
POSTS = 30
CLAIM_TIMEOUT = 8  # seconds; longer than two platform calls at the 2 s timeout below
DONE = {S.PUBLISHED, S.FAILED, S.MISSED, S.POSSIBLY_PUBLISHED, S.AWAITING_PERSON}


def _wait(predicate: Callable[[], bool], what: str, logs: list[Path], timeout: float = 180) -> None:
    """Poll ``predicate``; the timeout only catches a hang and asserts nothing about speed."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-4000:]}" for p in logs if p.exists())
            states = Counter(Publication.objects.values_list("state", flat=True))
            pytest.fail(f"timed out waiting for {what}; states {dict(states)}\n{tails}")
        time.sleep(0.3)


class Workers:
    def __init__(self, env: dict[str, str], queue: str, logs_dir: Path) -> None:
        self.env, self.queue, self.logs_dir = env, queue, logs_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: list[Path] = []

    def start(self, name: str) -> subprocess.Popen:
        log = self.logs_dir / f"{name}.log"
        self.logs.append(log)
        argv = [sys.executable, "-m", "celery", "-A", "tests.jobs.celery_entry", "worker"]
        argv += ["-P", "threads", "-c", "4", "-Q", self.queue, "-n", f"{name}@%h"]
        argv += ["--without-gossip", "--without-mingle", "-l", "INFO"]
        with log.open("w") as out:
            process = subprocess.Popen(
                argv,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        hostname = f"{name}@{socket.gethostname()}"

        def beating() -> bool:
            if process.poll() is not None:
                pytest.fail(f"worker {name} exited with {process.returncode}:\n{log.read_text()}")
            return WorkerHeartbeat.objects.filter(worker_id=hostname).exists()

        _wait(beating, f"{name}'s heartbeat", self.logs, timeout=60)
        return process

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    config = sim_config()
    config.threads = 32
    sim = Simulator(config)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def setup(transactional_db, simulator, settings, tmp_path) -> Iterator[tuple[Workers, Sim]]:
    redis_url = _redis_url()
    database_url = _test_database_url()
    token = uuid.uuid4().hex[:8]
    queue = f"mediadesk-publish-test-{token}"
    timings = {
        "MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
        "MEDIADESK_JOB_LOCK_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
        "MEDIADESK_PLATFORM_TIMEOUT_SECONDS": "2",
        "MEDIADESK_PUBLISH_POLL_SECONDS": "1",
        "MEDIADESK_PUBLISH_RETRY_BASE_SECONDS": "1",
        "MEDIADESK_PUBLISH_TICK_SECONDS": "1",
    }
    for name, value in timings.items():
        setattr(settings, name, float(value) if "." in value else int(value))
    settings.MEDIADESK_SIMULATOR_URL = simulator.base_url
    env = {
        **os.environ,
        **timings,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "MEDIADESK_REDIS_URL": redis_url,
        "MEDIADESK_HEARTBEAT_SECONDS": "1",
        "MEDIADESK_SIMULATOR_URL": simulator.base_url,
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
        # The workers read the library files this process writes, and the tokens it encrypts.
        "MEDIADESK_DATA_DIR": str(Path(settings.MEDIA_ROOT).parent),
        "MEDIADESK_VAULT_KEYS": ",".join(key.decode() for key in vault._read_keys()),
    }
    workers = Workers(env, queue, tmp_path)
    handle = Sim(simulator)
    try:
        yield workers, handle
    finally:
        workers.stop()
        handle.http.close()
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}")


def _schedule(count: int) -> tuple[list[Publication], set[str]]:
    team = pf.team()
    account = wechat_account(team)  # one AppID: the simulator serves one WeChat app here
    now = timezone.now()
    pubs, titles = [], set()
    for n in range(count):
        title = f"并发测试第{n:03d}篇-{uuid.uuid4().hex[:6]}"
        item = pf.approved_item(team, account, title=title)
        pubs.append(pf.publication(item, account, at=now + timedelta(seconds=2), owner=team.author))
        titles.add(title)
    return pubs, titles


def _beat(workers: Workers) -> BeatScheduler:
    return BeatScheduler(queue=workers.queue, recover_seconds=2, poll_seconds=0.2)


def _drive_until_done(beat: BeatScheduler, workers: Workers, pubs: list[Publication]) -> None:
    ids = [p.pk for p in pubs]

    def done() -> bool:
        beat.tick()
        return not Publication.objects.filter(pk__in=ids).exclude(state__in=DONE).exists()

    _wait(done, "every post to reach a final state", workers.logs)


def _titles_on_platform(sim: Sim) -> Counter[str]:
    return Counter(a["items"][0]["title"] for a in sim.wechat_articles())


def test_two_workers_publish_each_due_post_exactly_once(setup):
    workers, sim = setup
    workers.start("pub1")
    workers.start("pub2")
    pubs, titles = _schedule(POSTS)

    _drive_until_done(_beat(workers), workers, pubs)

    states = Counter(Publication.objects.values_list("state", flat=True))
    assert states == {S.PUBLISHED: POSTS}
    on_platform = _titles_on_platform(sim)
    assert set(on_platform) == titles and set(on_platform.values()) == {1}
    assert sim.calls("/cgi-bin/freepublish/submit") == POSTS
    for pub in Publication.objects.all():
        assert pub.attempt_log.filter(operation="create").count() == 1
    for log in workers.logs:  # both processes took part
        assert "succeeded" in log.read_text()


def test_a_worker_killed_mid_publishing_loses_and_doubles_nothing(setup):
    workers, sim = setup
    # Every call takes a while, so posts are in flight when the worker dies.
    sim.fault(kind="latency", path="/cgi-bin/*", latency_ms=250, times=None)
    workers.start("victim")
    pubs, titles = _schedule(POSTS)
    beat = _beat(workers)

    def in_flight() -> bool:
        beat.tick()
        return sim.calls("/cgi-bin/draft/add") >= 3

    _wait(in_flight, "publishing to start", workers.logs)
    workers.kill("victim")
    caught = Counter(Publication.objects.values_list("state", flat=True))
    workers.start("rescuer")

    _drive_until_done(beat, workers, pubs)

    states = Counter(Publication.objects.values_list("state", flat=True))
    assert states == {S.PUBLISHED: POSTS}, f"caught mid-way: {dict(caught)}"
    on_platform = _titles_on_platform(sim)
    assert set(on_platform) == titles and set(on_platform.values()) == {1}
    assert caught[S.SUBMITTING] + caught[S.CLAIMED] > 0, "the kill landed after the work"

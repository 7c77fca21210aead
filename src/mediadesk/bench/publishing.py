"""Publishing engine throughput and lateness against the simulator (issue 7).

Scenario: the WeChat simulator in its own process with quotas off and every call taking
100 ms (a latency fault on every path), so the work is I/O-bound as with the real platform.
Each WeChat post costs at least four calls (cover upload, ``draft/add``, ``freepublish/submit``,
``freepublish/get``), plus a token per account.

* 10,000 posts across 1,000 accounts all due at the same second, on PostgreSQL, published by
  one and then by two Celery worker processes of the same concurrency (``mediadesk beat``'s
  scheduler in this process);
* 1,000 posts across 100 accounts due at the same second on the embedded default (SQLite and
  the in-process thread pool, ``MEDIADESK_JOB_WORKERS`` threads).

Lateness is when the platform took the post (``submitted_at``) minus when it was due;
throughput is posts taken per second from the due time to the last one. Goals: ≥ 100 posts/s;
p99 lateness < 120 s for the 10,000 and < 60 s for the embedded 1,000; two workers ≥ 1.6× one.

Every run also reports what each post costs, figures a busy machine does not distort: worker
CPU ms per post (the Celery worker processes, or the embedded process), database queries per
post (workers, and the scheduler — ``mediadesk beat`` — apart), simulator calls per post, and
the CPU ms per post the simulator and (PostgreSQL on this machine) the database's backends
spent: they share the machine with the workers.

``BENCH_SCALE=small`` runs 2,000 posts on 200 accounts (PostgreSQL) and 1,000 on 100
(embedded) — a few minutes, repeatable; ``BENCH_POSTS`` / ``BENCH_ACCOUNTS`` /
``BENCH_EMBEDDED_POSTS`` set any other scale. ``BENCH_ONLY=celery`` or ``embedded`` runs one
half. ``BENCH_QUERY_LOG=FILE`` appends the queries by statement shape, most frequent first.

Needs PostgreSQL (``BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/
mediadesk_bench``, dropped and recreated) and Redis (``BENCH_REDIS_URL``, default db 13).
Takes several minutes, so ``python -m mediadesk.bench`` (``make bench``) runs it only when
named: ``python -m mediadesk.bench publishing`` (``make bench-publishing``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

RUN_BY_DEFAULT = False  # minutes, and needs PostgreSQL and Redis: run when named

SMALL = os.environ.get("BENCH_SCALE", "") == "small"
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "200" if SMALL else "1000"))
POSTS = int(os.environ.get("BENCH_POSTS", "2000" if SMALL else "10000"))
EMBEDDED_POSTS = int(os.environ.get("BENCH_EMBEDDED_POSTS", "1000" if SMALL else POSTS // 10))
EMBEDDED_ACCOUNTS = max(1, EMBEDDED_POSTS // 10)
ONLY = os.environ.get("BENCH_ONLY", "")
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
EMBEDDED_THREADS = int(os.environ.get("BENCH_EMBEDDED_THREADS", "0"))  # 0: the default
LATENCY_MS = 100
GOAL_THROUGHPUT = 100.0
GOAL_P99_CELERY = 120.0
GOAL_P99_EMBEDDED = 60.0
GOAL_RATIO = 1.6
LEAD_SECONDS = 20.0
TIMEOUT_SECONDS = 900.0
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mediadesk_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
QUOTA_OFF = 10**9
PATHS = (
    "/cgi-bin/stable_token",
    "/cgi-bin/material/add_material",
    "/cgi-bin/media/uploadimg",
    "/cgi-bin/draft/add",
    "/cgi-bin/freepublish/submit",
    "/cgi-bin/freepublish/get",
    "/cgi-bin/freepublish/getarticle",
    "/cgi-bin/freepublish/batchget",
    "/cgi-bin/draft/batchget",
    "/cgi-bin/draft/get",
)


def _simulator(workdir: Path, apps: int) -> tuple[subprocess.Popen, str]:
    from mediadesk.bench._publishing_run import APP_SECRET, appid

    config = {
        "host": "127.0.0.1",
        "port": 0,
        "threads": 256,
        "publish_delay": 1,
        "request_log_limit": 200_000,
        "quotas": dict.fromkeys(PATHS, QUOTA_OFF),
        "app": [f"{appid(n)}:{APP_SECRET}" for n in range(apps)],
    }
    path = workdir / "simulator.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "mediadesk", "simulator", "--config", str(path)],
        stdout=subprocess.PIPE,
        stderr=(workdir / "simulator.log").open("w"),
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("ready on "):
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split("ready on ", 1)[1].strip()


def _reset(sim_url: str) -> None:
    with httpx.Client(base_url=sim_url, timeout=30) as http:
        http.post("/_sim/reset").raise_for_status()
        http.post(
            "/_sim/faults",
            json={"kind": "latency", "path": "/cgi-bin/*", "latency_ms": LATENCY_MS, "times": None},
        ).raise_for_status()


def _platform_count(sim_url: str) -> tuple[int, int, int]:
    """(articles published, freepublish/submit calls, all calls) as the simulator saw them."""
    with httpx.Client(base_url=sim_url, timeout=120) as http:
        articles = len(http.get("/_sim/posts").json()["wechat"])
        summary = http.get("/_sim/requests", params={"summary": "1"}).json()
        submits = summary["paths"].get("/cgi-bin/freepublish/submit", 0)
        return articles, submits, summary["count"]


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _child(env: dict[str, str], *args: Any) -> dict[str, Any]:
    argv = [sys.executable, "-m", "mediadesk.bench._publishing_run", *map(str, args)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[2:])} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _env(data_dir: Path, sim_url: str, database_url: str | None, redis_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MEDIADESK_", "DATABASE_URL", "CELERY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mediadesk.settings",
            "MEDIADESK_DATA_DIR": str(data_dir),
            "MEDIADESK_SIMULATOR_URL": sim_url,
            "CELERY_BROKER_URL": redis_url,
            "MEDIADESK_REDIS_URL": redis_url,
            "MEDIADESK_HEARTBEAT_SECONDS": "2",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _check_services(database_url: str, redis_url: str) -> str:
    try:
        import psycopg
        import redis

        parts = urlsplit(database_url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=5):
            pass
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def _row(label: str, f: dict[str, Any], goal_p99: float) -> str:
    return (
        f"{label:<34} {f['submitted']:>6}/{f['total']:<6} {f['throughput']:>8.1f} "
        f"{f['p50']:>8.1f} {f['p99']:>8.1f} {f['published_p99']:>9.1f}   "
        f"{'ok' if f['p99'] < goal_p99 else 'MISSED'}"
    )


def _cost_row(label: str, f: dict[str, Any]) -> str:
    return (
        f"{label:<34} {f['worker_cpu_ms']:>10.1f} {f['worker_queries']:>10.1f} "
        f"{f['scheduler_cpu_ms']:>9.1f} {f['scheduler_queries']:>9.2f} "
        f"{f['sim_calls']:>9.2f} {f['sim_cpu_ms']:>9.1f} {f.get('db_cpu_ms', float('nan')):>9.1f}"
    )


def _scenario(
    label: str, env: dict[str, str], sim: subprocess.Popen, sim_url: str, *args: Any
) -> tuple[dict[str, Any], tuple[int, int]]:
    from mediadesk.bench._probe import process_cpu_seconds

    _reset(sim_url)
    sim_before = process_cpu_seconds(sim.pid)
    figures = _child(env, *args)
    sim_cpu = process_cpu_seconds(sim.pid) - sim_before
    articles, submits, calls = _platform_count(sim_url)
    per = max(figures["total"], 1)
    figures |= {"sim_calls": calls / per, "sim_cpu_ms": 1000 * sim_cpu / per}
    print(f"{label}: {json.dumps(figures)}", flush=True)
    return figures, (articles, submits)


def run() -> bool:
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    problem = _check_services(database_url, redis_url)
    if problem:
        print(f"publishing bench needs PostgreSQL and Redis ({problem}); not run")
        return False
    workdir = Path(tempfile.mkdtemp(prefix="mediadesk-bench-publishing-"))
    sim, sim_url = _simulator(workdir, ACCOUNTS)
    results: dict[str, dict[str, Any]] = {}
    exact: dict[str, tuple[int, int]] = {}
    try:
        if ONLY != "embedded":
            _recreate_database(database_url)
            pg_env = _env(workdir / "pg", sim_url, database_url, redis_url)
            (workdir / "pg").mkdir()
            started = time.perf_counter()
            _child(pg_env, "prepare", ACCOUNTS, POSTS)
            took = time.perf_counter() - started
            print(f"prepared {POSTS} posts on {ACCOUNTS} accounts in {took:.0f} s")
            for workers in (1, 2):
                label = f"celery ×{workers} (c={CONCURRENCY}), PostgreSQL"
                args = ("celery", workers, CONCURRENCY, LEAD_SECONDS, TIMEOUT_SECONDS)
                results[label], exact[label] = _scenario(label, pg_env, sim, sim_url, *args)
        if ONLY != "celery":
            sqlite_env = _env(workdir / "sqlite", sim_url, None, redis_url)
            (workdir / "sqlite").mkdir()
            _child(sqlite_env, "prepare", EMBEDDED_ACCOUNTS, EMBEDDED_POSTS)
            label = "embedded default, SQLite"
            args = ("embedded", EMBEDDED_THREADS, LEAD_SECONDS, 600)
            results[label], exact[label] = _scenario(label, sqlite_env, sim, sim_url, *args)
    finally:
        sim.terminate()
        sim.wait(timeout=30)

    print(
        f"\n{'scenario':<34} {'taken/total':>13} {'posts/s':>8} {'p50 s':>8} {'p99 s':>8} "
        f"{'out p99 s':>9}   goal"
    )
    ok = True
    for label, figures in results.items():
        goal = GOAL_P99_EMBEDDED if label.startswith("embedded") else GOAL_P99_CELERY
        print(_row(label, figures, goal))
        ok &= figures["p99"] < goal and figures["submitted"] == figures["total"]
        articles, submits = exact[label]
        once = articles == figures["total"] == submits
        verdict = "exactly once" if once else "NOT exactly once"
        print(f"{'':<34} on the platform: {articles} articles, {submits} submits ({verdict})")
        ok &= once
    print(
        f"\ncost per post{'':<21} {'worker ms':>10} {'queries':>10} {'sched ms':>9} "
        f"{'sched q':>9} {'sim calls':>9} {'sim ms':>9} {'db ms':>9}"
    )
    for label, figures in results.items():
        print(_cost_row(label, figures))
    if ONLY == "embedded":
        return ok
    one, two = (results[k] for k in list(results)[:2])
    ratio = two["throughput"] / one["throughput"] if one["throughput"] else 0.0
    best = max(one["throughput"], two["throughput"])
    fast = "ok" if best >= GOAL_THROUGHPUT else "MISSED"
    scales = "ok" if ratio >= GOAL_RATIO else "MISSED"
    print(f"\nthroughput goal ≥ {GOAL_THROUGHPUT:.0f} posts/s: best {best:.1f} ({fast})")
    print(f"two workers vs one: {ratio:.2f}× (goal ≥ {GOAL_RATIO}×: {scales})")
    ok &= best >= GOAL_THROUGHPUT and ratio >= GOAL_RATIO
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if run() else 1)

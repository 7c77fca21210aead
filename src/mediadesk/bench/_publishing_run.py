"""The publishing bench's worker side: run in a child process whose environment picks the
database (PostgreSQL for the Celery runs, SQLite in a data directory for the embedded one).

``python -m mediadesk.bench._publishing_run prepare|celery|embedded`` — see
``mediadesk.bench.publishing`` for the scenario and the goals; this module prints one JSON line
of figures on stdout for it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import django

from mediadesk.bench import _probe

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048
APP_SECRET = "bench-app-secret-000000000001"


def appid(n: int) -> str:
    return f"wxbench{n:010d}"


def _setup() -> None:
    from mediadesk.core.i18n import compile_catalogues

    compile_catalogues()
    django.setup()


def prepare(accounts: int, posts: int) -> dict[str, Any]:
    """Accounts bound to the simulator, approved items, one variant each (bulk, not through
    the review services: 10,000 three-level reviews would take longer than the bench)."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0, interactive=False)
    from mediadesk.accounts import vault
    from mediadesk.accounts.models import AccountStatus, Credential, SocialAccount
    from mediadesk.content.models import Asset, LicenceKind
    from mediadesk.content.services import seed_default_workflow
    from mediadesk.orgs import services as orgs
    from mediadesk.orgs.models import OrgUnit, Role, UnitKind, User
    from mediadesk.platforms.models import SIMULATOR_MARKER, PlatformBinding

    root = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", password=uuid.uuid4().hex
    )
    group = OrgUnit.objects.filter(kind=UnitKind.GROUP).first() or orgs.create_unit(
        actor=root, name="基准集团", kind=UnitKind.GROUP
    )
    owner = User.objects.filter(username="bench-operator").first()
    if owner is None:
        owner = orgs.create_person(
            actor=root,
            username="bench-operator",
            display_name="基准运营",
            org_unit=group,
            password=uuid.uuid4().hex + "Aa1!",
        )
        orgs.grant_role(actor=root, person=owner, role=Role.OPERATOR, org_unit=group)
    if SocialAccount.objects.filter(platform_account_id__startswith="gh_bench").count() >= accounts:
        return {"prepared": False}
    workflow = seed_default_workflow()
    cover = Asset.objects.create(
        owning_unit=group,
        title="基准封面",
        kind="image",
        file=ContentFile(PNG, name="cover.png"),
        original_name="cover.png",
        content_type="image/png",
        size=len(PNG),
        sha256="0" * 64,
        licence=LicenceKind.OWN,
        created_by=root,
    )
    secret = vault.encrypt(APP_SECRET)
    with transaction.atomic():
        rows = SocialAccount.objects.bulk_create(
            [
                SocialAccount(
                    platform="wechat_service",
                    platform_account_id=f"gh_bench{n:06d}",
                    name=f"基准服务号{n:04d}",
                    owning_unit=group,
                    matrix_role="brand",
                    status=AccountStatus.ACTIVE,
                )
                for n in range(accounts)
            ]
        )
        PlatformBinding.objects.bulk_create(
            [
                PlatformBinding(account=a, base_url=SIMULATOR_MARKER, app_id=appid(n))
                for n, a in enumerate(rows)
            ]
        )
        Credential.objects.bulk_create(
            [Credential(account=a, kind="app_secret", ciphertext=secret) for a in rows]
        )
    made = 0
    batch: list[tuple[Any, str]] = []
    for n in range(posts):
        account = rows[n % accounts]
        batch.append((account, f"基准文章{n:05d}第{n // accounts + 1}篇"))
        if len(batch) == 500 or n == posts - 1:
            _bulk_items(batch, group, owner, workflow, cover)
            made += len(batch)
            batch = []
    return {"prepared": True, "items": made}


def _bulk_items(batch: list[tuple[Any, str]], unit: Any, owner: Any, workflow: Any, cover: Any):
    from django.db import transaction

    from mediadesk.content.models import (
        ContentItem,
        ReviewStatus,
        Revision,
        Variant,
        WorkflowState,
    )
    from mediadesk.content.services import _fingerprint

    with transaction.atomic():
        items = ContentItem.objects.bulk_create(
            [
                ContentItem(title=title, owning_unit=unit, author=owner, revision_number=1)
                for _account, title in batch
            ]
        )
        variants = []
        prints = []
        for item, (account, title) in zip(items, batch, strict=True):
            data = {
                "account": account.pk,
                "title": title,
                "digest": "基准摘要",
                "body": f"<p>{title}：三大功能升级。</p>",
                "original_url": "https://example.com/bench",
                "media": [],
                "cover": cover.pk,
                "extra": {},
            }
            variants.append(
                Variant(
                    item=item,
                    account=account,
                    title=title,
                    digest=data["digest"],
                    body=data["body"],
                    original_url=data["original_url"],
                    media=[],
                    cover=cover,
                )
            )
            prints.append(_fingerprint([data]))
        Variant.objects.bulk_create(variants)
        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    item=item,
                    number=1,
                    snapshot={},
                    text=item.title,
                    fingerprint=fp,
                    created_by=owner,
                )
                for item, fp in zip(items, prints, strict=True)
            ]
        )
        WorkflowState.objects.bulk_create(
            [
                WorkflowState(
                    item=item,
                    workflow=workflow,
                    revision=rev,
                    status=ReviewStatus.APPROVED,
                    fingerprint=fp,
                    submitted_by=owner,
                )
                for item, rev, fp in zip(items, revisions, prints, strict=True)
            ]
        )
        for item, fp in zip(items, prints, strict=True):
            item.approved_fingerprint = fp
        ContentItem.objects.bulk_update(items, ["approved_fingerprint"])


def schedule_all(at: datetime) -> int:
    """A fresh scheduled publication for every variant, all due at ``at``."""
    from mediadesk.content.models import Variant
    from mediadesk.jobs.models import Job, PeriodicSchedule
    from mediadesk.orgs.models import User
    from mediadesk.platforms.models import PlatformToken
    from mediadesk.publishing.models import Publication, PublishAttempt

    PublishAttempt.objects.all().delete()
    Publication.objects.all().delete()
    Job.objects.all().delete()
    PeriodicSchedule.objects.all().delete()
    PlatformToken.objects.all().delete()  # the simulator was reset: its tokens are gone
    owner = User.objects.get(username="bench-operator")
    variants = Variant.objects.select_related("item").order_by("pk")
    pubs = [
        Publication(
            variant=v,
            item=v.item,
            account_id=v.account_id,
            scheduled_at=at,
            approved_fingerprint=v.item.approved_fingerprint,
            idempotency_key=uuid.uuid4().hex,
            owner=owner,
            scheduled_by=owner,
        )
        for v in variants
    ]
    Publication.objects.bulk_create(pubs, batch_size=1000)
    return len(pubs)


def measure(due: datetime, total: int, timeout: float, sample: Any = None) -> dict[str, Any]:
    """Wait until every publication is out (or the timeout), then compute the figures;
    ``sample()`` is called on every poll."""
    from django.db import close_old_connections

    from mediadesk.publishing.models import Publication, PublicationState

    final = {"published", "failed", "missed", "possibly_published", "awaiting_person"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        done = Publication.objects.filter(state__in=final).count()
        if sample is not None:
            sample()
        if done >= total:
            break
        time.sleep(1.0)
    states = Counter(Publication.objects.values_list("state", flat=True))
    rows = list(
        Publication.objects.exclude(submitted_at=None).values_list("submitted_at", "published_at")
    )
    lateness = sorted((s - due).total_seconds() for s, _p in rows)
    out_after = sorted((p - due).total_seconds() for _s, p in rows if p is not None)
    last = lateness[-1] if lateness else float("nan")
    return {
        "total": total,
        "states": dict(states),
        "submitted": len(lateness),
        "throughput": len(lateness) / last if lateness and last > 0 else 0.0,
        "p50": _pct(lateness, 50),
        "p99": _pct(lateness, 99),
        "max": last,
        "published_p99": _pct(out_after, 99),
        "published": states.get(PublicationState.PUBLISHED, 0),
    }


def _pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def _start_workers(
    count: int, concurrency: int, queue: str, log_dir: Path
) -> tuple[list[Any], list[Path]]:
    from mediadesk.jobs.models import WorkerHeartbeat

    procs = []
    names = []
    stats = []
    for i in range(count):
        name = f"bench{i}-{uuid.uuid4().hex[:6]}"
        names.append(f"{name}@{socket.gethostname()}")
        stats.append(log_dir / f"{name}.stats.json")
        argv = [sys.executable, "-m", "mediadesk.bench._celery_worker", str(stats[-1])]
        argv += ["-P", "threads", "-c", str(concurrency), "-Q", queue, "-n", f"{name}@%h"]
        argv += ["--without-gossip", "--without-mingle", "-l", "WARNING"]
        log = (log_dir / f"{name}.log").open("w")
        procs.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter running celery
                argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
    deadline = time.monotonic() + 60
    while WorkerHeartbeat.objects.filter(worker_id__in=names).count() < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError(f"celery workers did not start; see {log_dir}")
        time.sleep(0.3)
    return procs, stats


def _stop(procs: list[Any]) -> None:
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def run_celery(workers: int, concurrency: int, lead: float, timeout: float) -> dict[str, Any]:
    from django.utils import timezone

    from mediadesk.jobs.beat import BeatScheduler

    due = timezone.now().replace(microsecond=0) + timedelta(seconds=lead)
    total = schedule_all(due)
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    log_dir = Path(os.environ["MEDIADESK_DATA_DIR"]) / "logs"
    log_dir.mkdir(exist_ok=True)
    procs, stats = _start_workers(workers, concurrency, queue, log_dir)
    stop = threading.Event()
    beat = BeatScheduler(queue=queue, poll_seconds=0.2)
    thread = threading.Thread(target=beat.run, args=(stop,), daemon=True)
    before = _probe.snapshot()
    thread.start()
    backends: dict[int, float] = {}
    try:
        figures = measure(due, total, timeout, sample=lambda: _database_cpu(backends))
        db_cpu = sum(backends.values()) if backends else float("nan")
    finally:
        stop.set()
        thread.join(10)
        _stop(procs)
    after = _probe.snapshot()
    worker_cpu = worker_queries = 0.0
    for path in stats:
        spent = json.loads(path.read_text()) if path.exists() else {}
        worker_cpu += spent.get("cpu", float("nan"))
        worker_queries += spent.get("queries", float("nan"))
    _probe.dump_templates("beat and bench process")
    return (
        figures
        | {"db_cpu_ms": 1000 * db_cpu / max(total, 1)}
        | _costs(
            total,
            worker_cpu=worker_cpu,
            worker_queries=worker_queries,
            scheduler_cpu=after["cpu"] - before["cpu"],
            scheduler_queries=after["queries"] - before["queries"],
        )
    )


def _database_cpu(seen: dict[int, float]) -> None:
    """Record in ``seen`` the CPU seconds each PostgreSQL backend serving this database has
    used so far (sampled every second: backends come and go with the workers' connections,
    and one that ends between two samples loses at most a second). Nothing when the server
    is not on this machine or its processes cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    for pid in pids:
        cpu = _probe.process_cpu_seconds(pid)
        if cpu == cpu:  # not NaN
            seen[pid] = max(cpu, seen.get(pid, 0.0))


def _costs(total: int, **spent: float) -> dict[str, float]:
    """Per post: ``worker_cpu`` / ``scheduler_cpu`` in ms, queries as counts."""
    per = max(total, 1)
    return {
        "worker_cpu_ms": 1000 * spent["worker_cpu"] / per,
        "worker_queries": spent["worker_queries"] / per,
        "scheduler_cpu_ms": 1000 * spent["scheduler_cpu"] / per,
        "scheduler_queries": spent["scheduler_queries"] / per,
    }


def run_embedded(threads: int, lead: float, timeout: float) -> dict[str, Any]:
    from django.utils import timezone

    from mediadesk.jobs.runner import EmbeddedRunner

    due = timezone.now().replace(microsecond=0) + timedelta(seconds=lead)
    total = schedule_all(due)
    runner = EmbeddedRunner(workers=threads)
    before = _probe.snapshot()
    runner.start()
    try:
        figures = measure(due, total, timeout)
    finally:
        runner.stop(timeout=30)
    after = _probe.snapshot()
    _probe.dump_templates("embedded runner")
    # One process: the job threads and the scheduler thread share it (so does the bench's
    # once-a-second count, negligible), so it is all "worker" here.
    return figures | _costs(
        total,
        worker_cpu=after["cpu"] - before["cpu"],
        worker_queries=after["queries"] - before["queries"],
        scheduler_cpu=0.0,
        scheduler_queries=0.0,
    )


def main(argv: list[str]) -> int:
    _probe.install(threads_only=True)  # the job and scheduler threads, not the bench's polling
    _setup()
    command, args = argv[0], [float(a) for a in argv[1:]]
    if command == "prepare":
        result = prepare(int(args[0]), int(args[1]))
    elif command == "celery":
        result = run_celery(int(args[0]), int(args[1]), args[2], args[3])
    elif command == "embedded":
        result = run_embedded(int(args[0]), args[1], args[2])
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

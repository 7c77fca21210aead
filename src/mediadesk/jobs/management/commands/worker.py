"""``mediadesk worker``: a Celery worker running mediadesk jobs.

Every argument is passed on to ``celery worker``; the equivalent plain command is
``celery -A mediadesk.celery_app worker``. Without ``--pool`` / ``--concurrency`` it uses a
thread pool of ``MEDIADESK_JOB_WORKERS`` threads, because jobs wait on platform APIs far more
than they compute.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


def worker_argv(args: list[str]) -> list[str]:
    """The ``celery worker`` argument list for ``mediadesk worker <args>``."""
    argv = ["worker", *args]

    def given(*flags: str) -> bool:
        return any(a == f or a.startswith(f + "=") for a in args for f in flags)

    if not given("-P", "--pool"):
        argv += ["--pool", "threads"]
    if not given("-c", "--concurrency"):
        argv += ["--concurrency", str(settings.MEDIADESK_JOB_WORKERS)]
    if not given("-l", "--loglevel"):
        argv += ["--loglevel", "INFO"]
    return argv


class Command(BaseCommand):
    help = "Run a Celery worker for mediadesk jobs (arguments go to `celery worker`)."
    requires_system_checks: list[str] = []

    def run_from_argv(self, argv: list[str]) -> None:
        # Hand everything after "worker" to Celery unparsed (``-P threads``, ``-Q …``, ``--help``);
        # Django's own --settings/--pythonpath were already applied by the management utility.
        args = [a for a in argv[2:] if not a.startswith(("--settings=", "--pythonpath="))]
        self.handle(*args)

    def handle(self, *args: Any, **options: Any) -> None:
        from mediadesk.celery_app import app

        app.worker_main(worker_argv(list(args)))

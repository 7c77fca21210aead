"""``mediadesk beat``: the database job scheduler for the Celery backend.

Enqueues periodic tasks, requeues jobs of dead workers, claims due jobs and sends them to the
Celery workers. Run one per installation (a second is safe but useless).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from mediadesk.jobs.beat import BeatScheduler


class Command(BaseCommand):
    help = "Schedule mediadesk jobs onto Celery workers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--poll-seconds", type=float, default=None)
        parser.add_argument("--queue", default=None, help="Celery queue to send jobs to")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = BeatScheduler(poll_seconds=options["poll_seconds"], queue=options["queue"])
        if options["once"]:
            sent = scheduler.tick()
            self.stdout.write(f"sent {sent} job(s)")
            return
        stop = threading.Event()

        def _stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write(f"mediadesk beat {scheduler.beat_id} running; Ctrl-C to stop")
        scheduler.run(stop)

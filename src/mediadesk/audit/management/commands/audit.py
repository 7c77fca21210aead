"""``mediadesk audit verify`` and ``mediadesk audit purge --before YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mediadesk.audit.services import purge_expired, verify_chain
from mediadesk.core.context import acting
from mediadesk.core.errors import DomainError


class Command(BaseCommand):
    help = "Verify the audit hash chain, or purge entries past retention (never under 180 days)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("verify", help="recompute the hash chain")
        purge = sub.add_parser("purge", help="delete entries older than a date (≥ 180 days ago)")
        purge.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["op"] == "verify":
            report = verify_chain()
            if not report.ok:
                raise CommandError(
                    f"audit chain BROKEN at entry #{report.first_bad_seq}: {report.problem} "
                    f"({report.checked} entries verified before it)"
                )
            self.stdout.write(f"audit chain intact: {report.checked} entries verified")
            return
        try:
            day = dt.date.fromisoformat(options["before"])
        except ValueError as exc:
            raise CommandError("--before must be a date like 2025-01-31") from exc
        cutoff = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        try:
            with acting(source="cli"):
                count = purge_expired(before=cutoff)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"purged {count} audit entries older than {day}")

"""Is publishing being consumed? For ``/healthz`` (design notes: a health check that says OK
while nothing publishes is a classic peer bug).

* the oldest due ``scheduled`` publication nobody has claimed yet, and how long it waits;
* rows stuck in ``claimed`` or ``submitting`` longer than the claim timeout (their worker is
  gone and the recovery has not run), and follow-ups (retries, polls, checks) overdue as long.

Unhealthy when the oldest due post waits longer than the job lag alert, or anything is stuck.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q

from mediadesk.publishing.engine import claim_timeout
from mediadesk.publishing.models import Publication, PublicationState

S = PublicationState


def check_publishing(now: datetime) -> dict[str, Any]:
    due = Publication.objects.filter(state=S.SCHEDULED, scheduled_at__lte=now).aggregate(
        n=Count("id"), oldest=Min("scheduled_at")
    )
    oldest = due["oldest"]
    wait = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    cutoff = now - claim_timeout()
    stuck_claimed = Publication.objects.filter(state=S.CLAIMED, claimed_at__lt=cutoff).count()
    stuck_submitting = (
        Publication.objects.filter(state=S.SUBMITTING, claimed_at__lt=cutoff)
        .exclude(claimed_by="")
        .count()
    )
    overdue = Publication.objects.filter(
        Q(state=S.SUBMITTING, claimed_by="") | Q(state=S.SUBMITTED),
        next_check_at__lt=cutoff,
    ).count()
    limit = float(getattr(settings, "MEDIADESK_JOB_LAG_ALERT_SECONDS", 300))
    return {
        "due_waiting": due["n"],
        "oldest_due_at": oldest.isoformat() if oldest else None,
        "oldest_wait_seconds": round(wait, 1),
        "stuck_claimed": stuck_claimed,
        "stuck_submitting": stuck_submitting,
        "overdue_follow_ups": overdue,
        "stuck_after_seconds": int(claim_timeout() / timedelta(seconds=1)),
        "ok": wait <= limit and not (stuck_claimed or stuck_submitting or overdue),
    }

"""Whether publishing is stopped for an account at a moment (PUB-3): a pause or a blackout.

The engine asks this when a publication falls due (a held post waits, nothing is lost); the
calendar asks it to show what will wait. A pause or blackout on a unit covers every unit below
it, so a group-wide pause stops every account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import IntegerField, Value

from mediadesk.publishing.models import BlackoutPeriod, PublishingPause


@dataclass(frozen=True)
class Hold:
    kind: str  # "pause" or "blackout"
    reason: str
    obj: Any  # the PublishingPause or BlackoutPeriod


def active_hold(account: Any, at: datetime) -> Hold | None:
    """The pause (open now) or blackout (covering ``at``) that stops ``account``, if any.

    Asked for every post that falls due, so both kinds are looked up in one statement (a
    UNION) and only the one that applies is loaded."""
    unit_ids = account.owning_unit.ancestor_ids()
    pauses = (
        PublishingPause.objects.filter(unit_id__in=unit_ids, ended_at__isnull=True)
        .order_by()
        .annotate(k=Value(0, output_field=IntegerField()))
        .values_list("k", "started_at", "pk")
    )
    blackouts = (
        BlackoutPeriod.objects.filter(unit_id__in=unit_ids, starts_at__lte=at, ends_at__gt=at)
        .order_by()
        .annotate(k=Value(1, output_field=IntegerField()))
        .values_list("k", "starts_at", "pk")
    )
    first = pauses.union(blackouts, all=True).order_by("k", "started_at", "pk").first()
    if first is None:
        return None
    if first[0] == 0:
        pause = PublishingPause.objects.get(pk=first[2])
        return Hold("pause", pause.reason, pause)
    blackout = BlackoutPeriod.objects.get(pk=first[2])
    return Hold("blackout", blackout.reason, blackout)

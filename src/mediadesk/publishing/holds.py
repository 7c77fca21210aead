"""Whether publishing is stopped for an account at a moment (PUB-3): a pause or a blackout.

The engine asks this when a publication falls due (a held post waits, nothing is lost); the
calendar asks it to show what will wait. A pause or blackout on a unit covers every unit below
it, so a group-wide pause stops every account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mediadesk.publishing.models import BlackoutPeriod, PublishingPause


@dataclass(frozen=True)
class Hold:
    kind: str  # "pause" or "blackout"
    reason: str
    obj: Any  # the PublishingPause or BlackoutPeriod


def active_hold(account: Any, at: datetime) -> Hold | None:
    """The pause (open now) or blackout (covering ``at``) that stops ``account``, if any."""
    unit_ids = account.owning_unit.ancestor_ids()
    pause = (
        PublishingPause.objects.filter(unit_id__in=unit_ids, ended_at__isnull=True)
        .order_by("started_at", "pk")
        .first()
    )
    if pause is not None:
        return Hold("pause", pause.reason, pause)
    blackout = (
        BlackoutPeriod.objects.filter(unit_id__in=unit_ids, starts_at__lte=at, ends_at__gt=at)
        .order_by("starts_at", "pk")
        .first()
    )
    if blackout is not None:
        return Hold("blackout", blackout.reason, blackout)
    return None

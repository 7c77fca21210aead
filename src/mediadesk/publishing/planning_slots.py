"""Best-time slots (PUB-2): the next free one for an account, and editing them.

An account's own slots replace its platform's. Editing an account's slots needs the right to
publish there (the people who schedule tune their account); the platform defaults are
group-wide settings (``Action.SETTINGS_MANAGE`` at the group: HQ, technical support).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mediadesk.accounts.models import Platform, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.core.errors import ValidationFailed
from mediadesk.core.scopes import Scope
from mediadesk.orgs.permissions import Action, require
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import (
    LIVE_STATES,
    BestTimeSlot,
    BlackoutPeriod,
    PlanEntry,
    Publication,
    PublishingPause,
    SlotKind,
)

SUGGESTION_HORIZON_DAYS = 14
ROUND_TO_MINUTES = 5


@dataclass(frozen=True)
class SuggestedSlot:
    at: dt.datetime  # aware, local
    ends: dt.datetime
    slot: BestTimeSlot

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "ends": self.ends,
            "slot_id": self.slot.pk,
            "label": self.slot.label,
            "weight": self.slot.weight,
            "kind": self.slot.kind,
        }


def _round_up(at: dt.datetime) -> dt.datetime:
    at = at.replace(second=0, microsecond=0) + (
        dt.timedelta(minutes=1) if at.second or at.microsecond else dt.timedelta()
    )
    extra = -at.minute % ROUND_TO_MINUTES
    return at + dt.timedelta(minutes=extra)


def suggest_slot(
    account: SocialAccount, after: dt.datetime, kind: str = SlotKind.REGULAR
) -> SuggestedSlot | None:
    """The next best-time slot of ``account`` from ``after`` that nothing of the account
    occupies (no live publication, no timed plan entry), outside blackouts; within a day the
    higher weight wins (Weibo's Wednesday evening over …), then the earlier slot. None when the
    account has no slots, publishing is paused for it, or nothing is free for two weeks."""
    slots = rules.effective_slots(account)
    if not slots:
        return None
    unit_ids = account.owning_unit.ancestor_ids()
    if PublishingPause.objects.filter(unit_id__in=unit_ids, ended_at__isnull=True).exists():
        return None
    start = _round_up(rules.to_local(after))
    horizon_end = rules.day_start(start.date() + dt.timedelta(days=SUGGESTION_HORIZON_DAYS))
    taken = [
        rules.to_local(at)
        for at in Publication.objects.filter(
            account=account,
            state__in=LIVE_STATES,
            scheduled_at__gte=rules.day_start(start.date()),
            scheduled_at__lt=horizon_end,
        ).values_list("scheduled_at", flat=True)
    ]
    taken += [
        rules.local_datetime(day, time)
        for day, time in PlanEntry.objects.filter(
            account=account,
            planned_time__isnull=False,
            planned_on__gte=start.date(),
            planned_on__lt=horizon_end.date(),
        )
        .filter(Q(publication__isnull=True) | ~Q(publication__state__in=LIVE_STATES))
        .values_list("planned_on", "planned_time")
    ]
    blackouts = list(
        BlackoutPeriod.objects.filter(
            unit_id__in=unit_ids, ends_at__gt=start, starts_at__lt=horizon_end
        ).values_list("starts_at", "ends_at")
    )
    for offset in range(SUGGESTION_HORIZON_DAYS):
        day = start.date() + dt.timedelta(days=offset)
        todays = sorted(rules.slots_on(slots, day, kind), key=lambda s: (-s.weight, s.starts))
        for slot in todays:
            slot_start = rules.local_datetime(day, slot.starts)
            slot_end = rules.local_datetime(day, slot.ends)
            if any(slot_start <= t < slot_end for t in taken):
                continue
            candidate = max(slot_start, start)
            for b_start, b_end in sorted(blackouts):
                if b_start <= candidate < b_end:
                    candidate = _round_up(rules.to_local(b_end))
            if candidate < slot_end:
                return SuggestedSlot(candidate, slot_end, slot)
    return None


# -- editing --------------------------------------------------------------------------------


def _clean_slot(raw: dict[str, Any]) -> dict[str, Any]:
    def bad(field: str, message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={field: message})

    weekdays = raw.get("weekdays") or list(rules.ALL_DAYS)
    if not isinstance(weekdays, list | tuple) or not all(
        isinstance(d, int) and 1 <= d <= 7 for d in weekdays
    ):
        raise bad("weekdays", _("Weekdays are numbers 1 (Monday) to 7 (Sunday)."))
    starts, ends = raw.get("starts"), raw.get("ends")
    try:
        starts = starts if isinstance(starts, dt.time) else dt.time.fromisoformat(str(starts))
        ends = ends if isinstance(ends, dt.time) else dt.time.fromisoformat(str(ends))
    except ValueError as exc:
        raise bad("starts", _("Times are HH:MM.")) from exc
    if ends <= starts:
        raise bad("ends", _("A slot ends after it starts (on the same day)."))
    kind = raw.get("kind") or SlotKind.REGULAR
    if kind not in SlotKind.values:
        raise bad("kind", _("Unknown kind of slot."))
    weight = raw.get("weight", 1)
    if not isinstance(weight, int) or not 1 <= weight <= 10:
        raise bad("weight", _("The weight is 1 to 10."))
    return {
        "weekdays": sorted(set(weekdays)),
        "starts": starts,
        "ends": ends,
        "kind": kind,
        "weight": weight,
        "label": str(raw.get("label") or "").strip()[:100],
    }


def _describe(slots: list[BestTimeSlot]) -> list[dict[str, Any]]:
    return [
        {
            "weekdays": s.weekdays,
            "starts": f"{s.starts:%H:%M}",
            "ends": f"{s.ends:%H:%M}",
            "kind": s.kind,
            "weight": s.weight,
            "label": s.label,
        }
        for s in slots
    ]


@transaction.atomic
def set_account_slots(
    *, actor: Any, account: SocialAccount, slots: list[dict[str, Any]]
) -> list[BestTimeSlot]:
    """Give ``account`` its own best times, replacing its platform's (audited). An empty list
    goes back to the platform's."""
    require(actor, Action.CONTENT_PUBLISH, account)
    cleaned = [_clean_slot(raw) for raw in slots]
    before = _describe(rules.effective_slots(account))
    BestTimeSlot.objects.filter(account=account).delete()
    created = [BestTimeSlot.objects.create(account=account, **data) for data in cleaned]
    record_event(
        action="publishing.best_times.account",
        actor=actor,
        obj=account,
        before={"slots": before},
        after={"slots": _describe(rules.effective_slots(account)), "own": bool(created)},
    )
    return created


@transaction.atomic
def set_platform_slots(
    *, actor: Any, platform: str, slots: list[dict[str, Any]]
) -> list[BestTimeSlot]:
    """Replace a platform's default best times (a group-wide setting, audited)."""
    require(actor, Action.SETTINGS_MANAGE, Scope())
    if platform not in Platform.values:
        raise ValidationFailed(_("Unknown platform."), fields={"platform": _("invalid")})
    rules.seed_default_planning()
    cleaned = [_clean_slot(raw) for raw in slots]
    existing = BestTimeSlot.objects.filter(account__isnull=True, platform=platform)
    before = _describe(list(existing))
    existing.delete()
    created = [BestTimeSlot.objects.create(platform=platform, **data) for data in cleaned]
    record_event(
        action="publishing.best_times.platform",
        actor=actor,
        object_type="publishing.besttimeslot",
        object_id=platform,
        object_repr=platform,
        scope_path="",
        before={"slots": before},
        after={"slots": _describe(created)},
    )
    return created

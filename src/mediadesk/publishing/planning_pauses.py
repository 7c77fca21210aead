"""Stop everything (PUB-3): pauses for a crisis and planned blackout periods.

A pause on a unit (the group for a group-wide stop) holds every post of the accounts below it
that falls due while it is open: the engine asks ``holds.active_hold`` and parks the row as
``held``. Ending the pause, deleting a blackout or a blackout running out turns those rows back
to ``scheduled`` with ``released_at`` = now — the engine measures lateness from it — unless
another pause or blackout still holds them. Nothing is lost and nothing is sent twice: the
release is a conditional update of rows still ``held``.

Deciding to stop publishing is a crisis decision: ``Action.RISK_MANAGE`` (HQ and the general
manager hold it; an L3 reviewer only sees risks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.holds import active_hold
from mediadesk.publishing.models import (
    BlackoutPeriod,
    Publication,
    PublicationState,
    PublishingPause,
)


@dataclass
class Released:
    """What ending a hold gave back to the engine."""

    hold: Any
    publications: list[Publication] = field(default_factory=list)


def _people_who_may(action: Action, obj: Any) -> list[User]:
    return [u for u in User.objects.filter(is_active=True) if can(u, action, obj)]


def _clean_reason(reason: str, limit: int | None = None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason."), fields={"reason": _("required")})
    if limit is not None and len(reason) > limit:
        raise ValidationFailed(
            _("The reason is at most %(n)d characters.") % {"n": limit},
            fields={"reason": _("too long")},
        )
    return reason


@transaction.atomic
def pause_publishing(*, actor: Any, unit: OrgUnit, reason: str) -> PublishingPause:
    """Stop every account of ``unit`` (and below) from publishing until resumed."""
    require(actor, Action.RISK_MANAGE, unit)
    reason = _clean_reason(reason)
    try:
        with transaction.atomic():
            pause = PublishingPause.objects.create(
                unit=unit, reason=reason, started_by=actor, started_at=timezone.now()
            )
    except IntegrityError as exc:
        raise Conflict(_("Publishing is already paused for %(u)s.") % {"u": unit.name}) from exc
    record_event(
        action="publishing.pause.start",
        actor=actor,
        obj=pause,
        after={"unit": unit.pk, "unit_name": unit.name, "reason": reason},
    )
    notify(
        _people_who_may(Action.CONTENT_PUBLISH, unit),
        kind="publishing.pause",
        title=_("Publishing is paused for %(u)s") % {"u": unit.name},
        body=reason,
        link="/publishing/calendar/",
        dedupe_key=f"publishing.pause:{pause.pk}",
    )
    return pause


def release_held(*, actor: Any, unit: OrgUnit | None = None) -> list[Publication]:
    """Give back to the engine the held posts of ``unit`` (None: everywhere) that no pause or
    blackout holds any more; each release is audited."""
    now = timezone.now()
    held = Publication.objects.filter(state=PublicationState.HELD).select_related(
        "account__owning_unit"
    )
    if unit is not None:
        held = held.filter(account__owning_unit__path__startswith=unit.path)
    released = []
    for publication in held:
        if active_hold(publication.account, now) is not None:
            continue
        with transaction.atomic():  # the release and its audit entry stand or fall together
            updated = Publication.objects.filter(
                pk=publication.pk, state=PublicationState.HELD, version=publication.version
            ).update(
                state=PublicationState.SCHEDULED,
                released_at=now,
                version=publication.version + 1,
                updated_at=now,
            )
            if not updated:
                continue  # moved or cancelled meanwhile
            record_event(
                action="publishing.publication.release",
                actor=actor,
                obj=publication,
                before={"state": PublicationState.HELD, "version": publication.version},
                after={
                    "state": PublicationState.SCHEDULED,
                    "version": publication.version + 1,
                    "released_at": now.isoformat(),
                },
            )
        publication.refresh_from_db()
        released.append(publication)
    return released


@transaction.atomic
def resume_publishing(*, actor: Any, pause: PublishingPause, reason: str = "") -> Released:
    """End ``pause``; its held posts go out (counting lateness from now). ``reason`` (why it is
    safe to publish again; the pages ask for it) is kept in the audit entry."""
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationFailed(
            _("The reason is at most %(n)d characters.") % {"n": 500},
            fields={"reason": _("too long")},
        )
    locked = PublishingPause.objects.select_for_update(of=("self",)).select_related("unit")
    pause = locked.get(pk=pause.pk)
    require(actor, Action.RISK_MANAGE, pause.unit)
    if pause.ended_at is not None:
        raise Conflict(_("This pause already ended."))
    pause.ended_by, pause.ended_at = actor, timezone.now()
    pause.save(update_fields=["ended_by", "ended_at"])
    released = release_held(actor=actor, unit=pause.unit)
    record_event(
        action="publishing.pause.end",
        actor=actor,
        obj=pause,
        before={"open": True},
        after={"open": False, "reason": reason, "released": [p.pk for p in released]},
    )
    notify(
        _people_who_may(Action.CONTENT_PUBLISH, pause.unit),
        kind="publishing.pause",
        title=_("Publishing resumed for %(u)s (%(n)d held post(s) released)")
        % {"u": pause.unit.name, "n": len(released)},
        body=reason,
        link="/publishing/calendar/",
        dedupe_key=f"publishing.resume:{pause.pk}",
    )
    return Released(pause, released)


@transaction.atomic
def create_blackout(
    *, actor: Any, unit: OrgUnit, starts_at: dt.datetime, ends_at: dt.datetime, reason: str
) -> BlackoutPeriod:
    """A period in which ``unit`` and everything below it publish nothing (naive times are
    local)."""
    require(actor, Action.RISK_MANAGE, unit)
    reason = _clean_reason(reason, limit=200)
    starts_at, ends_at = rules.aware(starts_at), rules.aware(ends_at)
    if ends_at <= starts_at:
        raise ValidationFailed(
            _("A blackout ends after it starts."), fields={"ends_at": _("before the start")}
        )
    if ends_at <= timezone.now():
        raise ValidationFailed(
            _("This blackout is over already."), fields={"ends_at": _("in the past")}
        )
    blackout = BlackoutPeriod.objects.create(
        unit=unit, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor
    )
    record_event(
        action="publishing.blackout.create",
        actor=actor,
        obj=blackout,
        after={
            "unit": unit.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "reason": reason,
        },
    )
    return blackout


@transaction.atomic
def delete_blackout(*, actor: Any, blackout: BlackoutPeriod) -> Released:
    """Remove a blackout; the posts it held go out unless something else holds them."""
    blackout = BlackoutPeriod.objects.select_related("unit").get(pk=blackout.pk)
    require(actor, Action.RISK_MANAGE, blackout.unit)
    before = {
        "unit": blackout.unit_id,
        "starts_at": blackout.starts_at.isoformat(),
        "ends_at": blackout.ends_at.isoformat(),
        "reason": blackout.reason,
    }
    record_event(action="publishing.blackout.delete", actor=actor, obj=blackout, before=before)
    unit = blackout.unit
    blackout.delete()
    return Released(before, release_held(actor=actor, unit=unit))

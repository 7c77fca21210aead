"""Moving (dragging) and cancelling a waiting publication."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.content import services as content
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.publishing.models import PlanEntry, Publication, PublicationState
from mediadesk.publishing.planning import (
    cancel_publication,
    reschedule_publication,
    schedule_publication,
)
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(world):
    item = approved_item(world)
    return schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication


def test_dragging_moves_the_post_and_bumps_its_version(world, scheduled):
    result = reschedule_publication(
        actor=world.author, publication=scheduled, at=local(2026, 3, 12, 8, 15), version=1
    )
    moved = Publication.objects.get(pk=scheduled.pk)
    assert moved.scheduled_at == local(2026, 3, 12, 8, 15) and moved.version == 2
    assert result.warnings == []


def test_the_move_is_audited_with_before_and_after(world, scheduled):
    reschedule_publication(
        actor=world.author, publication=scheduled, at=local(2026, 3, 12, 8, 15), version=1
    )
    entry = AuditEntry.objects.get(action="publishing.publication.reschedule")
    assert entry.before["scheduled_local"] == "2026-03-11 19:30"
    assert entry.after["scheduled_local"] == "2026-03-12 08:15"


def test_the_plan_row_follows_the_move(world, scheduled):
    reschedule_publication(
        actor=world.author, publication=scheduled, at=local(2026, 3, 12, 8, 15), version=1
    )
    entry = PlanEntry.objects.get(publication=scheduled)
    assert (entry.planned_on, entry.planned_time) == (dt.date(2026, 3, 12), dt.time(8, 15))


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, scheduled):
    reschedule_publication(
        actor=world.author, publication=scheduled, at=local(2026, 3, 12, 8, 15), version=1
    )
    with pytest.raises(Conflict, match="changed since"):
        reschedule_publication(
            actor=world.author, publication=scheduled, at=local(2026, 3, 13, 8, 15), version=1
        )
    assert Publication.objects.get(pk=scheduled.pk).scheduled_at == local(2026, 3, 12, 8, 15)


def test_a_post_the_engine_has_claimed_cannot_be_moved(world, scheduled):
    Publication.objects.filter(pk=scheduled.pk).update(state=PublicationState.CLAIMED)
    with pytest.raises(Conflict, match="only a waiting post"):
        reschedule_publication(
            actor=world.author, publication=scheduled, at=local(2026, 3, 12, 8, 15), version=1
        )


def test_moving_into_the_past_is_refused(world, scheduled):
    with pytest.raises(ValidationFailed, match="in the past"):
        reschedule_publication(
            actor=world.author, publication=scheduled, at=local(2026, 3, 10, 8, 15), version=1
        )


def test_a_move_is_checked_against_the_approval_again(world, scheduled):
    item = scheduled.item
    content.update_item(
        actor=world.author,
        item=item,
        base_revision=item.revision_number,
        variants=[{"account": world.wechat, "title": "改了", "body": "<p>改过</p>"}],
    )
    with pytest.raises(ValidationFailed, match="not approved"):  # back in review (REV-3)
        reschedule_publication(
            actor=world.author, publication=scheduled, at=local(2026, 3, 12, 8, 15), version=1
        )


def test_a_held_post_moved_to_a_new_time_waits_for_it_as_scheduled(world, scheduled):
    Publication.objects.filter(pk=scheduled.pk).update(state=PublicationState.HELD)
    reschedule_publication(
        actor=world.author, publication=scheduled, at=local(2026, 3, 12, 19, 0), version=1
    )
    moved = Publication.objects.get(pk=scheduled.pk)
    assert moved.state == PublicationState.SCHEDULED and moved.released_at is None


def test_cancelling_takes_the_post_off_and_reopens_its_plan_row(world, scheduled):
    from mediadesk.publishing.plan_entries import plan_status

    cancelled = cancel_publication(
        actor=world.author, publication=scheduled, version=1, reason="活动取消"
    )
    assert cancelled.state == PublicationState.CANCELLED and cancelled.version == 2
    assert plan_status(PlanEntry.objects.get(publication=scheduled)) == "pending"
    audit = AuditEntry.objects.get(action="publishing.publication.cancel")
    assert audit.before["state"] == "scheduled" and audit.after["reason"] == "活动取消"


def test_a_published_post_cannot_be_cancelled(world, scheduled):
    Publication.objects.filter(pk=scheduled.pk).update(state=PublicationState.PUBLISHED)
    with pytest.raises(Conflict):
        cancel_publication(actor=world.author, publication=scheduled, version=1)

"""Stop everything (PUB-3): pauses and blackouts, and giving held posts back."""

from __future__ import annotations

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.publishing.holds import active_hold
from mediadesk.publishing.models import BlackoutPeriod, Publication, PublicationState
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_pauses import (
    create_blackout,
    delete_blackout,
    pause_publishing,
    release_held,
    resume_publishing,
)
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


def held_post(world):
    item = approved_item(world)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.HELD)  # engine
    return publication


def test_the_general_manager_pauses_the_whole_group(world):
    pause = pause_publishing(actor=world.gm, unit=world.group, reason="重大舆情，暂停发布")
    assert active_hold(world.wechat, local(2026, 3, 11, 19, 30)).obj == pause
    assert AuditEntry.objects.filter(action="publishing.pause.start").exists()


def test_an_operator_cannot_pause(world):
    with pytest.raises(PermissionDenied):
        pause_publishing(actor=world.author, unit=world.unit, reason="想暂停")


def test_a_pause_needs_a_reason(world):
    with pytest.raises(ValidationFailed):
        pause_publishing(actor=world.hq, unit=world.unit, reason="  ")


def test_a_unit_has_one_open_pause(world):
    pause_publishing(actor=world.hq, unit=world.unit, reason="一")
    with pytest.raises(Conflict):
        pause_publishing(actor=world.hq, unit=world.unit, reason="二")


def test_resuming_gives_the_held_posts_back_with_their_release_time(world, clock):
    publication = held_post(world)
    pause = pause_publishing(actor=world.hq, unit=world.unit, reason="舆情")
    clock.move_to(local(2026, 3, 11, 21, 0))
    result = resume_publishing(actor=world.hq, pause=pause)
    released = Publication.objects.get(pk=publication.pk)
    assert [p.pk for p in result.publications] == [publication.pk]
    assert released.state == PublicationState.SCHEDULED
    assert released.released_at == local(2026, 3, 11, 21, 0)
    assert released.version == publication.version + 1
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"publishing.pause.end", "publishing.publication.release"} <= actions


def test_a_post_still_under_the_group_pause_stays_held(world):
    publication = held_post(world)
    pause_publishing(actor=world.gm, unit=world.group, reason="集团暂停")
    unit_pause = pause_publishing(actor=world.hq, unit=world.unit, reason="单位暂停")
    result = resume_publishing(actor=world.hq, pause=unit_pause)
    assert result.publications == []
    assert Publication.objects.get(pk=publication.pk).state == PublicationState.HELD


def test_a_pause_ends_once(world):
    pause = pause_publishing(actor=world.hq, unit=world.unit, reason="舆情")
    resume_publishing(actor=world.hq, pause=pause)
    with pytest.raises(Conflict):
        resume_publishing(actor=world.hq, pause=pause)


def test_a_blackout_must_end_after_it_starts(world):
    with pytest.raises(ValidationFailed, match="ends after"):
        create_blackout(
            actor=world.hq,
            unit=world.unit,
            starts_at=local(2026, 3, 12, 10, 0),
            ends_at=local(2026, 3, 12, 9, 0),
            reason="静默期",
        )


def test_deleting_a_blackout_releases_what_it_held(world, clock):
    publication = held_post(world)
    blackout = create_blackout(
        actor=world.hq,
        unit=world.unit,
        starts_at=local(2026, 3, 11, 18, 0),
        ends_at=local(2026, 3, 11, 23, 0),
        reason="发布会静默期",
    )
    clock.move_to(local(2026, 3, 11, 20, 0))
    result = delete_blackout(actor=world.hq, blackout=blackout)
    assert [p.pk for p in result.publications] == [publication.pk]
    assert not BlackoutPeriod.objects.exists()
    assert AuditEntry.objects.filter(action="publishing.blackout.delete").exists()


def test_a_blackout_that_ran_out_releases_its_posts_on_the_next_sweep(world, clock):
    publication = held_post(world)
    create_blackout(
        actor=world.hq,
        unit=world.unit,
        starts_at=local(2026, 3, 11, 18, 0),
        ends_at=local(2026, 3, 11, 23, 0),
        reason="发布会静默期",
    )
    clock.move_to(local(2026, 3, 11, 22, 0))
    assert release_held(actor=None) == []
    clock.move_to(local(2026, 3, 11, 23, 1))
    assert [p.pk for p in release_held(actor=None)] == [publication.pk]

"""The planning jobs are registered with the job runner and do their work when run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediadesk.jobs.registry import get_task, periodic_tasks
from mediadesk.publishing.models import Publication, PublicationState
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_pauses import create_blackout
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


def test_the_planning_jobs_are_periodic():
    every = {spec.name: spec.every for spec in periodic_tasks()}
    assert every["publishing.planning.warn_ahead"] == timedelta(days=1)
    assert every["publishing.propagation.flag_overdue"] == timedelta(hours=1)
    assert every["publishing.planning.release_holds"] == timedelta(minutes=1)


def test_the_release_job_gives_back_posts_whose_blackout_ended(world, clock):
    item = approved_item(world)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication
    create_blackout(
        actor=world.hq,
        unit=world.unit,
        starts_at=local(2026, 3, 11, 19, 0),
        ends_at=local(2026, 3, 11, 20, 0),
        reason="静默期",
    )
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.HELD)  # engine
    clock.move_to(local(2026, 3, 11, 20, 0, 30))
    assert get_task("publishing.planning.release_holds").fn({}) == {"released": 1}
    assert Publication.objects.get(pk=publication.pk).state == PublicationState.SCHEDULED


def test_the_look_ahead_job_reports_what_it_sent(world):
    from tests import factories as f

    f.person(world.unit, "operator")
    result = get_task("publishing.planning.warn_ahead").fn({})
    assert result["sent"] > 0

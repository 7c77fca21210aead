"""Real concurrency: two people acting at the same moment, each in their own transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from mediadesk.content import services
from mediadesk.content.models import StageDecision, WorkflowState
from mediadesk.core.errors import Conflict
from tests import factories as f
from tests.content.world import make_item, ticked

pytestmark = pytest.mark.django_db(transaction=True)


def race(*targets: Callable[[], object]) -> list[object]:
    """Run ``targets`` together; each one's result or the exception it raised."""
    from django.db import connection

    barrier = threading.Barrier(len(targets), timeout=10)
    results: list[object] = [None] * len(targets)

    def run(index: int, target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_reviewers_deciding_at_once_make_one_transition_and_one_conflict(team):
    second = f.person(team.unit, "reviewer_l1")
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    checklist = ticked(state)

    def approve_as(person):
        return lambda: services.decide(
            actor=person,
            state=WorkflowState.objects.get(pk=state.pk),
            action="approve",
            revision=1,
            version=1,
            checklist=checklist,
        )

    results = race(approve_as(team.l1), approve_as(second))
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    state.refresh_from_db()
    assert (state.version, state.stage.level) == (2, 2)
    assert StageDecision.objects.count() == 1


def test_submitting_the_same_item_twice_at_once_starts_one_round(team):
    item = make_item(team)
    results = race(
        lambda: services.submit_for_review(actor=team.author, item=item),
        lambda: services.submit_for_review(actor=team.author, item=item),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert WorkflowState.objects.filter(item=item).count() == 1

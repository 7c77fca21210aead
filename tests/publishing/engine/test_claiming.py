"""Claiming due publications in batches: concurrent dispatchers never share a row."""

from __future__ import annotations

from collections import Counter

import pytest

from mediadesk.jobs.models import Job
from mediadesk.publishing import engine
from mediadesk.publishing.models import Publication, PublicationState
from tests.jobs.conftest import run_concurrently
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import T0

S = PublicationState


@pytest.mark.usefixtures("transactional_db")
def test_two_dispatchers_claiming_in_batches_claim_each_due_post_once(team, wechat, clock):
    pubs = [
        pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
        for _ in range(30)
    ]
    clock.move_to(T0)
    claimed: dict[str, int] = {}

    def dispatcher(name: str):
        def dispatch() -> None:
            claimed[name] = engine.dispatch_due(batch=4, worker=name)

        return dispatch

    run_concurrently(dispatcher("a"), dispatcher("b"))

    assert claimed["a"] + claimed["b"] == len(pubs)
    rows = Publication.objects.filter(pk__in=[p.pk for p in pubs])
    assert set(rows.values_list("state", flat=True)) == {S.CLAIMED}
    assert set(rows.values_list("version", flat=True)) == {pubs[0].version + 1}
    jobs = Counter(
        j["publication"]
        for j in Job.objects.filter(name=engine.ADVANCE_TASK).values_list("payload", flat=True)
    )
    assert sorted(jobs) == sorted(p.pk for p in pubs) and set(jobs.values()) == {1}

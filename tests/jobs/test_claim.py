from __future__ import annotations

from datetime import timedelta

import pytest

from mediadesk.jobs import services
from mediadesk.jobs.models import Job
from tests.jobs.conftest import T0, run_concurrently


@pytest.mark.django_db
def test_claim_takes_due_jobs_and_locks_them(frozen):
    job = services.enqueue("tests.echo")

    [claimed] = services.claim_due_jobs("w1", 10)

    assert claimed.pk == job.pk
    assert (claimed.status, claimed.locked_by, claimed.locked_at) == ("running", "w1", T0)
    assert claimed.started_at is None


@pytest.mark.django_db
def test_claim_leaves_future_jobs_queued(frozen):
    services.enqueue("tests.echo", run_at=T0 + timedelta(seconds=1))

    assert services.claim_due_jobs("w1", 10) == []


@pytest.mark.django_db
def test_claim_takes_the_oldest_due_jobs_up_to_the_limit(frozen):
    late = services.enqueue("tests.echo", run_at=T0 - timedelta(minutes=1))
    early = services.enqueue("tests.echo", run_at=T0 - timedelta(minutes=5))
    services.enqueue("tests.echo", run_at=T0)

    claimed = services.claim_due_jobs("w1", 2)

    assert [j.pk for j in claimed] == [early.pk, late.pk]


@pytest.mark.django_db
def test_a_second_claimer_gets_nothing_already_claimed():
    for _ in range(3):
        services.enqueue("tests.echo")
    services.claim_due_jobs("w1", 10)

    assert services.claim_due_jobs("w2", 10) == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claimers_never_claim_the_same_job():
    jobs = [services.enqueue("tests.echo", {"n": n}) for n in range(60)]
    claimed: dict[str, list[int]] = {"a": [], "b": []}

    def claimer(name: str):
        def claim_until_empty() -> None:
            while batch := services.claim_due_jobs(name, 7):
                claimed[name].extend(j.pk for j in batch)

        return claim_until_empty

    run_concurrently(claimer("a"), claimer("b"))

    assert not set(claimed["a"]) & set(claimed["b"])
    assert sorted(claimed["a"] + claimed["b"]) == sorted(j.pk for j in jobs)
    assert set(Job.objects.values_list("locked_by", flat=True)) <= {"a", "b"}

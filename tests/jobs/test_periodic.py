from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from mediadesk.jobs import registry, services
from mediadesk.jobs.models import Job, PeriodicSchedule
from mediadesk.jobs.periodic import enqueue_due_periodic
from tests.jobs.conftest import T0, run_concurrently

HOURLY = registry.PeriodicSpec("tests.echo", every=timedelta(hours=1), payload={"p": 1})


@pytest.mark.django_db
def test_a_new_periodic_task_is_enqueued_at_once(frozen):
    [job] = enqueue_due_periodic(specs=[HOURLY])

    assert (job.name, job.payload) == ("tests.echo", {"p": 1, "scheduled_for": T0.isoformat()})
    assert PeriodicSchedule.objects.get(name="tests.echo").next_run_at == T0 + timedelta(hours=1)


@pytest.mark.django_db
def test_a_restarted_scheduler_does_not_repeat_the_current_period(frozen):
    enqueue_due_periodic(specs=[HOURLY])
    frozen.move_to(T0 + timedelta(minutes=59), tick=False)

    assert enqueue_due_periodic(specs=[HOURLY]) == []


@pytest.mark.django_db
def test_the_next_period_is_enqueued_when_it_starts(frozen):
    enqueue_due_periodic(specs=[HOURLY])
    frozen.move_to(T0 + timedelta(hours=1), tick=False)

    [job] = enqueue_due_periodic(specs=[HOURLY])

    assert job.payload["scheduled_for"] == (T0 + timedelta(hours=1)).isoformat()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_enqueue_each_period_once(frozen):
    for period in range(3):
        frozen.move_to(T0 + period * timedelta(hours=1), tick=False)
        run_concurrently(*[lambda: enqueue_due_periodic(specs=[HOURLY])] * 2)

    assert Job.objects.filter(name="tests.echo").count() == 3


@pytest.mark.django_db
def test_downtime_enqueues_one_job_for_the_missed_periods(frozen):
    enqueue_due_periodic(specs=[HOURLY])
    frozen.move_to(T0 + timedelta(hours=5, minutes=30), tick=False)

    [job] = enqueue_due_periodic(specs=[HOURLY])

    assert job.payload["scheduled_for"] == (T0 + timedelta(hours=5)).isoformat()
    assert PeriodicSchedule.objects.get().next_run_at == T0 + timedelta(hours=6)


@pytest.mark.django_db
def test_catch_up_enqueues_every_missed_period_in_turn(frozen):
    spec = registry.PeriodicSpec("tests.echo", every=timedelta(hours=1), catch_up=True)
    enqueue_due_periodic(specs=[spec])
    frozen.move_to(T0 + timedelta(hours=3, minutes=30), tick=False)

    for _ in range(5):
        enqueue_due_periodic(specs=[spec])

    assert sorted(j.payload["scheduled_for"] for j in Job.objects.all()) == [
        (T0 + timedelta(hours=h)).isoformat() for h in range(4)
    ]


def test_housekeeping_is_declared_as_a_daily_periodic_task():
    daily = {s.name: s.every for s in registry.periodic_tasks()}

    assert daily["housekeeping.clear_sessions"] == timedelta(days=1)


@pytest.mark.django_db
def test_housekeeping_clears_expired_sessions(frozen):
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(60)
    store.save()
    frozen.move_to(T0 + timedelta(minutes=2), tick=False)
    services.enqueue("housekeeping.clear_sessions")
    [job] = services.claim_due_jobs("w1", 1)

    assert services.run_job(job.pk, "w1") == "succeeded"
    assert not Session.objects.exists()

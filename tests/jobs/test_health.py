from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError, connection

from mediadesk.jobs import services
from tests.jobs.conftest import T0

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.jobs.urls")]


@pytest.fixture
def live_worker(frozen):
    services.heartbeat("embedded@test", "embedded")


def test_healthy_with_a_fresh_heartbeat_and_no_waiting_job(client, live_worker):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["worker"] == {
        "last_heartbeat": T0.isoformat(),
        "age_seconds": 0.0,
        "alive": 1,
        "ok": True,
    }
    assert body["checks"]["jobs"]["waiting"] == 0


def test_no_heartbeat_ever_is_unhealthy(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_a_stale_heartbeat_is_unhealthy(client, live_worker, frozen, settings):
    frozen.move_to(T0 + timedelta(seconds=settings.MEDIADESK_HEARTBEAT_STALE_SECONDS + 1))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["worker"]["ok"] is False


def test_a_due_job_waiting_too_long_is_unhealthy(client, frozen, settings):
    services.enqueue("tests.echo", run_at=T0)
    frozen.move_to(T0 + timedelta(seconds=settings.MEDIADESK_JOB_LAG_ALERT_SECONDS + 1), tick=False)
    services.heartbeat("embedded@test", "embedded")

    response = client.get("/healthz")

    assert response.status_code == 503
    jobs = response.json()["checks"]["jobs"]
    assert (jobs["waiting"], jobs["oldest_waiting_due_at"], jobs["ok"]) == (
        1,
        T0.isoformat(),
        False,
    )
    assert response.json()["checks"]["worker"]["ok"] is True


def test_a_job_claimed_but_never_started_counts_as_waiting(client, frozen):
    services.enqueue("tests.echo", run_at=T0)
    services.claim_due_jobs("beat@test", 1)  # sent to a broker nobody consumes

    assert client.get("/healthz").json()["checks"]["jobs"]["waiting"] == 1


def test_an_unreachable_database_answers_503(client, monkeypatch):
    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_healthz_reveals_no_connection_details(client, live_worker, settings):
    body = client.get("/healthz").content.decode()

    assert str(settings.DATABASES["default"]["NAME"]) not in body
    assert settings.SECRET_KEY not in body

"""``/healthz`` shows whether publishing is consumed: due posts nobody claims, stuck posts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediadesk.jobs import services as jobs
from mediadesk.publishing import engine
from mediadesk.publishing.models import PublicationState
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import T0

pytestmark = pytest.mark.urls("tests.jobs.urls")
S = PublicationState


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def _health(client):
    jobs.heartbeat("embedded@test", "embedded")
    return client.get("/healthz")


def test_a_due_post_nobody_claims_makes_health_fail(client, team, wechat, frozen, settings):
    pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    assert _health(client).json()["checks"]["publishing"]["ok"] is True

    frozen.move_to(T0 + timedelta(seconds=settings.MEDIADESK_JOB_LAG_ALERT_SECONDS + 1), tick=False)
    response = _health(client)

    check = response.json()["checks"]["publishing"]
    assert response.status_code == 503
    assert (check["due_waiting"], check["oldest_due_at"], check["ok"]) == (
        1,
        T0.isoformat(),
        False,
    )


def test_a_post_stuck_in_claimed_makes_health_fail(client, team, wechat, frozen, settings):
    pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    engine.dispatch_due()  # claimed; its worker never runs it
    assert _health(client).json()["checks"]["publishing"]["ok"] is True

    frozen.move_to(T0 + timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 1))
    check = _health(client).json()["checks"]["publishing"]

    assert check["stuck_claimed"] == 1 and check["ok"] is False

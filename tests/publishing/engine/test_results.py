"""Asynchronous outcomes: WeChat's publish job by polling or by its push, whichever comes
first; a mass send made idempotent by ``clientmsgid``; a failed publish job (PUB-4)."""

from __future__ import annotations

import time
from datetime import timedelta

from mediadesk.jobs.models import Job
from mediadesk.platforms.events import record_push
from mediadesk.publishing.models import PublicationState
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import APPID, T0, explain, run

S = PublicationState


def _due(team, account, **kw):
    return pf.publication(pf.approved_item(team, account), account, at=T0, owner=team.author, **kw)


def test_the_outcome_comes_from_polling_with_backoff(team, wechat, sim, clock, settings):
    settings.MEDIADESK_PUBLISH_POLL_SECONDS = 5
    pub = _due(team, wechat)

    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTED and pub.platform_job_id
    assert sim.calls("/cgi-bin/freepublish/get") == 0  # first look after the poll delay

    clock.shift(timedelta(seconds=6))
    run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    job = sim.jobs()["publish"][0]
    assert job["publish_id"] == pub.platform_job_id
    assert pub.url == job["article_detail"]["item"][0]["article_url"]
    assert sim.calls("/cgi-bin/freepublish/get") == 1


def test_the_outcome_comes_from_the_push_before_any_poll(team, wechat, sim, clock, settings):
    settings.MEDIADESK_PUBLISH_POLL_SECONDS = 600
    pub = _due(team, wechat)

    clock.move_to(T0)
    run()
    time.sleep(0.6)  # the simulator finishes the job and pushes PUBLISHJOBFINISH
    sim.jobs()
    pushes = [p for p in sim.control("GET", "pushes")["pushes"] if p["kind"] == "PUBLISHJOBFINISH"]
    assert len(pushes) == 1
    record_push(wechat, pushes[0]["xml"])  # what the callback view does once it verified it
    record_push(wechat, pushes[0]["xml"])  # WeChat retries a push: recorded once
    run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert pub.url.startswith("https://mp.weixin.qq.com/s?")
    assert sim.calls("/cgi-bin/freepublish/get") == 0
    assert pub.attempt_log.filter(operation="result", message__contains="push").count() == 1


def test_a_failed_publish_job_fails_the_post_with_the_platform_reason(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.control("POST", "wechat/publish_outcome", {"appid": APPID, "publish_status": 4})

    clock.move_to(T0)
    run()
    clock.shift(timedelta(seconds=10))
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED, explain(pub)
    assert "review rejected" in pub.error
    assert pub.error_code.endswith("4")


def test_a_mass_send_resent_after_a_timeout_returns_the_first_job(team, wechat, sim, clock):
    pub = _due(team, wechat, delivery="mass_send")
    sim.fault(kind="hang", path="/cgi-bin/message/mass/sendall", seconds=1.5, process=True)

    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTING, explain(pub)
    time.sleep(1.7)  # WeChat took the first send after all
    for _ in range(4):
        clock.shift(timedelta(seconds=30))
        run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    mass_jobs = sim.jobs()["mass"]
    assert len(mass_jobs) == 1
    assert mass_jobs[0]["clientmsgid"] == pub.idempotency_key
    assert pub.platform_job_id == str(mass_jobs[0]["msg_id"])
    answers = [
        r["response"].get("errcode", 0) for r in sim.requests("/cgi-bin/message/mass/sendall")
    ]
    assert answers[-1] == 45065  # "this key was sent before: here is its msg_id"
    assert sim.calls("/cgi-bin/draft/add") == 1


def test_a_duplicated_send_job_does_not_send_twice(team, wechat, sim, clock):
    pub = _due(team, wechat)
    clock.move_to(T0)
    from mediadesk.publishing import engine

    engine.dispatch_due()
    pub.refresh_from_db()
    job = Job.objects.get(name=engine.ADVANCE_TASK)
    # Redis redelivering the message, or a second worker running the same step.
    engine.advance(job.payload["publication"], job.payload["version"])
    engine.advance(job.payload["publication"], job.payload["version"])
    run()

    assert sim.calls("/cgi-bin/freepublish/submit") == 1
    assert sim.calls("/cgi-bin/draft/add") == 1

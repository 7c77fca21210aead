"""Each fault the simulator can inject still ends in exactly one post on the platform — judged
by the simulator's own request log and state — or in a state a person resolves (PUB-4)."""

from __future__ import annotations

import time
from datetime import timedelta

from mediadesk.core.models import Notification
from mediadesk.publishing import services
from mediadesk.publishing.models import PublicationState
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import T0, explain, run, weibo_account

S = PublicationState


def _due(team, account, **kw):
    return pf.publication(pf.approved_item(team, account, **kw), account, at=T0, owner=team.author)


def _settle(clock, seconds: float = 30) -> None:
    """Let retries and polls fall due (simulated minutes pass in a moment)."""
    clock.shift(timedelta(seconds=seconds))
    run()


def test_a_503_on_the_draft_is_retried_into_one_post(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.fault(kind="http_status", path="/cgi-bin/draft/add", status=503)

    clock.move_to(T0)
    run()
    for _ in range(4):
        _settle(clock)

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert len(sim.wechat_articles()) == 1
    assert [r["status"] for r in sim.requests("/cgi-bin/draft/add")] == [503, 200]
    assert sim.calls("/cgi-bin/freepublish/submit") == 1


def test_a_system_error_on_the_draft_is_reconciled_then_sent_once(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.fault(kind="errcode", path="/cgi-bin/draft/add", errcode=-1)

    clock.move_to(T0)
    run()
    _settle(clock)

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert len(sim.wechat_articles()) == 1
    reconcile = pub.attempt_log.get(operation="reconcile")
    assert reconcile.outcome == "not_found"


def test_a_submit_that_timed_out_but_went_through_is_adopted_not_repeated(team, wechat, sim, clock):
    pub = _due(team, wechat)
    # The submit hangs past our 1 s timeout, then takes effect on WeChat's side.
    sim.fault(kind="hang", path="/cgi-bin/freepublish/submit", seconds=2, process=True)

    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTING and pub.platform_draft_id, explain(pub)

    time.sleep(2.2)  # the hung request completes on the simulator
    for _ in range(3):
        _settle(clock)

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert sim.calls("/cgi-bin/freepublish/submit") == 1
    assert len(sim.wechat_articles()) == 1
    assert pub.attempt_log.filter(operation="reconcile", outcome="found").exists()


def test_an_expired_token_is_renewed_and_the_post_goes_out_once(team, wechat, sim, clock):
    pub = _due(team, wechat)
    run()  # nothing due yet; the account holds no token either
    sim.control("POST", "wechat/expire_tokens", {"appid": pf_appid()})

    clock.move_to(T0)
    run()
    _settle(clock)

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert len(sim.wechat_articles()) == 1
    assert sim.calls("/cgi-bin/freepublish/submit") == 1


def test_a_token_rejected_mid_way_is_renewed_and_the_call_repeated(team, wechat, sim, clock):
    pub = _due(team, wechat)
    clock.move_to(T0)
    sim.fault(kind="errcode", path="/cgi-bin/draft/add", errcode=42001)

    run()
    _settle(clock)

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert [r["response"].get("errcode", 0) for r in sim.requests("/cgi-bin/draft/add")] == [
        42001,
        0,
    ]
    assert sim.calls("/cgi-bin/stable_token") >= 2  # renewed
    assert len(sim.wechat_articles()) == 1


def test_a_quota_is_waited_out_until_its_reset(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.fault(kind="errcode", path="/cgi-bin/freepublish/submit", errcode=45011)

    clock.move_to(T0 + timedelta(seconds=20))
    run()
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTING
    assert pub.next_check_at >= T0 + timedelta(minutes=1)  # WeChat's minute quota resets

    _settle(clock, 15)
    assert sim.calls("/cgi-bin/freepublish/submit") == 1  # not before the reset
    clock.move_to(pub.next_check_at + timedelta(seconds=1))
    run()
    _settle(clock)

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert sim.calls("/cgi-bin/draft/add") == 1  # the draft made before the quota is reused
    assert len(sim.wechat_articles()) == 1


def test_a_daily_quota_that_resets_too_late_makes_the_post_missed(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.fault(kind="errcode", path="/cgi-bin/draft/add", errcode=45009)

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    assert pub.state == S.MISSED, explain(pub)
    assert "limit" in pub.error
    assert Notification.objects.filter(recipient=team.author, kind="publishing.missed").exists()


def test_an_unverified_account_fails_with_a_reason_and_the_platform_code(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.control("POST", "wechat/account", {"appid": pf_appid(), "verified": False})

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED
    assert pub.error_code == "WeChat 48001"
    assert "认证" in pub.error
    assert len(sim.wechat_articles()) == 0


def test_a_post_wechat_refuses_fails_with_its_reason_in_chinese(team, wechat, sim, clock):
    pub = _due(team, wechat)
    sim.fault(kind="errcode", path="/cgi-bin/draft/add", errcode=45003)  # title too long

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED, explain(pub)
    assert pub.error_code == "WeChat 45003"
    assert "（标题超出微信允许的长度。）" in pub.error  # the platform's reason after ours
    assert "longer than" not in pub.error
    assert "标题超出微信允许的长度" in pub.attempt_log.get(operation="create").message


def test_a_platform_that_keeps_failing_is_given_up_after_the_attempts(
    team, wechat, sim, clock, settings
):
    settings.MEDIADESK_PUBLISH_MAX_ATTEMPTS = 3
    pub = _due(team, wechat)
    sim.fault(kind="errcode", path="/cgi-bin/draft/add", errcode=45011, times=None)

    clock.move_to(T0)
    run()
    for _ in range(4):
        clock.shift(timedelta(seconds=61))
        run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED, explain(pub)
    assert "尝试 3 次后放弃" in pub.error
    assert sim.calls("/cgi-bin/draft/add") == 3


def test_an_undeterminable_post_becomes_possibly_published_and_is_never_reposted(team, sim, clock):
    account = weibo_account(team, sim)
    body = "<p>周末活动 https://mediadesk.example/e</p>"
    pub = _due(team, account, body=body)
    sim.fault(kind="hang", path="/weibo/2/statuses/share.json", seconds=2, process=True)

    clock.move_to(T0)
    run()
    time.sleep(2.2)
    for _ in range(8):
        _settle(clock, 300)

    pub.refresh_from_db()
    assert pub.state == S.POSSIBLY_PUBLISHED, explain(pub)
    assert sim.calls("/weibo/2/statuses/share.json") == 1
    assert len(sim.posts()["weibo"]) == 1
    assert Notification.objects.filter(
        recipient=team.author, kind="publishing.possibly_published"
    ).exists()

    status = sim.posts()["weibo"][0]
    link = f"https://weibo.com/{status['uid']}/{status['id']}"
    pub = services.resolve_possibly_published(
        actor=team.author, publication=pub, version=pub.version, published=True, url=link
    )
    assert pub.state == S.PUBLISHED and pub.url == link
    _settle(clock, 3600)
    assert sim.calls("/weibo/2/statuses/share.json") == 1


def pf_appid() -> str:
    from tests.publishing.engine.conftest import APPID

    return APPID

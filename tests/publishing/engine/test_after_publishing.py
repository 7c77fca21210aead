"""After publishing: the check within the hour (PUB-5), withdrawal with someone else's
approval (PUB-6), assisted publishing confirmed with a link, and the person-facing fixes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.models import Notification
from mediadesk.publishing import services
from mediadesk.publishing.models import PublicationState, WithdrawalStatus
from tests import factories as f
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import APPID, T0, explain, published, run

S = PublicationState


# -- the check after publishing --------------------------------------------------------------------


def test_within_the_hour_the_post_is_checked_live_with_its_images(team, wechat, sim, clock):
    inline = pf.image(team.unit, "正文图")
    pub = published(team, wechat, clock, body=f'<p>图</p><img src="asset:{inline.pk}">')

    clock.shift(timedelta(minutes=11))
    run()

    pub.refresh_from_db()
    assert pub.verified_at is not None
    assert pub.verified_at - pub.published_at < timedelta(hours=1)
    assert pub.verification["ok"] is True
    assert pub.verification["images"] == {"expected": 1, "missing": []}
    assert pub.verification["cover"] is True
    assert sim.calls("/cgi-bin/freepublish/getarticle") == 1


def test_a_post_deleted_before_the_check_alerts_its_owner(team, wechat, sim, clock):
    pub = published(team, wechat, clock)
    sim.http.post(
        "/cgi-bin/freepublish/delete",
        params={"access_token": sim.wechat_token()},
        json={"article_id": pub.platform_post_id, "index": 0},
    )

    clock.shift(timedelta(minutes=11))
    run()

    pub.refresh_from_db()
    assert pub.verification["ok"] is False and pub.verification["live"] is False
    note = Notification.objects.get(recipient=team.author, kind="publishing.verify_problem")
    assert note.body


# -- withdrawal --------------------------------------------------------------------------------


def test_an_approved_withdrawal_takes_the_post_down_and_is_recorded(team, wechat, sim, clock):
    pub = published(team, wechat, clock)
    request = services.request_withdrawal(actor=team.author, publication=pub, reason="数据有误")
    assert Notification.objects.filter(
        recipient=team.approver, kind="publishing.withdraw_requested"
    ).exists()

    services.decide_withdrawal(actor=team.approver, request=request, approve=True)
    run()

    pub.refresh_from_db()
    request.refresh_from_db()
    assert pub.state == S.WITHDRAWN and pub.withdrawn_at is not None
    assert request.status == WithdrawalStatus.DONE
    article = next(a for a in sim.wechat_articles() if a["article_id"] == pub.platform_post_id)
    assert all(item["is_deleted"] for item in article["items"])
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"publishing.withdrawal.request", "publishing.withdrawal.approve"} <= actions
    assert "publishing.publication.withdrawn" in actions


def test_nobody_approves_their_own_withdrawal(team, wechat, sim, clock):
    pub = published(team, wechat, clock)
    request = services.request_withdrawal(actor=team.approver, publication=pub, reason="撤回")

    with pytest.raises(PermissionDenied):
        services.decide_withdrawal(actor=team.approver, request=request, approve=True)
    with pytest.raises(PermissionDenied):  # an operator does not hold the withdraw permission
        services.decide_withdrawal(actor=team.author, request=request, approve=True)
    assert sim.calls("/cgi-bin/freepublish/delete") == 0


def test_a_rejected_withdrawal_leaves_the_post_and_tells_the_requester(team, wechat, sim, clock):
    pub = published(team, wechat, clock)
    request = services.request_withdrawal(actor=team.author, publication=pub, reason="撤回")

    with pytest.raises(ValidationFailed):
        services.decide_withdrawal(actor=team.approver, request=request, approve=False)
    services.decide_withdrawal(
        actor=team.approver, request=request, approve=False, comment="内容无误"
    )
    run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED
    assert sim.calls("/cgi-bin/freepublish/delete") == 0
    assert Notification.objects.filter(
        recipient=team.author, kind="publishing.withdraw_rejected"
    ).exists()


def test_a_failed_withdrawal_shows_its_reason_and_can_be_retried(team, wechat, sim, clock):
    pub = published(team, wechat, clock)
    request = services.request_withdrawal(actor=team.author, publication=pub, reason="撤回")
    sim.fault(kind="errcode", path="/cgi-bin/freepublish/delete", errcode=48004)

    services.decide_withdrawal(actor=team.approver, request=request, approve=True)
    run()
    request.refresh_from_db()
    assert request.status == WithdrawalStatus.FAILED
    assert "48004" in pub.attempt_log.get(operation="withdraw").error_code
    assert request.error

    services.retry_withdrawal(actor=team.approver, request=request)
    run()

    request.refresh_from_db()
    pub.refresh_from_db()
    assert request.status == WithdrawalStatus.DONE and pub.state == S.WITHDRAWN


def test_only_a_published_post_can_be_withdrawn(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    with pytest.raises(Conflict):
        services.request_withdrawal(actor=team.author, publication=pub, reason="撤回")


# -- assisted publishing -------------------------------------------------------------------------


def test_an_assisted_post_waits_for_a_person_and_is_confirmed_with_its_link(team, sim, clock):
    account = f.account(team.unit, platform="xiaohongshu", name="小红书测试号")
    photo = pf.image(team.unit, "配图")
    pub = pf.publication(
        pf.approved_item(team, account, title="探店", media=[photo.pk]),
        account,
        at=T0,
        owner=team.author,
    )

    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.AWAITING_PERSON, explain(pub)
    package = pub.platform_data["package"]
    assert package["title"] == "探店" and package["media"][0]["asset"] == photo.pk
    assert "登记发布后的链接" in package["instructions"]
    assert Notification.objects.filter(
        recipient=team.author, kind="publishing.awaiting_person"
    ).exists()

    with pytest.raises(ValidationFailed):
        services.confirm_assisted(actor=team.author, publication=pub, url="https://example.com/x")
    link = "https://www.xiaohongshu.com/explore/64a1b2c3d4e5f6"
    pub = services.confirm_assisted(actor=team.author, publication=pub, url=link)
    assert pub.state == S.PUBLISHED and pub.url == link
    assert pub.platform_post_id == "64a1b2c3d4e5f6"


# -- the person-facing fixes ---------------------------------------------------------------------


def test_a_failed_post_is_retried_only_when_asked_and_at_the_time_chosen(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    sim.control("POST", "wechat/account", {"appid": APPID, "verified": False})
    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.FAILED
    old_key = pub.idempotency_key
    sim.control("POST", "wechat/account", {"appid": APPID, "verified": True})
    clock.shift(timedelta(hours=1))
    run()
    assert len(sim.wechat_articles()) == 0  # nothing retries a failed post by itself

    when = T0 + timedelta(hours=2)
    pub = services.retry_publication(
        actor=team.author, publication=pub, version=pub.version, scheduled_at=when
    )
    assert pub.state == S.SCHEDULED and pub.idempotency_key != old_key
    clock.move_to(when)
    run()
    clock.shift(timedelta(seconds=10))
    run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert len(sim.wechat_articles()) == 1


def test_a_stale_version_changes_nothing(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    sim.control("POST", "wechat/account", {"appid": APPID, "verified": False})
    clock.move_to(T0)
    run()
    pub.refresh_from_db()

    with pytest.raises(Conflict):
        services.retry_publication(actor=team.author, publication=pub, version=pub.version - 1)
    pub.refresh_from_db()
    assert pub.state == S.FAILED


def test_possibly_published_not_out_goes_back_to_the_chosen_time(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    pub.__class__.objects.filter(pk=pub.pk).update(state=S.POSSIBLY_PUBLISHED)
    pub.refresh_from_db()
    clock.move_to(T0)

    with pytest.raises(ValidationFailed):  # the time must be chosen explicitly
        services.resolve_possibly_published(
            actor=team.author, publication=pub, version=pub.version, published=False
        )
    when = T0 + timedelta(minutes=30)
    pub = services.resolve_possibly_published(
        actor=team.author, publication=pub, version=pub.version, published=False, scheduled_at=when
    )

    assert pub.state == S.SCHEDULED and pub.scheduled_at == when
    assert AuditEntry.objects.filter(
        action="publishing.publication.resolved_not_published"
    ).exists()


def test_someone_without_the_publish_permission_cannot_resolve(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    pub.__class__.objects.filter(pk=pub.pk).update(state=S.POSSIBLY_PUBLISHED)
    pub.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.resolve_possibly_published(
            actor=team.l1,
            publication=pub,
            version=pub.version,
            published=True,
            url="https://mp.weixin.qq.com/s?x=1",
        )


def test_a_weibo_post_with_a_topic_goes_to_a_person_and_is_confirmed(team, sim, clock):
    from tests.publishing.engine.conftest import weibo_account

    account = weibo_account(team, sim)
    body = "<p>#新品上市# 欢迎体验 https://mediadesk.example/n</p>"
    pub = pf.publication(
        pf.approved_item(team, account, body=body), account, at=T0, owner=team.author
    )

    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.AWAITING_PERSON, explain(pub)
    assert "请在微博 App 中发布" in pub.platform_data["package"]["reason"]  # jobs speak zh-Hans
    assert sim.calls("/weibo/2/statuses/share.json") == 0

    link = "https://weibo.com/1234567890/Nabcdef"
    pub = services.confirm_assisted(actor=team.author, publication=pub, url=link)
    assert pub.state == S.PUBLISHED and pub.url == link

"""Sending on time, exactly once, and the checks made at send time (PUB-4)."""

from __future__ import annotations

from datetime import timedelta

from mediadesk.content import services as content
from mediadesk.core.models import Notification
from mediadesk.publishing.models import PublicationState, PublishingPause
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import T0, explain, run, weibo_account

S = PublicationState


def test_a_wechat_article_is_published_at_its_time_exactly_once(team, wechat, sim, clock):
    item = pf.approved_item(team, wechat, title="春季新品发布")
    pub = pf.publication(item, wechat, at=T0, owner=team.author)

    run()
    assert sim.calls("/cgi-bin/draft/add") == 0  # not before its time

    clock.move_to(T0 + timedelta(seconds=1))
    run()
    clock.shift(timedelta(seconds=10))
    run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    articles = sim.wechat_articles()
    assert [a["items"][0]["title"] for a in articles] == ["春季新品发布"]
    assert sim.calls("/cgi-bin/freepublish/submit") == 1
    assert pub.url == articles[0]["items"][0]["url"]
    assert pub.platform_post_id == articles[0]["article_id"]
    assert pub.published_at is not None and pub.submitted_at is not None
    operations = list(pub.attempt_log.values_list("operation", "outcome"))
    assert operations[0] == ("create", "ok") and ("result", "ok") in operations


def test_cover_and_body_images_are_uploaded_once_and_shown_from_wechat(team, wechat, sim, clock):
    cover = pf.image(team.unit, "封面图")
    inline = pf.image(team.unit, "正文图", data=pf.JPEG)
    body = f'<p>看图：</p><img src="asset:{inline.pk}"><p>完</p>'
    item = pf.approved_item(team, wechat, body=body, cover=cover)
    pub = pf.publication(item, wechat, at=T0, owner=team.author)

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    uploads = pub.platform_data["uploads"]
    assert sim.calls("/cgi-bin/material/add_material") == 1
    assert sim.calls("/cgi-bin/media/uploadimg") == 1
    draft = sim.requests("/cgi-bin/draft/add")[0]["body"]["articles"][0]
    assert draft["thumb_media_id"] == uploads["cover"]["media_id"]
    assert uploads["body"][str(inline.pk)] in draft["content"]
    assert "asset:" not in draft["content"]


def test_a_cover_missing_from_storage_fails_the_post_once_naming_it(team, wechat, sim, clock):
    cover = pf.image(team.unit, "丢失的封面")
    item = pf.approved_item(team, wechat, cover=cover)
    pub = pf.publication(item, wechat, at=T0, owner=team.author)
    cover.file.storage.delete(cover.file.name)

    clock.move_to(T0)
    run()
    clock.shift(timedelta(minutes=5))
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED, explain(pub)
    assert "丢失的封面" in pub.error and pub.error_code == "media_missing"
    assert sim.calls("/cgi-bin/draft/add") == 0
    assert pub.attempt_log.count() == 1


def test_a_weibo_post_is_published_directly_with_its_link(team, sim, clock):
    account = weibo_account(team, sim)
    item = pf.approved_item(team, account, body=f"<p>新品上市 https://{'mediadesk.example'}/a</p>")
    pub = pf.publication(item, account, at=T0, owner=team.author)

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    statuses = sim.posts()["weibo"]
    assert pub.state == S.PUBLISHED
    assert len(statuses) == 1 and pub.platform_post_id == str(statuses[0]["id"])
    assert pub.url.endswith(pub.platform_post_id)


def test_content_changed_after_scheduling_is_refused_and_nothing_is_sent(team, wechat, sim, clock):
    item = pf.approved_item(team, wechat)
    pub = pf.publication(item, wechat, at=T0, owner=team.author)
    variant = item.variants.get()
    content.update_item(
        actor=team.author,
        item=item,
        base_revision=item.revision_number,
        title=item.title,
        variants=[{"account": wechat, "title": variant.title, "body": "<p>改过的正文</p>"}],
    )

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED and pub.error_code == "content_changed"
    assert "须重新审核" in pub.error
    assert sim.calls("/cgi-bin/draft/add") == 0
    assert Notification.objects.filter(recipient=team.author, kind="publishing.failed").exists()


def test_a_post_later_than_allowed_is_missed_and_its_owner_told(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)

    clock.move_to(T0 + timedelta(minutes=11))  # the engine was down for eleven minutes
    run()

    pub.refresh_from_db()
    assert pub.state == S.MISSED
    assert sim.calls("/cgi-bin/draft/add") == 0
    note = Notification.objects.get(recipient=team.author, kind="publishing.missed")
    assert "11 分钟" in note.body


def test_a_post_due_during_a_pause_is_held_and_goes_out_after_it(team, wechat, sim, clock):
    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    pause = PublishingPause.objects.create(
        unit=team.unit, reason="舆情处置", started_by=team.approver, started_at=T0
    )

    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.HELD and "舆情处置" in pub.error
    assert sim.calls("/cgi-bin/draft/add") == 0

    clock.move_to(T0 + timedelta(minutes=30))  # the planner's resume, half an hour later
    pause.ended_at = T0 + timedelta(minutes=30)
    pause.save()
    pub.__class__.objects.filter(pk=pub.pk).update(state=S.SCHEDULED, released_at=pause.ended_at)
    run()

    pub.refresh_from_db()
    assert pub.state in (S.SUBMITTED, S.PUBLISHED)
    assert sim.calls("/cgi-bin/freepublish/submit") == 1


def test_an_owner_who_lost_the_publish_permission_is_refused(team, wechat, sim, clock):
    from mediadesk.orgs import services as orgs

    pub = pf.publication(pf.approved_item(team, wechat), wechat, at=T0, owner=team.author)
    for grant in team.author.role_assignments.all():
        orgs.revoke_role(actor=pf.f.superuser(), assignment=grant)

    clock.move_to(T0)
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED and pub.error_code == "not_permitted"
    assert sim.calls("/cgi-bin/draft/add") == 0

"""The publishing pages with the Django test client: the calendar (scope, states, warnings,
blackouts, cancelled posts), dragging a post (the move endpoint: moved, refused into a blackout
or pause unless confirmed, refused in the past, by someone who may not publish, on a stale
version), scheduling, the publications list and one publication with its actions."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.test import Client

from mediadesk.audit.models import AuditEntry
from mediadesk.jobs.models import Job
from mediadesk.publishing import services
from mediadesk.publishing.models import (
    AttemptOutcome,
    Publication,
    PublicationState,
    PublishAttempt,
    WithdrawalRequest,
    WithdrawalStatus,
)
from mediadesk.publishing.planning import cancel_publication, schedule_publication
from mediadesk.publishing.planning_pauses import create_blackout, pause_publishing
from tests import factories as f
from tests.publishing.world import approved_item, build, local, variant
from tests.web.conftest import client_for

S = PublicationState
#: A Wednesday morning in Shanghai.
NOW = local(2026, 3, 11, 10, 0)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def pw(db, clock):
    return build()


@pytest.fixture
def editor(pw):
    return client_for(pw.author)


def _schedule(pw, at, title="新品上市推文", account=None):
    account = account or pw.wechat
    item = approved_item(pw, account, title=title)
    return schedule_publication(actor=pw.author, variant=variant(item, account), at=at).publication


def _move(client, pub, **data):
    return client.post(
        f"/publishing/publications/{pub.pk}/move/",
        {"version": pub.version, **data},
        HTTP_ACCEPT="application/json",
    )


# -- the calendar ------------------------------------------------------------------------------


def test_the_calendar_needs_a_login(db):
    response = Client().get("/publishing/calendar/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_someone_without_content_rights_is_refused(pw):
    response = client_for(f.person(pw.group, username="outsider")).get("/publishing/calendar/")
    assert response.status_code == 403


def test_the_month_shows_each_post_as_a_chip_of_its_state(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30), title="周四推文")
    html = editor.get("/publishing/calendar/?day=2026-03-12").content.decode()
    chip = html.split(f'data-chip="publication-{pub.pk}"', 1)[0].rsplit("<a ", 1)[1]
    assert "chip-scheduled" in chip
    assert "周四推文" in html
    assert f'href="/publishing/publications/{pub.pk}/"' in html


def test_a_waiting_post_is_draggable_and_a_published_one_is_not(pw, editor):
    waiting = _schedule(pw, local(2026, 3, 12, 19, 30), title="待发")
    done = _schedule(pw, local(2026, 3, 12, 8, 30), title="已发", account=pw.weibo)
    Publication.objects.filter(pk=done.pk).update(state=S.PUBLISHED, url="https://weibo.com/1/2")
    html = editor.get("/publishing/calendar/?day=2026-03-12").content.decode()
    assert f'data-move-url="/publishing/publications/{waiting.pk}/move/"' in html
    assert f"/publishing/publications/{done.pk}/move/" not in html
    assert "chip-published" in html


def test_the_week_puts_a_post_in_its_hour_row(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    html = editor.get("/publishing/calendar/?view=week&day=2026-03-12").content.decode()
    cell = html.split('data-drop-day="2026-03-12" data-drop-hour="19"', 1)[1].split("</td>", 1)[0]
    assert f'data-chip="publication-{pub.pk}"' in cell


def test_an_account_scope_shows_only_that_account(pw, editor):
    _schedule(pw, local(2026, 3, 12, 19, 30), title="公众号推文")
    _schedule(pw, local(2026, 3, 12, 20, 0), title="微博推文", account=pw.weibo)
    html = editor.get(
        f"/publishing/calendar/?day=2026-03-12&scope=account-{pw.weibo.pk}"
    ).content.decode()
    assert "微博推文" in html and "公众号推文" not in html


def test_frequency_gaps_ahead_are_listed_on_the_calendar(pw, editor):
    html = editor.get("/publishing/calendar/?view=week&day=2026-03-12").content.decode()
    warnings = html.split('id="cal-warnings"', 1)[1].split("</section>", 1)[0]
    assert 'data-code="frequency_gap"' in warnings
    assert pw.wechat.name in warnings


def test_a_blackout_is_marked_on_its_days(pw, editor):
    create_blackout(
        actor=pw.hq,
        unit=pw.group,
        starts_at=local(2026, 3, 13, 0, 0),
        ends_at=local(2026, 3, 14, 0, 0),
        reason="全国哀悼日",
    )
    html = editor.get("/publishing/calendar/?day=2026-03-12").content.decode()
    day = html.split('data-day="2026-03-13"', 1)[1].split("</td>", 1)[0]
    assert "全国哀悼日" in day and "daymark-blackout" in day
    other = html.split('data-day="2026-03-12"', 1)[1].split("</td>", 1)[0]
    assert "全国哀悼日" not in other


def test_an_active_pause_is_announced_and_marked(pw, editor):
    pause_publishing(actor=pw.hq, unit=pw.group, reason="舆情处置")
    html = editor.get("/publishing/calendar/?day=2026-03-12").content.decode()
    assert "舆情处置" in html
    assert "daymark-paused" in html.split('data-day="2026-03-12"', 1)[1].split("</td>", 1)[0]


def test_cancelled_posts_are_hidden_until_asked_for_and_then_struck_through(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30), title="取消的推文")
    cancel_publication(actor=pw.author, publication=pub, version=pub.version)
    chip = f'data-chip="publication-{pub.pk}"'
    html = editor.get("/publishing/calendar/?day=2026-03-12").content.decode()
    assert chip not in html
    assert "chip-planned" in html  # its plan row is waiting to be filled again
    html = editor.get("/publishing/calendar/?day=2026-03-12&cancelled=1").content.decode()
    assert "chip-cancelled" in html.split(chip, 1)[0].rsplit("<a ", 1)[1]


# -- dragging ----------------------------------------------------------------------------------


def test_dropping_a_post_on_another_day_moves_it_and_keeps_its_time(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    response = _move(editor, pub, day="2026-03-13")
    assert response.status_code == 200 and response.json()["ok"]
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 13, 19, 30)
    assert AuditEntry.objects.filter(action="publishing.publication.reschedule").count() == 1


def test_dropping_on_an_hour_of_the_week_takes_that_hour(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    assert _move(editor, pub, day="2026-03-13", hour="8").status_code == 200
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 13, 8, 30)


def test_a_drop_into_the_past_is_refused_and_changes_nothing(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    response = _move(editor, pub, day="2026-03-10")
    assert response.status_code == 400
    assert "past" in response.json()["message"] or "过去" in response.json()["message"]
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 12, 19, 30) and pub.version == 1


def test_a_drop_into_a_blackout_is_refused_until_confirmed(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    create_blackout(
        actor=pw.hq,
        unit=pw.group,
        starts_at=local(2026, 3, 13, 0, 0),
        ends_at=local(2026, 3, 14, 0, 0),
        reason="全国哀悼日",
    )
    response = _move(editor, pub, day="2026-03-13")
    assert response.status_code == 409
    assert response.json()["needs_confirmation"] and "全国哀悼日" in response.json()["message"]
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 12, 19, 30) and pub.version == 1
    assert not AuditEntry.objects.filter(action="publishing.publication.reschedule").exists()

    assert _move(editor, pub, day="2026-03-13", confirm="on").status_code == 200
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 13, 19, 30)


def test_a_drop_while_publishing_is_paused_is_refused_until_confirmed(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    pause_publishing(actor=pw.hq, unit=pw.unit, reason="舆情处置")
    response = _move(editor, pub, day="2026-03-13")
    assert response.status_code == 409 and "舆情处置" in response.json()["message"]
    pub.refresh_from_db()
    assert pub.version == 1


def test_someone_who_may_not_publish_cannot_drag(pw):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    response = _move(client_for(pw.l1), pub, day="2026-03-13")
    assert response.status_code == 403
    pub.refresh_from_db()
    assert pub.version == 1


def test_a_drag_from_a_stale_page_is_a_conflict(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    assert _move(editor, pub, day="2026-03-13").status_code == 200
    response = _move(editor, pub, day="2026-03-14")  # still names version 1
    assert response.status_code == 409
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 13, 19, 30)


def test_the_move_form_on_the_post_page_works_without_script(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    response = editor.post(
        f"/publishing/publications/{pub.pk}/",
        {"op": "move", "version": pub.version, "at": "2026-03-16T08:15"},
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.scheduled_at == local(2026, 3, 16, 8, 15)


def test_a_move_form_into_a_blackout_asks_before_moving(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    create_blackout(
        actor=pw.hq,
        unit=pw.group,
        starts_at=local(2026, 3, 16, 0, 0),
        ends_at=local(2026, 3, 17, 0, 0),
        reason="系统维护",
    )
    data = {"op": "move", "version": pub.version, "at": "2026-03-16T08:15"}
    response = editor.post(f"/publishing/publications/{pub.pk}/", data)
    assert response.status_code == 400 and "系统维护" in response.content.decode()
    assert 'name="confirm"' in response.content.decode()
    pub.refresh_from_db()
    assert pub.version == 1


# -- scheduling --------------------------------------------------------------------------------


def test_the_schedule_page_prefills_the_next_free_best_slot(pw, editor):
    item = approved_item(pw, pw.wechat, title="可排期")
    v = variant(item, pw.wechat)
    html = editor.get(f"/publishing/schedule/?item={item.pk}").content.decode()
    assert f'<option value="{v.pk}" selected>' in html
    assert 'value="2026-03-11T19:00"' in html  # WeChat's evening slot, the next one free today


def test_an_empty_slot_of_the_calendar_prefills_its_day_and_hour(pw, editor):
    approved_item(pw, pw.wechat, title="可排期")
    html = editor.get("/publishing/schedule/?day=2026-03-13&hour=20").content.decode()
    assert 'value="2026-03-13T20:00"' in html


def test_scheduling_creates_the_publication_and_opens_it(pw, editor):
    item = approved_item(pw, pw.wechat, title="可排期")
    v = variant(item, pw.wechat)
    response = editor.post(
        "/publishing/schedule/", {"op": "schedule", "variant": v.pk, "at": "2026-03-12T19:30"}
    )
    pub = Publication.objects.get(variant=v)
    assert response.status_code == 302
    assert response["Location"] == f"/publishing/publications/{pub.pk}/"
    assert pub.scheduled_at == local(2026, 3, 12, 19, 30) and pub.state == S.SCHEDULED


def test_scheduling_in_the_past_shows_the_error_and_creates_nothing(pw, editor):
    v = variant(approved_item(pw, pw.wechat), pw.wechat)
    response = editor.post(
        "/publishing/schedule/", {"op": "schedule", "variant": v.pk, "at": "2026-03-10T19:30"}
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Publication.objects.exists()


def test_content_that_is_not_approved_cannot_be_chosen(pw, editor):
    from mediadesk.content import services as content

    draft = content.create_item(
        actor=pw.author,
        owning_unit=pw.unit,
        title="草稿",
        variants=[{"account": pw.weibo, "title": "草稿", "body": "<p>草稿</p>"}],
        goal=approved_item(pw, pw.wechat).goal,
    )
    v = draft.variants.get()
    assert f'value="{v.pk}"' not in editor.get("/publishing/schedule/").content.decode()
    response = editor.post(
        "/publishing/schedule/", {"op": "schedule", "variant": v.pk, "at": "2026-03-12T19:30"}
    )
    assert response.status_code == 400
    assert not Publication.objects.exists()


def test_checking_a_time_shows_its_warnings_without_scheduling(pw, editor):
    v = variant(approved_item(pw, pw.wechat), pw.wechat)
    response = editor.post(
        "/publishing/schedule/", {"op": "check", "variant": v.pk, "at": "2026-03-12T03:00"}
    )
    assert response.status_code == 200
    assert "03:00" in response.content.decode().split('id="schedule-warnings"', 1)[1]
    assert not Publication.objects.exists()


def test_someone_who_may_not_publish_cannot_schedule(pw):
    assert client_for(pw.l1).get("/publishing/schedule/").status_code == 403


# -- the list and one publication --------------------------------------------------------------


def test_the_list_filters_by_state(pw, editor):
    waiting = _schedule(pw, local(2026, 3, 12, 19, 30), title="待发")
    done = _schedule(pw, local(2026, 3, 12, 8, 30), title="已发", account=pw.weibo)
    Publication.objects.filter(pk=done.pk).update(state=S.PUBLISHED, url="https://weibo.com/1/2")
    html = editor.get("/publishing/publications/?state=published").content.decode()
    assert f'data-publication="{done.pk}"' in html
    assert f'data-publication="{waiting.pk}"' not in html
    assert "https://weibo.com/1/2" in html


def test_the_list_filters_by_date_range_and_rejects_a_reversed_one(pw, editor):
    early = _schedule(pw, local(2026, 3, 12, 19, 30), title="早")
    late = _schedule(pw, local(2026, 3, 20, 19, 30), title="晚", account=pw.weibo)
    html = editor.get("/publishing/publications/?start=2026-03-15&end=2026-03-31").content.decode()
    assert f'data-publication="{late.pk}"' in html
    assert f'data-publication="{early.pk}"' not in html
    html = editor.get("/publishing/publications/?start=2026-03-31&end=2026-03-01").content.decode()
    assert "field-error" in html


def test_the_post_page_lists_every_attempt_in_words(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    Publication.objects.filter(pk=pub.pk).update(state=S.FAILED, error="公众号未认证")
    PublishAttempt.objects.create(
        publication=pub,
        operation="create",
        outcome=AttemptOutcome.PERMANENT,
        started_at=NOW,
        message="微信拒绝：未认证的公众号不能发布",
        error_code="WeChat 48001",
    )
    html = editor.get(f"/publishing/publications/{pub.pk}/").content.decode()
    attempts = html.split('id="attempts"', 1)[1].split("</section>", 1)[0]
    assert "微信拒绝：未认证的公众号不能发布" in attempts and "WeChat 48001" in attempts
    assert 'id="retry-form"' in html


def test_cancelling_from_the_post_page(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    response = editor.post(
        f"/publishing/publications/{pub.pk}/", {"op": "cancel", "version": pub.version}
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.state == S.CANCELLED


def test_a_stale_cancel_is_a_conflict(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    _move(editor, pub, day="2026-03-13")
    response = editor.post(f"/publishing/publications/{pub.pk}/", {"op": "cancel", "version": 1})
    assert response.status_code == 409
    pub.refresh_from_db()
    assert pub.state == S.SCHEDULED


def test_retrying_a_failed_post_schedules_it_again(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    Publication.objects.filter(pk=pub.pk).update(state=S.FAILED, version=5, error="x")
    response = editor.post(
        f"/publishing/publications/{pub.pk}/",
        {"op": "retry", "version": 5, "at": "2026-03-12T20:00"},
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.state == S.SCHEDULED and pub.scheduled_at == local(2026, 3, 12, 20, 0)


def _possibly_published(pw):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30), account=pw.weibo)
    # The engine's timeout path is proven in tests/publishing/engine; here only the page.
    Publication.objects.filter(pk=pub.pk).update(state=S.POSSIBLY_PUBLISHED, version=4)
    return pub


def test_resolving_a_possibly_published_post_as_published_needs_a_link(pw, editor):
    pub = _possibly_published(pw)
    url = f"/publishing/publications/{pub.pk}/"
    response = editor.post(url, {"op": "resolve", "version": 4, "outcome": "published"})
    assert response.status_code == 400
    pub.refresh_from_db()
    assert pub.state == S.POSSIBLY_PUBLISHED
    link = "https://weibo.com/123/456"
    response = editor.post(
        url, {"op": "resolve", "version": 4, "outcome": "published", "url": link}
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED and pub.url == link


def test_resolving_as_not_published_schedules_it_at_the_chosen_time(pw, editor):
    pub = _possibly_published(pw)
    response = editor.post(
        f"/publishing/publications/{pub.pk}/",
        {"op": "resolve", "version": 4, "outcome": "not_published", "at": "2026-03-12T21:00"},
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.state == S.SCHEDULED and pub.scheduled_at == local(2026, 3, 12, 21, 0)


def _published(pw):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30), account=pw.weibo)
    Publication.objects.filter(pk=pub.pk).update(
        state=S.PUBLISHED, version=6, url="https://weibo.com/1/2", published_at=NOW
    )
    return Publication.objects.get(pk=pub.pk)


def test_a_withdrawal_is_requested_with_a_reason(pw, editor):
    pub = _published(pw)
    url = f"/publishing/publications/{pub.pk}/"
    assert editor.post(url, {"op": "withdraw", "reason": ""}).status_code == 400
    assert not WithdrawalRequest.objects.exists()
    assert editor.post(url, {"op": "withdraw", "reason": "数据有误"}).status_code == 302
    assert WithdrawalRequest.objects.get().status == WithdrawalStatus.PENDING


def test_the_general_manager_may_not_decide_withdrawals(pw):
    pub = _published(pw)
    request = services.request_withdrawal(actor=pw.author, publication=pub, reason="数据有误")
    gm = client_for(pw.gm)
    url = f"/publishing/publications/{pub.pk}/"
    assert 'id="decide-form"' not in gm.get(url).content.decode()
    response = gm.post(url, {"op": "decide", "request": request.pk, "decision": "approve"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == WithdrawalStatus.PENDING


def test_the_requester_cannot_approve_their_own_withdrawal(pw):
    pub = _published(pw)
    request = services.request_withdrawal(actor=pw.hq, publication=pub, reason="数据有误")
    hq = client_for(pw.hq)
    url = f"/publishing/publications/{pub.pk}/"
    assert 'id="decide-form"' not in hq.get(url).content.decode()
    response = hq.post(url, {"op": "decide", "request": request.pk, "decision": "approve"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == WithdrawalStatus.PENDING


def test_someone_else_approves_and_the_withdrawal_is_carried_out_as_a_job(pw, editor):
    pub = _published(pw)
    request = services.request_withdrawal(actor=pw.author, publication=pub, reason="数据有误")
    hq = client_for(pw.hq)
    url = f"/publishing/publications/{pub.pk}/"
    assert 'id="decide-form"' in hq.get(url).content.decode()
    response = hq.post(url, {"op": "decide", "request": request.pk, "decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == WithdrawalStatus.APPROVED and request.decided_by == pw.hq
    assert Job.objects.filter(name="publishing.withdraw").exists()


def test_rejecting_a_withdrawal_needs_a_comment(pw):
    pub = _published(pw)
    request = services.request_withdrawal(actor=pw.author, publication=pub, reason="数据有误")
    url = f"/publishing/publications/{pub.pk}/"
    response = client_for(pw.hq).post(
        url, {"op": "decide", "request": request.pk, "decision": "reject"}
    )
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == WithdrawalStatus.PENDING


def test_someone_who_cannot_see_the_account_gets_a_404(pw):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    other = f.person(f.unit(pw.group, name="示例地产"), "operator", username="estate")
    assert client_for(other).get(f"/publishing/publications/{pub.pk}/").status_code == 404


def test_an_approved_item_links_to_scheduling(pw, editor):
    item = approved_item(pw, pw.wechat, title="可排期")
    html = editor.get(f"/content/{item.pk}/").content.decode()
    assert f"/publishing/schedule/?item={item.pk}" in html


def test_a_drop_without_a_valid_day_is_refused(pw, editor):
    pub = _schedule(pw, local(2026, 3, 12, 19, 30))
    response = _move(editor, pub, day="not-a-day")
    assert response.status_code == 400 and json.loads(response.content)["ok"] is False
    pub.refresh_from_db()
    assert pub.version == 1

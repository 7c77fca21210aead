"""Preferences and the notification API: my notifications, my channels, units' robots."""

from __future__ import annotations

import json

import httpx
import pytest
from django.test import Client

from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import PermissionDenied, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.notifications import services
from mediadesk.notifications.models import ChannelPreference, GroupRobot
from mediadesk.orgs import services as org_services
from tests import factories as f
from tests.notifications.conftest import (
    DINGTALK_SECRET,
    DINGTALK_URL,
    WECOM_URL,
    add_robot,
    choose,
)

pytestmark = pytest.mark.django_db


def api_for(person) -> Client:
    _, raw = org_services.create_api_token(actor=person, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


# -- preferences as a service ---------------------------------------------------------------


def test_the_defaults_are_in_app_and_e_mail_for_every_category(editor):
    choices = services.preferences_of(actor=editor, person=editor)

    assert {c.category for c in choices} == {"review", "publishing", "accounts", "inbox", "other"}
    assert all(c.wants("in_app") and c.wants("email") for c in choices)
    assert not any(c.wants("wecom") or c.wants("dingtalk") or c.wants("feishu") for c in choices)


def test_changing_one_channel_of_one_category_keeps_the_rest(editor):
    choose(editor, "inbox", dingtalk=True)

    choices = {c.category: c for c in services.preferences_of(actor=editor, person=editor)}
    assert choices["inbox"].dingtalk and choices["inbox"].email
    assert not choices["review"].dingtalk


def test_a_change_of_preferences_is_audited(editor):
    choose(editor, "review", email=False)

    entry = AuditEntry.objects.get(action="notifications.preferences.update")
    assert entry.before == {
        "review": {"email": True, "wecom": False, "dingtalk": False, "feishu": False}
    }
    assert entry.after["review"]["email"] is False


def test_in_app_notifications_cannot_be_switched_off(editor):
    with pytest.raises(ValidationFailed):
        services.set_preferences(actor=editor, person=editor, choices={"review": {"in_app": False}})
    assert not ChannelPreference.objects.exists()


def test_nobody_changes_someone_elses_channels(editor, hq):
    with pytest.raises(PermissionDenied):
        services.set_preferences(actor=hq, person=editor, choices={"review": {"email": False}})


def test_a_settings_administrator_may_see_a_persons_channels_and_a_colleague_may_not(
    editor, planner, hq
):
    assert services.preferences_of(actor=hq, person=editor)
    with pytest.raises(PermissionDenied):
        services.preferences_of(actor=planner, person=editor)


# -- API: my notifications ------------------------------------------------------------------


def test_my_notifications_list_unread_first_with_the_unread_count(editor):
    old = notify([editor], kind="account.filing", title="旧通知")[0]
    notify([editor], kind="content.review.awaiting", title="新通知")
    services.mark_read(actor=editor, notification=old)
    notify([editor], kind="inbox.comment", title="最新通知")

    body = api_for(editor).get("/api/v1/me/notifications").json()
    assert [n["title"] for n in body["items"]] == ["最新通知", "新通知", "旧通知"]
    assert body["unread"] == 2 and body["total"] == 3 and body["page"] == 1
    assert body["items"][0]["category"] == "inbox"


def test_marking_one_and_all_notifications_read(editor):
    first, *_ = notify([editor], kind="content.review.awaiting", title="一")
    notify([editor], kind="content.review.awaiting", title="二")
    client = api_for(editor)

    read = _post(client, f"/api/v1/me/notifications/{first.pk}/read").json()
    assert read["read_at"] is not None
    assert _post(client, "/api/v1/me/notifications/read-all").json() == {"marked": 1, "unread": 0}


def test_someone_elses_notification_is_not_found(editor, planner):
    theirs = notify([planner], kind="content.review.awaiting", title="别人的")[0]

    response = _post(api_for(editor), f"/api/v1/me/notifications/{theirs.pk}/read")
    assert response.status_code == 404 and set(response.json()) == {"code", "message", "fields"}


def test_my_deliveries_say_what_was_sent_and_what_was_skipped(
    dept, robot_server, django_capture_on_commit_callbacks
):
    person = f.person(dept, username="noemail")
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], kind="content.review.awaiting", title="待审")

    [item] = api_for(person).get("/api/v1/me/notification-deliveries").json()["items"]
    assert (item["channel"], item["status"]) == ("email", "skipped")
    assert "No e-mail address" in item["last_error"]


# -- API: my channels -----------------------------------------------------------------------


def test_getting_and_putting_my_channels(editor, dept):
    add_robot(dept, "wecom", WECOM_URL)
    client = api_for(editor)

    response = _put(
        client,
        "/api/v1/me/notification-preferences",
        {"categories": [{"category": "review", "email": False, "wecom": True}]},
    )
    assert response.status_code == 200, response.content
    body = client.get("/api/v1/me/notification-preferences").json()
    review = next(c for c in body["categories"] if c["category"] == "review")
    assert (review["in_app"], review["email"], review["wecom"]) == (True, False, True)
    assert body["email_address"] == "editor@example.com"
    wecom = next(r for r in body["robots"] if r["platform"] == "wecom")
    assert wecom["unit_name"] == "品牌部"


def test_an_unknown_category_is_a_validation_error(editor):
    response = _put(
        api_for(editor),
        "/api/v1/me/notification-preferences",
        {"categories": [{"category": "gossip", "email": False}]},
    )
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_an_administrator_reads_a_persons_channels_through_the_api(editor, hq, planner):
    url = f"/api/v1/people/{editor.pk}/notification-preferences"
    assert api_for(hq).get(url).status_code == 200
    assert api_for(planner).get(url).status_code == 403


# -- API: robots ----------------------------------------------------------------------------


def test_adding_listing_and_removing_a_robot(dept, hq):
    client = api_for(hq)

    created = _post(
        client,
        f"/api/v1/units/{dept.pk}/robots",
        {
            "platform": "dingtalk",
            "name": "品牌部群",
            "webhook_url": DINGTALK_URL,
            "secret": DINGTALK_SECRET,
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["address"] == "oapi.dingtalk.com …6951" and created.json()["signed"]
    listed = client.get(f"/api/v1/units/{dept.pk}/robots").json()
    assert listed["total"] == 1 and listed["items"][0]["name"] == "品牌部群"
    assert set(listed) == {"items", "total", "page", "page_size"}

    removed = client.delete(f"/api/v1/robots/{created.json()['id']}")
    assert removed.status_code == 204 and not GroupRobot.objects.exists()


def test_a_bad_robot_address_is_refused_in_the_error_shape(dept, hq):
    response = _post(
        api_for(hq),
        f"/api/v1/units/{dept.pk}/robots",
        {"platform": "wecom", "name": "群", "webhook_url": "https://example.com/hook?key=abcdefgh"},
    )
    assert response.status_code == 422
    assert "webhook_url" in response.json()["fields"]
    assert "example.com/hook" not in response.content.decode()


def test_the_robot_test_endpoint_reports_a_failure(dept, hq, robot_server):
    robot = add_robot(dept, "wecom", WECOM_URL)
    robot_server.replies.append(
        httpx.Response(200, json={"errcode": 93000, "errmsg": "invalid webhook url"})
    )

    body = _post(api_for(hq), f"/api/v1/robots/{robot.pk}/test").json()
    assert body["status"] == "failed" and "93000" in body["last_error"]
    assert body["target"] == "qyapi.weixin.qq.com …5aaa"


def test_people_without_the_settings_permission_cannot_manage_robots(dept, editor):
    client = api_for(editor)
    robot = add_robot(dept, "wecom", WECOM_URL)

    assert client.get(f"/api/v1/units/{dept.pk}/robots").status_code == 403
    assert client.delete(f"/api/v1/robots/{robot.pk}").status_code == 403
    assert _post(client, f"/api/v1/robots/{robot.pk}/test").status_code == 403

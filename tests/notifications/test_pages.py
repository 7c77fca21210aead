"""The pages: 通知 centre, the unread badge, 通知设置, and 群机器人 under settings."""

from __future__ import annotations

import httpx
import pytest

from mediadesk.core.models import Notification
from mediadesk.core.notifications import notify
from mediadesk.notifications import selectors, services
from mediadesk.notifications.models import ChannelPreference, GroupRobot
from tests.notifications.conftest import DINGTALK_SECRET, DINGTALK_URL, WECOM_URL, add_robot
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def _badge(html: str) -> str:
    return html.split('id="notification-bell"', 1)[1].split("</a>", 1)[0]


def test_every_page_shows_the_unread_count_in_the_top_bar(editor):
    notify([editor], kind="content.review.awaiting", title="一")
    notify([editor], kind="account.filing", title="二")
    client = client_for(editor)

    for url in ("/", "/settings/tokens/", "/notifications/"):
        assert 'class="badge badge-danger"' in _badge(client.get(url).content.decode())
        assert ">2<" in _badge(client.get(url).content.decode())


def test_the_badge_disappears_when_nothing_is_unread(editor):
    assert "badge" not in _badge(client_for(editor).get("/").content.decode())


def test_the_unread_count_is_one_query(editor, django_assert_num_queries):
    notify([editor], kind="content.review.awaiting", title="一")
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=editor) == 1


def test_the_centre_lists_unread_notifications_first(editor):
    old = notify([editor], kind="account.filing", title="已读的旧通知")[0]
    services.mark_read(actor=editor, notification=old)
    notify([editor], kind="content.review.awaiting", title="未读的通知")

    html = client_for(editor).get("/notifications/").content.decode()
    assert html.index("未读的通知") < html.index("已读的旧通知")
    assert "内容审核" in html and "账号与平台" in html  # categories in Chinese


def test_marking_one_read_with_htmx_updates_the_list_and_the_badge(editor):
    note = notify([editor], kind="content.review.awaiting", title="待审")[0]

    response = client_for(editor).post(
        "/notifications/",
        {"op": "read", "notification": note.pk},
        headers={"HX-Request": "true"},
        follow=True,
    )
    note.refresh_from_db()
    assert note.read_at is not None
    html = response.content.decode()
    assert 'id="notifications"' in html and "badge-danger" not in _badge(html)


def test_marking_all_read(editor):
    notify([editor], kind="content.review.awaiting", title="一")
    notify([editor], kind="content.review.awaiting", title="二")

    client_for(editor).post("/notifications/", {"op": "read_all"})
    assert not Notification.objects.filter(recipient=editor, read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(editor):
    note = notify([editor], kind="account.filing", title="备案", link="/accounts/3/")[0]

    response = client_for(editor).get(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/accounts/3/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_cannot_be_opened(editor, planner):
    note = notify([planner], kind="account.filing", title="别人的")[0]

    assert client_for(editor).get(f"/notifications/{note.pk}/open/").status_code == 404


def test_my_channels_page_saves_the_grid(editor, dept):
    add_robot(dept, "dingtalk", DINGTALK_URL, DINGTALK_SECRET)
    client = client_for(editor)
    html = client.get("/settings/notifications/").content.decode()
    assert "通知设置" in html and "editor@example.com" in html and "品牌部" in html

    client.post("/settings/notifications/", {"review:email": "on", "inbox:dingtalk": "on"})
    inbox = ChannelPreference.objects.get(person=editor, category="inbox")
    assert (inbox.email, inbox.dingtalk) == (False, True)
    assert ChannelPreference.objects.get(person=editor, category="review").email


def test_an_administrator_sees_a_persons_channels_but_cannot_change_them(editor, hq):
    client = client_for(hq)
    page = client.get(f"/settings/notifications/?person={editor.pk}")
    assert page.status_code == 200 and "editor" in page.content.decode()

    client.post(f"/settings/notifications/?person={editor.pk}", {})
    assert not ChannelPreference.objects.filter(person=editor).exists()


def test_a_colleague_cannot_see_my_channels(editor, planner):
    assert (
        client_for(planner).get(f"/settings/notifications/?person={editor.pk}").status_code == 403
    )


def test_settings_link_the_new_pages_for_those_who_may_use_them(editor, hq):
    nav = client_for(hq).get("/").content.decode().split('<nav class="nav">')[1]
    assert 'data-nav="robots"' in nav and 'data-nav="notification_settings"' in nav
    assert "群机器人" in nav and "通知设置" in nav and 'data-nav="notifications"' in nav
    nav = client_for(editor).get("/").content.decode().split('<nav class="nav">')[1]
    assert 'data-nav="notification_settings"' in nav and 'data-nav="robots"' not in nav


def test_adding_a_robot_on_the_page_shows_only_its_masked_address(dept, hq):
    client = client_for(hq)
    response = client.post(
        f"/settings/robots/?unit={dept.pk}",
        {
            "platform": "dingtalk",
            "name": "品牌部群",
            "webhook_url": DINGTALK_URL,
            "secret": DINGTALK_SECRET,
        },
        follow=True,
    )
    html = response.content.decode()
    assert GroupRobot.objects.get().name == "品牌部群"
    assert "oapi.dingtalk.com …6951" in html
    assert "98975521a1b23c02cdd1a9a08c6951" not in html and DINGTALK_SECRET not in html


def test_a_refused_robot_is_not_echoed_back_into_the_form(dept, hq):
    response = client_for(hq).post(
        f"/settings/robots/?unit={dept.pk}",
        {
            "platform": "dingtalk",
            "name": "品牌部群",
            "webhook_url": DINGTALK_URL,
            "secret": "SEC-but-with spaces",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and "签名密钥" in html
    assert "98975521a1b23c02cdd1a9a08c6951" not in html
    assert not GroupRobot.objects.exists()


def test_the_test_button_shows_the_platforms_answer_in_place(dept, hq, robot_server):
    robot = add_robot(dept, "wecom", WECOM_URL)
    robot_server.replies.append(
        httpx.Response(200, json={"errcode": 93000, "errmsg": "invalid webhook url"})
    )

    response = client_for(hq).post(
        f"/settings/robots/{robot.pk}/test/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert f'id="robot-test-{robot.pk}"' in html
    assert "测试消息发送失败" in html and "93000" in html


def test_removing_a_robot_on_the_page(dept, hq):
    robot = add_robot(dept, "wecom", WECOM_URL)

    response = client_for(hq).post(f"/settings/robots/{robot.pk}/remove/")
    assert response.status_code == 302 and not GroupRobot.objects.exists()


def test_the_robots_page_is_refused_without_the_settings_permission(dept, editor):
    robot = add_robot(dept, "wecom", WECOM_URL)
    client = client_for(editor)

    assert client.get("/settings/robots/").status_code == 403
    assert client.post(f"/settings/robots/{robot.pk}/remove/").status_code == 403
    assert GroupRobot.objects.exists()


def test_a_persons_page_links_their_channels_for_settings_administrators(editor, hq):
    from tests import factories as f

    hq_html = client_for(hq).get(f"/settings/people/{editor.pk}/").content.decode()
    assert f"/settings/notifications/?person={editor.pk}" in hq_html
    reviewer = f.person(f.group(), "reviewer_l2", username="manager")  # sees people, not settings
    response = client_for(reviewer).get(f"/settings/people/{editor.pk}/")
    assert response.status_code == 200
    assert 'id="person-channels"' not in response.content.decode()

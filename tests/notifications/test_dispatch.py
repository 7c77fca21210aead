"""notify() on the channels each person chose: e-mail, group robots, once per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction

from mediadesk.core.models import Notification
from mediadesk.core.notifications import notify
from mediadesk.notifications.models import Delivery
from tests import factories as f
from tests.notifications.conftest import (
    DINGTALK_SECRET,
    DINGTALK_URL,
    FEISHU_URL,
    WECOM_URL,
    add_robot,
    choose,
    run_jobs,
    with_contact,
)

pytestmark = pytest.mark.django_db


def _notify(recipients, capture, **event):
    event = {"kind": "content.review.awaiting", "title": "“春季新品”待您审核", **event}
    with capture(execute=True):
        return notify(recipients, **event)


def test_by_default_a_person_gets_the_notification_in_the_app_and_by_e_mail(
    editor, robot_server, django_capture_on_commit_callbacks
):
    _notify([editor], django_capture_on_commit_callbacks, link="/content/7/", body="请在今天处理")
    run_jobs()

    assert Notification.objects.filter(recipient=editor, read_at__isnull=True).count() == 1
    [message] = mail.outbox
    assert message.to == ["editor@example.com"]
    assert message.subject == "“春季新品”待您审核"
    assert message.body == "请在今天处理\n\nhttp://127.0.0.1:8000/content/7/"
    assert robot_server.requests == []


def test_the_e_mail_link_uses_the_public_address(
    editor, settings, robot_server, django_capture_on_commit_callbacks
):
    settings.MEDIADESK_PUBLIC_URL = "https://mediadesk.example.com"
    _notify([editor], django_capture_on_commit_callbacks, link="/content/7/")
    run_jobs()

    assert mail.outbox[0].body == "https://mediadesk.example.com/content/7/"


def test_a_person_who_turned_e_mail_off_for_a_category_gets_no_e_mail_for_it(
    editor, robot_server, django_capture_on_commit_callbacks
):
    choose(editor, "review", email=False)
    _notify([editor], django_capture_on_commit_callbacks, kind="content.review.approved")
    _notify(
        [editor], django_capture_on_commit_callbacks, kind="account.filing", title="备案今天到期"
    )
    run_jobs()

    assert [m.subject for m in mail.outbox] == ["备案今天到期"]
    assert Notification.objects.filter(recipient=editor).count() == 2  # in-app is always on


def test_a_robot_channel_is_used_only_for_the_categories_chosen(
    editor, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "wecom", WECOM_URL)
    choose(editor, "accounts", wecom=True)
    _notify([editor], django_capture_on_commit_callbacks)  # review: not chosen
    _notify(
        [editor], django_capture_on_commit_callbacks, kind="platforms.token", title="授权将到期"
    )
    run_jobs()

    [body] = robot_server.bodies()
    assert body["msgtype"] == "text" and "授权将到期" in body["text"]["content"]


def test_several_recipients_sharing_a_robot_get_one_message_naming_them_all(
    editor, planner, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "wecom", WECOM_URL)
    for person in (editor, planner):
        choose(person, "review", wecom=True, email=False)
    _notify([editor, planner], django_capture_on_commit_callbacks, dedupe_key="review:1")
    run_jobs()

    [body] = robot_server.bodies()
    assert "editor" in body["text"]["content"] and "planner" in body["text"]["content"]
    assert body["text"]["mentioned_mobile_list"] == ["13800138000", "13900139000"]
    delivery = Delivery.objects.get(channel="wecom")
    assert delivery.status == "sent" and delivery.notifications.count() == 2


def test_two_calls_for_the_same_event_in_one_transaction_share_the_robot_message(
    editor, planner, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "dingtalk", DINGTALK_URL, DINGTALK_SECRET)
    for person in (editor, planner):
        choose(person, "review", dingtalk=True, email=False)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for person in (editor, planner):
            notify([person], kind="content.review.awaiting", title="待审", dedupe_key="stage:9")
    run_jobs()

    [body] = robot_server.bodies()
    assert body["at"]["atMobiles"] == ["13800138000", "13900139000"]


def test_messages_go_to_the_nearest_unit_up_the_tree_with_a_robot(
    editor, bu, dept, robot_server, django_capture_on_commit_callbacks
):
    group_robot = add_robot(f.group(), "feishu", FEISHU_URL, name="集团群")
    bu_robot = add_robot(
        bu, "feishu", FEISHU_URL.replace("265f269f86fd", "aaaabbbbcccc"), name="科技群"
    )
    choose(editor, "review", feishu=True)
    _notify([editor], django_capture_on_commit_callbacks)
    run_jobs()

    [delivery] = Delivery.objects.filter(channel="feishu")
    assert delivery.robot == bu_robot != group_robot
    assert robot_server.requests[0].url.path.endswith("aaaabbbbcccc")


def test_recipients_in_different_units_reach_their_own_units_robots(
    editor, bu, dept, robot_server, django_capture_on_commit_callbacks
):
    other = with_contact(f.person(f.unit(bu, name="产品运营部"), username="ops"), phone="")
    add_robot(dept, "wecom", WECOM_URL)
    add_robot(bu, "wecom", WECOM_URL.replace("5aaa", "6bbb"))
    for person in (editor, other):
        choose(person, "review", wecom=True, email=False)
    _notify([editor, other], django_capture_on_commit_callbacks)
    run_jobs()

    assert sorted(r.url.params["key"][-4:] for r in robot_server.requests) == ["5aaa", "6bbb"]


def test_a_person_without_an_e_mail_address_is_recorded_as_skipped(
    dept, robot_server, django_capture_on_commit_callbacks
):
    person = f.person(dept, username="noemail")
    _notify([person], django_capture_on_commit_callbacks)
    run_jobs()

    assert mail.outbox == []
    delivery = Delivery.objects.get(recipient=person, channel="email")
    assert delivery.status == "skipped" and "No e-mail address" in delivery.last_error


def test_a_robot_channel_without_a_robot_up_the_tree_is_recorded_as_skipped(
    editor, robot_server, django_capture_on_commit_callbacks
):
    choose(editor, "review", dingtalk=True)
    _notify([editor], django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(recipient=editor, channel="dingtalk")
    assert delivery.status == "skipped" and "品牌部" in delivery.last_error


def test_nothing_is_sent_when_the_surrounding_change_is_rolled_back(
    editor, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "wecom", WECOM_URL)
    choose(editor, "review", wecom=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([editor], kind="content.review.awaiting", title="回滚")
            raise RuntimeError("the decision failed")
    run_jobs()

    assert callbacks == []
    assert mail.outbox == [] and robot_server.requests == []
    assert not Notification.objects.filter(title="回滚").exists()
    assert not Delivery.objects.exists()


def test_a_repeated_dedupe_key_sends_nothing_again(
    editor, robot_server, django_capture_on_commit_callbacks
):
    _notify([editor], django_capture_on_commit_callbacks, dedupe_key="filing-due-3")
    _notify([editor], django_capture_on_commit_callbacks, dedupe_key="filing-due-3")
    run_jobs()

    assert len(mail.outbox) == 1


def test_each_delivery_is_recorded_with_its_outcome(
    editor, robot_server, django_capture_on_commit_callbacks
):
    _notify([editor], django_capture_on_commit_callbacks)
    run_jobs()

    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts, delivery.target) == (
        "sent",
        1,
        "editor@example.com",
    )
    assert delivery.sent_at is not None and delivery.last_error == ""


def test_a_failure_preparing_other_channels_keeps_the_in_app_notification(
    editor, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from mediadesk.notifications import dispatch

    def broken(*args, **kwargs):
        raise RuntimeError("robot lookup broke")

    monkeypatch.setattr(dispatch, "fan_out", broken)
    notes = _notify([editor], django_capture_on_commit_callbacks)

    assert len(notes) == 1 and Notification.objects.filter(recipient=editor).exists()
    assert "deliveries not prepared" in caplog.text


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("content.review.awaiting", "review"),
        ("content.returned", "review"),
        ("publishing.failed", "publishing"),
        ("account.filing", "accounts"),
        ("application.submitted", "accounts"),
        ("platforms.token", "accounts"),
        ("credential.rotate", "accounts"),
        ("inbox.overdue", "inbox"),
        ("risk.crisis", "inbox"),
        ("something.new", "other"),
    ],
)
def test_the_category_comes_from_the_kinds_prefix(kind, category):
    from mediadesk.notifications.categories import category_of

    assert category_of(kind) == category


def test_a_mail_server_failure_is_retried(
    editor, monkeypatch, robot_server, django_capture_on_commit_callbacks
):
    import smtplib

    from mediadesk.notifications import sending

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(sending, "send_mail", down)
    _notify([editor], django_capture_on_commit_callbacks)

    assert run_jobs() == ["retrying"]
    delivery = Delivery.objects.get(channel="email")
    assert delivery.status == "retrying" and "SMTPServerDisconnected" in delivery.last_error


def test_a_delivery_whose_job_was_never_enqueued_is_picked_up_by_the_sweep(
    editor, time_machine, robot_server, django_capture_on_commit_callbacks
):
    from mediadesk.notifications.tasks import requeue_stranded

    with django_capture_on_commit_callbacks(execute=False):  # the process "stopped" here
        notify([editor], kind="content.review.awaiting", title="没来得及排队")
    assert requeue_stranded({}) == {"requeued": 0}  # too young: its job may be on the way

    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=6), tick=False)
    assert requeue_stranded({}) == {"requeued": 1}
    assert requeue_stranded({}) == {"requeued": 0}  # not twice
    run_jobs()
    assert [m.subject for m in mail.outbox] == ["没来得及排队"]

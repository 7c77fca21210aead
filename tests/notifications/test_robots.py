"""Group robots: each platform's message format and signature, failures, retries, addresses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from mediadesk.core.errors import ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.jobs.models import Job
from mediadesk.notifications import robots
from mediadesk.notifications.models import Delivery, GroupRobot
from mediadesk.notifications.sending import MAX_ATTEMPTS
from tests.notifications.conftest import (
    DINGTALK_SECRET,
    DINGTALK_URL,
    FEISHU_SECRET,
    FEISHU_URL,
    WECOM_URL,
    add_robot,
    choose,
    run_jobs,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def _send_review_notice(person, capture, title="“春季新品”待您审核"):
    with capture(execute=True):
        notify([person], kind="content.review.awaiting", title=title, link="/content/7/")


def test_wecom_gets_a_text_message_mentioning_the_recipients_mobile(
    editor, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "wecom", WECOM_URL)
    choose(editor, "review", wecom=True)
    _send_review_notice(editor, django_capture_on_commit_callbacks)
    run_jobs()

    [request] = robot_server.requests
    assert str(request.url) == WECOM_URL and request.method == "POST"
    assert json.loads(request.content) == {
        "msgtype": "text",
        "text": {
            "content": "【mediadesk】“春季新品”待您审核\n"
            "http://127.0.0.1:8000/content/7/\n"
            "致：editor",
            "mentioned_mobile_list": ["13800138000"],
        },
    }


def test_dingtalk_signature_is_the_hmac_of_timestamp_and_secret(
    editor, dept, frozen, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "dingtalk", DINGTALK_URL, DINGTALK_SECRET)
    choose(editor, "review", dingtalk=True)
    _send_review_notice(editor, django_capture_on_commit_callbacks)
    run_jobs()

    [request] = robot_server.requests
    params = request.url.params
    timestamp = params["timestamp"]
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert timestamp == str(int(T0.timestamp() * 1000))  # milliseconds
    assert params["sign"] == expected  # sent URL-encoded, decoded here by httpx
    assert params["access_token"] == "98975521a1b23c02cdd1a9a08c6951"
    body = json.loads(request.content)
    assert body["msgtype"] == "text" and body["at"]["atMobiles"] == ["13800138000"]
    assert body["text"]["content"].endswith("@13800138000")


def test_a_dingtalk_signature_with_plus_and_slash_survives_url_encoding():
    # Some timestamps give a base64 signature with "+" or "/"; a bare "+" would read as a space.
    for timestamp in range(1_700_000_000_000, 1_700_000_000_200):
        sign = robots.dingtalk_sign(DINGTALK_SECRET, timestamp)
        if "+" in sign:
            break
    url, _body = robots.build_request(
        "dingtalk",
        DINGTALK_URL,
        DINGTALK_SECRET,
        robots.RobotMessage("x"),
        now=timestamp / 1000,
    )
    assert "+" in sign and httpx.URL(url).params["sign"] == sign


def test_feishu_signature_is_in_the_body(
    editor, dept, frozen, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "feishu", FEISHU_URL, FEISHU_SECRET)
    choose(editor, "review", feishu=True)
    _send_review_notice(editor, django_capture_on_commit_callbacks)
    run_jobs()

    [request] = robot_server.requests
    body = json.loads(request.content)
    timestamp = body["timestamp"]
    expected = base64.b64encode(
        hmac.new(f"{timestamp}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert timestamp == str(int(T0.timestamp()))  # seconds
    assert body["sign"] == expected
    assert body["msg_type"] == "text" and "春季新品" in body["content"]["text"]
    assert str(request.url) == FEISHU_URL  # nothing added to the address


def test_an_unsigned_robot_gets_no_signature(
    editor, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "feishu", FEISHU_URL)
    choose(editor, "review", feishu=True)
    _send_review_notice(editor, django_capture_on_commit_callbacks)
    run_jobs()

    assert set(robot_server.bodies()[0]) == {"msg_type", "content"}


def test_an_error_code_is_recorded_as_a_failed_try_and_retried(
    editor, dept, frozen, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "wecom", WECOM_URL)
    choose(editor, "review", wecom=True, email=False)
    robot_server.replies.append(
        httpx.Response(200, json={"errcode": 45009, "errmsg": "api freq out of limit"})
    )
    _send_review_notice(editor, django_capture_on_commit_callbacks)

    assert run_jobs() == ["retrying"]
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert "45009" in delivery.last_error and "api freq out of limit" in delivery.last_error
    assert delivery.next_attempt_at == T0 + timedelta(seconds=60)  # WeCom's rate-limit window

    frozen.move_to(delivery.next_attempt_at, tick=False)
    assert run_jobs() == ["succeeded"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(robot_server.requests) == 2


def test_a_robot_that_keeps_failing_is_given_up_after_the_last_try(
    editor, dept, frozen, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "feishu", FEISHU_URL, FEISHU_SECRET)
    choose(editor, "review", feishu=True, email=False)
    robot_server.replies.extend(
        httpx.Response(200, json={"code": 19021, "msg": "sign match fail"})
        for _ in range(MAX_ATTEMPTS)
    )
    _send_review_notice(editor, django_capture_on_commit_callbacks)
    for _ in range(MAX_ATTEMPTS):
        run_jobs()
        job = Job.objects.get(name="notifications.deliver")
        frozen.move_to(job.run_at, tick=False)

    delivery = Delivery.objects.get(channel="feishu")
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert "19021" in delivery.last_error
    assert len(robot_server.requests) == MAX_ATTEMPTS
    assert Job.objects.get(name="notifications.deliver").status == "succeeded"


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(502, text="Bad Gateway"),
        httpx.Response(429, headers={"Retry-After": "30"}),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
    ids=["5xx", "429", "timeout", "network"],
)
def test_network_errors_server_errors_and_rate_limits_are_retried(
    reply, editor, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "dingtalk", DINGTALK_URL)
    choose(editor, "review", dingtalk=True, email=False)
    robot_server.replies.append(reply)
    _send_review_notice(editor, django_capture_on_commit_callbacks)

    assert run_jobs() == ["retrying"]
    assert Delivery.objects.get(channel="dingtalk").status == "retrying"


def test_a_rejected_address_is_not_retried(
    editor, dept, robot_server, django_capture_on_commit_callbacks
):
    add_robot(dept, "wecom", WECOM_URL)
    choose(editor, "review", wecom=True, email=False)
    robot_server.replies.append(httpx.Response(404, text="not found"))
    _send_review_notice(editor, django_capture_on_commit_callbacks)

    assert run_jobs() == ["succeeded"]  # the job ran; the delivery is given up at once
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "404" in delivery.last_error


def test_a_removed_robots_pending_message_fails_saying_so(
    editor, dept, robot_server, django_capture_on_commit_callbacks
):
    from mediadesk.notifications import services
    from tests import factories as f

    robot = add_robot(dept, "wecom", WECOM_URL)
    choose(editor, "review", wecom=True, email=False)
    _send_review_notice(editor, django_capture_on_commit_callbacks)
    services.remove_robot(actor=f.superuser(), robot=robot)
    run_jobs()

    delivery = Delivery.objects.get(channel="wecom")
    assert delivery.status == "failed" and "机器人已被删除" in delivery.last_error
    assert delivery.target.startswith("qyapi.weixin.qq.com")  # still says where it was going
    assert robot_server.requests == []


def test_a_long_message_is_cut_to_wecoms_2048_bytes():
    _url, body = robots.build_request("wecom", WECOM_URL, "", robots.RobotMessage("审" * 2000))
    assert len(body["text"]["content"].encode()) <= 2048


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdefgh"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"),
        ("wecom", "https://evil.example.com/cgi-bin/webhook/send?key=abcdefgh"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send"),
        ("dingtalk", "https://127.0.0.1/robot/send?access_token=abcdefgh"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/"),
        ("feishu", DINGTALK_URL),
    ],
)
def test_only_the_platforms_own_webhook_addresses_are_accepted(platform, url, dept):
    with pytest.raises(ValidationFailed) as caught:
        add_robot(dept, platform, url)
    assert "webhook_url" in caught.value.fields
    assert url not in caught.value.message
    assert not GroupRobot.objects.exists()


def test_a_dingtalk_secret_must_be_a_signing_secret(dept):
    with pytest.raises(ValidationFailed) as caught:
        add_robot(dept, "dingtalk", DINGTALK_URL, "not-a-dingtalk-secret")
    assert "secret" in caught.value.fields


def test_the_address_and_secret_are_stored_encrypted_and_shown_masked(dept):
    robot = add_robot(dept, "dingtalk", DINGTALK_URL, DINGTALK_SECRET)

    row = GroupRobot.objects.values().get(pk=robot.pk)
    assert all(DINGTALK_URL not in str(v) and DINGTALK_SECRET not in str(v) for v in row.values())
    assert robot.url_hint == "oapi.dingtalk.com …6951"
    assert robot.signed


def test_the_test_button_posts_at_once_and_reports_the_result(dept, hq, robot_server):
    from mediadesk.notifications import services

    robot = add_robot(dept, "wecom", WECOM_URL)
    robot_server.replies.append(
        httpx.Response(200, json={"errcode": 93000, "errmsg": "invalid webhook url"})
    )
    failed = services.send_test_message(actor=hq, robot=robot)
    sent = services.send_test_message(actor=hq, robot=robot)

    assert (failed.status, sent.status) == ("failed", "sent")
    assert "93000" in failed.last_error
    assert "hq" in robot_server.bodies()[1]["text"]["content"]
    assert not Job.objects.filter(name="notifications.deliver").exists()


def test_managing_a_units_robots_needs_the_settings_permission(dept, editor):
    from mediadesk.core.errors import PermissionDenied
    from mediadesk.notifications import services

    with pytest.raises(PermissionDenied):
        services.add_robot(
            actor=editor, unit=dept, platform="wecom", name="群", webhook_url=WECOM_URL
        )
    robot = add_robot(dept, "wecom", WECOM_URL)
    with pytest.raises(PermissionDenied):
        services.send_test_message(actor=editor, robot=robot)
    with pytest.raises(PermissionDenied):
        services.remove_robot(actor=editor, robot=robot)


def test_a_vault_rekey_re_encrypts_robot_addresses_and_secrets(
    dept, hq, tmp_path, monkeypatch, robot_server
):
    from mediadesk.accounts import vault
    from mediadesk.notifications import services

    monkeypatch.setenv("MEDIADESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(vault.ENV_VAR, raising=False)
    robot = add_robot(dept, "dingtalk", DINGTALK_URL, DINGTALK_SECRET)
    before = GroupRobot.objects.values_list("url_ciphertext", "secret_ciphertext").get()

    assert vault.rekey() == 1
    assert len(vault.key_file().read_text().split()) == 1  # the old key is gone
    robot.refresh_from_db()
    assert (robot.url_ciphertext, robot.secret_ciphertext) != before
    assert services.send_test_message(actor=hq, robot=robot).status == "sent"
    assert robot_server.requests[0].url.params["access_token"] == "98975521a1b23c02cdd1a9a08c6951"


def test_a_unit_with_a_robot_is_not_deleted(dept):
    from mediadesk.core.errors import Conflict
    from mediadesk.orgs import services as org_services
    from tests import factories as f

    add_robot(dept, "wecom", WECOM_URL)
    with pytest.raises(Conflict) as caught:
        org_services.delete_unit(actor=f.superuser(), unit=dept)
    assert "group robots" in caught.value.message

"""A robot's webhook key and signing secret never reach a response, page, log, job or audit."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.core.notifications import notify
from mediadesk.jobs.models import Job
from mediadesk.notifications.models import Delivery
from tests.notifications.conftest import (
    DINGTALK_SECRET,
    DINGTALK_URL,
    FEISHU_SECRET,
    FEISHU_URL,
    WECOM_URL,
    choose,
    run_jobs,
)
from tests.notifications.test_preferences_and_api import _post, api_for
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

SECRETS = {
    "dingtalk key": "98975521a1b23c02cdd1a9a08c6951",
    "dingtalk secret": DINGTALK_SECRET,
    "feishu key": "5e3d587e-d78e-4a07-bd07-265f269f86fd",
    "feishu secret": FEISHU_SECRET,
    "wecom key": "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa",
}


def _assert_clean(where: str, text: str) -> None:
    for name, secret in SECRETS.items():
        assert secret not in text, f"{name} leaked into {where}"
        assert secret[:12] not in text, f"part of the {name} leaked into {where}"


def test_robot_secrets_never_leave_the_vault_and_the_sender(
    editor, planner, dept, hq, robot_server, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    api = api_for(hq)
    page = client_for(hq)
    seen: list[tuple[str, str]] = []

    def keep(where: str, response) -> None:
        seen.append((where, response.content.decode()))

    keep(
        "API add",
        _post(
            api,
            f"/api/v1/units/{dept.pk}/robots",
            {
                "platform": "dingtalk",
                "name": "钉钉群",
                "webhook_url": DINGTALK_URL,
                "secret": DINGTALK_SECRET,
            },
        ),
    )
    keep(
        "page add",
        page.post(
            f"/settings/robots/?unit={dept.pk}",
            {
                "platform": "feishu",
                "name": "飞书群",
                "webhook_url": FEISHU_URL,
                "secret": FEISHU_SECRET,
            },
            follow=True,
        ),
    )
    keep(
        "API add wecom",
        _post(
            api,
            f"/api/v1/units/{dept.pk}/robots",
            {"platform": "wecom", "name": "企微群", "webhook_url": WECOM_URL},
        ),
    )
    keep(
        "API refused",
        _post(
            api,
            f"/api/v1/units/{dept.pk}/robots",
            {
                "platform": "feishu",
                "name": "错的",
                "webhook_url": WECOM_URL,
                "secret": FEISHU_SECRET,
            },
        ),
    )
    robot_ids = [r["id"] for r in api.get(f"/api/v1/units/{dept.pk}/robots").json()["items"]]

    # A transport error whose text carries the whole address (as some libraries' do), a
    # platform error, a timeout, then success.
    robot_server.replies += [
        httpx.ConnectError(f"cannot connect to {DINGTALK_URL}"),
        httpx.Response(200, json={"code": 19021, "msg": "sign match fail"}),
        httpx.ReadTimeout(f"timed out reading {WECOM_URL}"),
    ]
    for person in (editor, planner):
        choose(person, "review", wecom=True, dingtalk=True, feishu=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify([editor, planner], kind="content.review.awaiting", title="待审", dedupe_key="k1")
    run_jobs()
    for robot_id in robot_ids:
        keep("API test", _post(api, f"/api/v1/robots/{robot_id}/test"))
        keep("page test", page.post(f"/settings/robots/{robot_id}/test/", follow=True))
        keep(
            "htmx test",
            page.post(f"/settings/robots/{robot_id}/test/", headers={"HX-Request": "true"}),
        )
        keep("API deliveries", api.get(f"/api/v1/robots/{robot_id}/deliveries"))
    for url in ("/api/v1/me/notification-deliveries", "/api/v1/me/notification-preferences"):
        keep(url, api_for(editor).get(url))
    keep("robots page", page.get(f"/settings/robots/?unit={dept.pk}"))
    keep("my channels page", client_for(editor).get("/settings/notifications/"))
    keep("person's channels page", page.get(f"/settings/notifications/?person={editor.pk}"))
    keep("openapi", api.get("/api/v1/openapi.json"))
    keep("robot removal", page.post(f"/settings/robots/{robot_ids[0]}/remove/", follow=True))

    assert len(robot_server.requests) > 6  # the posts really went out, with the real addresses
    assert Delivery.objects.filter(status="retrying").count() == 3  # all three failures recorded
    for where, text in seen:
        _assert_clean(where, text)
    _assert_clean("the log", caplog.text)
    for entry in AuditEntry.objects.all():
        _assert_clean(
            f"audit entry {entry.action}",
            json.dumps([entry.object_repr, entry.before, entry.after], ensure_ascii=False),
        )
    for job in Job.objects.all():
        _assert_clean(f"job {job.name}", f"{job.last_error} {json.dumps(job.result)}")
    for delivery in Delivery.objects.all():
        _assert_clean("a delivery record", f"{delivery.target} {delivery.last_error}")

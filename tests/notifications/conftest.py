"""A small organisation with robots, and a capture of every robot post (``httpx.MockTransport``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
import pytest

from mediadesk.jobs import services as jobs
from mediadesk.notifications import robots, services
from mediadesk.orgs import services as org_services
from tests import factories as f

WECOM_URL = (
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
)
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=98975521a1b23c02cdd1a9a08c6951"
FEISHU_URL = "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd"
DINGTALK_SECRET = "SEC19dd84be8c7f3cf71761974f1ed3ef77c1451906ae8ba18acf56103ee"
FEISHU_SECRET = "nIMtb7r3N9pkXyXdtAbx6e"


@dataclass
class RobotServer:
    """Answers every post with the next queued reply (default: success) and keeps the requests."""

    requests: list[httpx.Request] = field(default_factory=list)
    replies: list[httpx.Response | Exception] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.replies:
            reply = self.replies.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply
        ok = {"code": 0, "msg": "success"} if "feishu" in request.url.host else {"errcode": 0}
        return httpx.Response(200, json=ok)

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def robot_server():
    server = RobotServer()
    with robots.using_transport(httpx.MockTransport(server.handle)):
        yield server


@pytest.fixture
def bu(db):
    return f.unit(name="示例科技")


@pytest.fixture
def dept(bu):
    return f.unit(bu, name="品牌部")


@pytest.fixture
def hq(db):
    return f.person(f.group(), "hq_communications", username="hq")


def with_contact(person, *, email: str = "", phone: str = ""):
    org_services.update_person(actor=f.superuser(), person=person, email=email, phone=phone)
    person.refresh_from_db()
    return person


@pytest.fixture
def editor(dept):
    return with_contact(
        f.person(dept, "operator", username="editor"),
        email="editor@example.com",
        phone="13800138000",
    )


@pytest.fixture
def planner(dept):
    return with_contact(
        f.person(dept, "reviewer_l1", username="planner"),
        email="planner@example.com",
        phone="13900139000",
    )


def add_robot(unit, platform: str, url: str, secret: str = "", name: str = ""):
    return services.add_robot(
        actor=f.superuser(),
        unit=unit,
        platform=platform,
        name=name or f"{unit.name}群",
        webhook_url=url,
        secret=secret,
    )


def choose(person, category: str, **channels: bool):
    return services.set_preferences(actor=person, person=person, choices={category: channels})


def run_jobs() -> list[str]:
    """Run every due job, as the embedded runner would; the outcomes in order."""
    outcomes = []
    while claimed := jobs.claim_due_jobs("test-worker", 50):
        outcomes += [jobs.run_job(job.pk, "test-worker") for job in claimed]
    return outcomes

"""The engine against the platform simulator (started in-process, once per module).

The engine is driven synchronously: :func:`run` does what the job runner would — a tick
(recover, take up pushes, claim what is due) and every job that is due — until nothing is left,
so a test decides exactly when time passes (``time_machine``) and asserts on the simulator's
own request log and state, never only on our database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import time_machine

from mediadesk.accounts.credentials import store_credential
from mediadesk.jobs import services as jobs
from mediadesk.platforms.bindings import configure_binding
from mediadesk.platforms.models import SIMULATOR_MARKER
from mediadesk.platforms.simulator import Simulator, SimulatorConfig, WeChatApp, WeiboApp
from mediadesk.publishing import engine
from mediadesk.publishing.models import PublicationState
from tests import factories as f
from tests.publishing.engine import factories as pf

APPID, SECRET = "wxpub0000000000001", "publishing-test-app-secret"
APPID_TWO = "wxpub0000000000002"  # a second service account, same secret
WEIBO_KEY, WEIBO_SECRET = "3456700001", "weibo-publishing-secret"
SAFE_DOMAIN = "mediadesk.example"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        port=0,
        threads=8,
        publish_delay=0.5,
        mass_retry_interval=1.0,
        apps=[
            WeChatApp(APPID, SECRET, name="发布测试服务号", original_id="gh_publish_test"),
            WeChatApp(APPID_TWO, SECRET, name="第二服务号", original_id="gh_publish_two"),
        ],
        weibo_apps=[WeiboApp(WEIBO_KEY, WEIBO_SECRET, safe_domains=[SAFE_DOMAIN])],
    )


class Sim:
    """The simulator and its control API (``/_sim/``), for assertions."""

    def __init__(self, simulator: Simulator) -> None:
        assert simulator.base_url
        self.simulator = simulator
        self.base_url = simulator.base_url
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    def control(self, method: str, endpoint: str, body: Any = None, **params: Any) -> Any:
        response = self.http.request(method, f"/_sim/{endpoint}", json=body, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def fault(self, **spec: Any) -> None:
        self.control("POST", "faults", spec)

    def requests(self, path: str) -> list[dict[str, Any]]:
        return self.control("GET", "requests", path=path)["requests"]

    def calls(self, path: str) -> int:
        return len(self.requests(path))

    def posts(self) -> dict[str, Any]:
        return self.control("GET", "posts")

    def wechat_articles(self) -> list[dict[str, Any]]:
        return [p for p in self.posts()["wechat"] if p.get("appid", APPID) == APPID]

    def jobs(self) -> dict[str, Any]:
        return self.control("GET", "jobs")

    def wechat_token(self) -> str:
        """An access token of the test account, as any WeChat client gets one."""
        body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        return self.http.post("/cgi-bin/stable_token", json=body).json()["access_token"]

    def weibo_token(self) -> str:
        """A Weibo user token, obtained the way the account owner's consent gives one."""
        redirect = f"https://{SAFE_DOMAIN}/oauth/weibo/callback/"
        answer = self.http.get(
            "/weibo/oauth2/authorize",
            params={"client_id": WEIBO_KEY, "redirect_uri": redirect, "response_type": "code"},
        )
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        body = self.http.post(
            "/weibo/oauth2/access_token",
            data={
                "client_id": WEIBO_KEY,
                "client_secret": WEIBO_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
            },
        ).json()
        self.control("DELETE", "requests")
        return body["access_token"]


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    sim = Simulator(sim_config())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator: Simulator, settings: Any) -> Iterator[Sim]:
    simulator.reset()
    settings.MEDIADESK_SIMULATOR_URL = simulator.base_url
    settings.MEDIADESK_PLATFORM_TIMEOUT_SECONDS = 1.0
    handle = Sim(simulator)
    yield handle
    handle.http.close()


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Time starts at T0 - 1 minute and runs on; tests jump with ``clock.move_to``."""
    with time_machine.travel(T0 - timedelta(minutes=1), tick=True) as traveller:
        yield traveller


@pytest.fixture
def team(db: Any) -> pf.Team:
    return pf.team()


def wechat_account(team: pf.Team, app_id: str = APPID, **fields: Any) -> Any:
    account = f.account(
        team.unit,
        platform="wechat_service",
        platform_account_id=fields.pop("platform_account_id", "gh_publish_test"),
        name=fields.pop("name", "发布测试服务号"),
        **fields,
    )
    configure_binding(
        actor=f.superuser(), account=account, app_id=app_id, base_url=SIMULATOR_MARKER
    )
    store_credential(actor=f.superuser(), account=account, kind="app_secret", value=SECRET)
    return account


def weibo_account(team: pf.Team, sim: Sim) -> Any:
    account = f.account(team.unit, platform="weibo", name="发布测试微博")
    configure_binding(
        actor=f.superuser(),
        account=account,
        app_id=WEIBO_KEY,
        base_url=SIMULATOR_MARKER,
        options={"safe_domains": [SAFE_DOMAIN], "rip": "203.0.113.7"},
    )
    store_credential(
        actor=f.superuser(), account=account, kind="access_token", value=sim.weibo_token()
    )
    return account


@pytest.fixture
def wechat(team: pf.Team, sim: Sim) -> Any:
    return wechat_account(team)


def run(rounds: int = 50) -> None:
    """Run the engine as the job runner would, until no job is due now."""
    for _ in range(rounds):
        engine.tick()
        claimed = jobs.claim_due_jobs("test-worker", 100)
        if not claimed:
            return
        for job in claimed:
            jobs.run_job(job.id, "test-worker")
    raise AssertionError("the engine kept finding work: a loop?")


def published(team: pf.Team, account: Any, clock: Any, at: datetime = T0, **item: Any) -> Any:
    """An approved item scheduled at ``at`` and run on until it is published there."""
    pub = pf.publication(pf.approved_item(team, account, **item), account, at=at, owner=team.author)
    clock.move_to(at)
    run()
    clock.shift(timedelta(seconds=10))
    run()
    pub.refresh_from_db()
    assert pub.state == PublicationState.PUBLISHED, explain(pub)
    return pub


def later(clock: time_machine.Coordinates, seconds: float) -> None:
    clock.shift(timedelta(seconds=seconds))


def explain(pub: Any) -> str:
    """The publication's story, for assertion messages."""
    pub.refresh_from_db()
    lines = [f"{pub.state} v{pub.version} {pub.error_code} {pub.error}"]
    for a in pub.attempt_log.all():
        lines.append(f"  {a.operation} {a.outcome} {a.error_code} {a.message}")
    return "\n".join(lines)

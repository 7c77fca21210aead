"""The product side of the platforms: accounts bound to a simulator started in-process on a
free port (once per module, emptied per test), people with the roles the tests need, and
helpers to read the simulator's request log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from mediadesk.accounts.credentials import store_credential
from mediadesk.platforms.bindings import configure_binding
from mediadesk.platforms.models import SIMULATOR_MARKER
from mediadesk.platforms.simulator import (
    DouyinApp,
    Simulator,
    SimulatorConfig,
    WeChatApp,
    WeiboApp,
)
from tests import factories

APPID, SECRET = "wxd1a90000000000001", "binding-test-app-secret-01"
ORIGINAL_ID = "gh_binding_test"
CALLBACK_TOKEN = "callback-token-for-tests"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WEIBO_KEY, WEIBO_SECRET = "2345600001", "weibo-binding-secret"
DOUYIN_KEY, DOUYIN_SECRET = "awbinding00000001", "douyin-binding-secret"
T = TypeVar("T")


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        port=0,
        threads=8,
        publish_delay=0.2,
        apps=[WeChatApp(APPID, SECRET, name="绑定测试服务号", original_id=ORIGINAL_ID)],
        weibo_apps=[WeiboApp(WEIBO_KEY, WEIBO_SECRET, safe_domains=["mediadesk.example"])],
        douyin_apps=[DouyinApp(DOUYIN_KEY, DOUYIN_SECRET)],
    )


class SimHandle:
    """The simulator and its control API (``/_sim/``)."""

    def __init__(self, simulator: Simulator) -> None:
        assert simulator.base_url
        self.simulator = simulator
        self.base_url = simulator.base_url
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    def control(self, method: str, endpoint: str, body: Any = None, **params: Any) -> Any:
        response = self.http.request(method, f"/_sim/{endpoint}", json=body, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def requests(self, path: str = "") -> list[dict[str, Any]]:
        return self.control("GET", "requests", **({"path": path} if path else {}))["requests"]

    def paths(self) -> list[str]:
        return [entry["path"] for entry in self.requests()]

    def token(self) -> str:
        """A WeChat access token, fetched the way any client would."""
        body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        return self.http.post("/cgi-bin/stable_token", json=body).json()["access_token"]

    def set_menu_directly(self, menu: dict[str, Any]) -> None:
        """A menu changed outside mediadesk (in the MP console, say)."""
        answer = self.http.post(
            "/cgi-bin/menu/create", params={"access_token": self.token()}, json=menu
        ).json()
        assert answer.get("errcode", 0) == 0, answer
        self.control("DELETE", "requests")


def poll(fn: Callable[[], T], until: Callable[[T], Any], timeout: float = 10.0) -> T:
    """Call ``fn`` until ``until(result)`` holds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if until(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def run_concurrently(*targets: Callable[[], None]) -> None:
    """Start ``targets`` together in threads (each with its own database connection)."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                target()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    sim = Simulator(sim_config())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator: Simulator, settings: Any) -> Iterator[SimHandle]:
    """The module's simulator, emptied, and what ``simulator:`` resolves to in this test."""
    simulator.reset()
    settings.MEDIADESK_SIMULATOR_URL = simulator.base_url
    handle = SimHandle(simulator)
    yield handle
    handle.http.close()


def wechat_account(**fields: Any) -> Any:
    return factories.account(
        platform="wechat_service", platform_account_id=ORIGINAL_ID, name="绑定测试", **fields
    )


def bind(account: Any, app_id: str = APPID, base_url: str = SIMULATOR_MARKER, **kw: Any) -> Any:
    return configure_binding(
        actor=factories.superuser(), account=account, app_id=app_id, base_url=base_url, **kw
    )


def vault(account: Any, **values: str) -> None:
    for kind, value in values.items():
        store_credential(actor=factories.superuser(), account=account, kind=kind, value=value)


def bound_wechat(*, secrets: bool = True, callback: bool = False, aes: bool = False) -> Any:
    """A WeChat account bound to the simulator, its secrets in the vault."""
    account = wechat_account()
    bind(account)
    if secrets:
        vault(account, app_secret=SECRET)
    if callback:
        vault(account, callback_token=CALLBACK_TOKEN)
    if aes:
        vault(account, aes_key=AES_KEY)
    return account

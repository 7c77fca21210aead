"""The simulator the connector tests run against (started once per module, reset per test) and
small helpers: its control API, connectors pointed at it, polling."""

from __future__ import annotations

import socket
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mediadesk.platforms.connectors import AccountRef
from mediadesk.platforms.connectors.douyin import DouyinConnector
from mediadesk.platforms.connectors.tokens import MemoryTokenStore
from mediadesk.platforms.connectors.wechat import WeChatConnector
from mediadesk.platforms.connectors.weibo import WeiboConnector
from mediadesk.platforms.simulator import (
    DouyinApp,
    Simulator,
    SimulatorConfig,
    WeChatApp,
    WeiboApp,
)

APPID, SECRET = "wxc0ffee0000000001", "connector-test-secret-0001"
UNVERIFIED, UNVERIFIED_SECRET = "wxc0ffee00000dead1", "connector-unverified-secret"
WEIBO_KEY, WEIBO_SECRET = "1234500001", "weibo-connector-secret"
SAFE_DOMAIN = "mediadesk.example"
DOUYIN_KEY, DOUYIN_SECRET = "awconnector000001", "douyin-connector-secret"
PUBLISH_DELAY = 0.2
T = TypeVar("T")


def png_bytes(pad: int = 0) -> bytes:
    """A valid 1×1 PNG, padded with a text chunk to reach a size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    if pad:
        body += chunk(b"tEXt", b"x" * pad)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def jpeg_bytes(size: int = 600) -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x00" * max(0, size - 6) + b"\xff\xd9"


def gif_bytes() -> bytes:
    return b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def mp4_bytes(size: int = 2048) -> bytes:
    return b"\x00\x00\x00\x18ftypmp42" + b"\x00" * max(0, size - 12)


def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        port=0,
        threads=8,
        publish_delay=PUBLISH_DELAY,
        mass_retry_interval=0.0,  # a resend with the same clientmsgid answers 45065 at once
        apps=[
            WeChatApp(APPID, SECRET, name="连接器测试服务号"),
            WeChatApp(UNVERIFIED, UNVERIFIED_SECRET, verified=False),
        ],
        weibo_apps=[WeiboApp(WEIBO_KEY, WEIBO_SECRET, safe_domains=[SAFE_DOMAIN])],
        douyin_apps=[DouyinApp(DOUYIN_KEY, DOUYIN_SECRET)],
    )


class SimHandle:
    """The simulator's control API (``/_sim/``), as the README documents it."""

    def __init__(self, simulator: Simulator) -> None:
        assert simulator.base_url
        self.simulator = simulator
        self.base_url = simulator.base_url
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    def control(
        self, method: str, endpoint: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        response = self.http.request(method, f"/_sim/{endpoint}", json=body, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def fault(self, **spec: Any) -> None:
        self.control("POST", "faults", spec)

    def requests(self, since: int = 0, path: str = "") -> list[dict[str, Any]]:
        params = {"since": since, **({"path": path} if path else {})}
        return self.control("GET", "requests", params=params)["requests"]

    def paths(self, since: int = 0) -> list[str]:
        return [entry["path"] for entry in self.requests(since)]

    def mark(self) -> int:
        """The id of the newest logged request: pass it as ``since`` to see only later ones."""
        entries = self.requests()
        return entries[-1]["id"] if entries else 0

    def wait_answered(self, path: str) -> None:
        """Until every logged request to ``path`` has been answered (a hang has ended)."""
        poll(lambda: self.requests(path=path), lambda rows: all(r["status"] for r in rows))

    def oauth_code(self, url: str) -> str:
        """Follow an authorisation URL the way a person's browser would; return the code."""
        response = self.http.get(url)
        assert response.status_code == 302, response.text
        return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def poll(fn: Callable[[], T], until: Callable[[T], Any], timeout: float = 10.0) -> T:
    """Call ``fn`` until ``until(result)`` holds (no fixed sleeps: the simulator is fast)."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if until(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def dead_url() -> str:
    """An address where nothing listens: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def getter(values: dict[str, str]) -> Callable[..., str | None]:
    def credentials(kind: str, label: str = "") -> str | None:
        return values.get(kind)

    return credentials


def wechat_connector(
    base_url: str, appid: str = APPID, secret: str = SECRET, *, timeout: float = 5.0, **kw: Any
) -> WeChatConnector:
    ref = AccountRef(
        platform="wechat_service",
        app_id=appid,
        base_url=base_url,
        credentials=getter({"app_secret": secret}),
        name="测试服务号",
        timeout=timeout,
    )
    return WeChatConnector(ref, store=kw.pop("store", None) or MemoryTokenStore(), **kw)


def weibo_connector(
    base_url: str, *, timeout: float = 5.0, credentials: dict[str, str] | None = None
) -> WeiboConnector:
    ref = AccountRef(
        platform="weibo",
        app_id=WEIBO_KEY,
        base_url=f"{base_url}/weibo",
        credentials=getter({"app_secret": WEIBO_SECRET, **(credentials or {})}),
        account_id="weibo-1",
        options={"safe_domains": [SAFE_DOMAIN], "rip": "203.0.113.7"},
        timeout=timeout,
    )
    return WeiboConnector(ref, store=MemoryTokenStore())


def douyin_connector(
    base_url: str,
    *,
    timeout: float = 5.0,
    credentials: dict[str, str] | None = None,
    store: MemoryTokenStore | None = None,
    clock: Callable[[], float] = time.time,
) -> DouyinConnector:
    ref = AccountRef(
        platform="douyin",
        app_id=DOUYIN_KEY,
        base_url=f"{base_url}/douyin",
        credentials=getter({"app_secret": DOUYIN_SECRET, **(credentials or {})}),
        account_id="douyin-1",
        timeout=timeout,
    )
    return DouyinConnector(ref, store=store or MemoryTokenStore(), clock=clock)


def authorised_weibo(sim: SimHandle, **kw: Any) -> WeiboConnector:
    connector = weibo_connector(sim.base_url, **kw)
    redirect = "https://mediadesk.example/oauth/weibo"
    code = sim.oauth_code(connector.authorization_url(redirect, state="s1"))
    connector.exchange_code(code, redirect)
    return connector


def authorised_douyin(sim: SimHandle, **kw: Any) -> DouyinConnector:
    connector = douyin_connector(sim.base_url, **kw)
    redirect = "https://mediadesk.example/oauth/douyin"
    scopes = [
        "user_info",
        "video.create.bind",
        "video.list.bind",
        "video.data.bind",
        "data.external.item",
        "video.comment",
    ]
    code = sim.oauth_code(connector.authorization_url(redirect, scopes, state="s1"))
    connector.exchange_code(code)
    return connector


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    sim = Simulator(sim_config())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator: Simulator) -> Iterator[SimHandle]:
    """The module's simulator, emptied for this test."""
    simulator.reset()
    handle = SimHandle(simulator)
    yield handle
    handle.http.close()

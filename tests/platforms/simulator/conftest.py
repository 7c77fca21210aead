"""Fixtures for the platform simulator: a running simulator on a free port with a manual clock,
sample media files and a tiny HTTP receiver standing in for the product's callback endpoint."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from mediadesk.platforms.simulator import (
    DouyinApp,
    ManualClock,
    Simulator,
    SimulatorConfig,
    WeChatApp,
    WeiboApp,
)

APPID = "wx1a2b3c4d5e6f7a8b"
SECRET = "s3cret-app-secret-0001"
UNVERIFIED = "wx9f8e7d6c5b4a3f2e"
SUBSCRIPTION = "wx5555aaaa6666bbbb"
WEIBO_KEY, WEIBO_SECRET = "3456789012", "weibo-secret"
DOUYIN_KEY, DOUYIN_SECRET = "awk1234567890", "douyin-secret"


def png_bytes(extra: int = 0) -> bytes:
    """A valid 1×1 PNG, optionally padded (a trailing chunk) to reach a given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    if extra:
        body += chunk(b"tEXt", b"x" * extra)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def jpeg_bytes(size: int = 600) -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x00" * max(0, size - 6) + b"\xff\xd9"


def mp4_bytes(size: int = 2048) -> bytes:
    return b"\x00\x00\x00\x18ftypmp42" + b"\x00" * max(0, size - 12)


def config(**overrides: object) -> SimulatorConfig:
    base = SimulatorConfig(
        port=0,
        threads=8,
        publish_delay=2.0,
        apps=[
            WeChatApp(APPID, SECRET, name="测试服务号"),
            WeChatApp(UNVERIFIED, "unverified-secret", verified=False),
            WeChatApp(SUBSCRIPTION, "subscription-secret", account_type="subscription"),
        ],
        weibo_apps=[WeiboApp(WEIBO_KEY, WEIBO_SECRET, safe_domains=["mediadesk.example"])],
        douyin_apps=[DouyinApp(DOUYIN_KEY, DOUYIN_SECRET)],
    )
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_767_225_600.0)  # 2026-01-01 08:00 China time


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[Simulator]:
    simulator = Simulator(config(), clock=clock)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    assert sim.base_url
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        yield client


def wechat_token(http: httpx.Client, appid: str = APPID, secret: str = SECRET) -> str:
    r = http.get(
        "/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": appid, "secret": secret},
    )
    return r.json()["access_token"]


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records what reaches it; answers ``status`` (200 'success' by default)."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    arrived: threading.Event = field(default_factory=threading.Event)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The requests received once ``count`` have arrived (or ``timeout`` passed)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            self.arrived.wait(0.05)
            self.arrived.clear()
        return list(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            rec = holder["r"]
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            rec.received.append(
                Received("POST", parts.path, dict(parse_qsl(parts.query)), self.rfile.read(length))
            )
            rec.arrived.set()
            body = b"success" if rec.status == 200 else b"error"
            self.send_response(rec.status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/wechat/callback")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield holder["r"]
    server.shutdown()
    server.server_close()

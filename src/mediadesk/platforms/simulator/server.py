"""``Simulator``: the platforms, the control plane and a waitress server, in one object.

In-process use (``make run``, tests)::

    sim = Simulator(SimulatorConfig(apps=[WeChatApp("wx…", "secret")]))
    base_url = sim.start()          # port 0 by default: a free port
    ...
    sim.stop()

``sim.app`` is the WSGI application, usable without a socket through
``httpx.WSGITransport(app=sim.app)`` (then call ``sim.tick()`` to finish due jobs and
``sim.pusher.flush()`` to deliver pushes, which the background threads do when started).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from waitress import trigger as waitress_trigger
from waitress import wasyncore
from waitress.server import create_server

from .app import SimulatorApp
from .clock import Clock
from .config import SimulatorConfig
from .control import Control
from .douyin import DouyinPlatform
from .faults import FaultInjector
from .push import Pusher
from .reqlog import RequestLog
from .wechat import WeChatPlatform
from .weibo import WeiboPlatform

log = logging.getLogger("mediadesk.simulator")
TICK = 0.05  # seconds between checks for due jobs


class Simulator:
    def __init__(self, config: SimulatorConfig | None = None, *, clock: Clock | None = None):
        self.config = config or SimulatorConfig(port=0)
        self.clock = clock or Clock()
        self.stopping = threading.Event()
        self.pusher = Pusher(self.clock, self.config.callback_timeout, self.config.callback_retries)
        self.wechat = WeChatPlatform(self.config, self.clock, self.pusher)
        self.weibo = WeiboPlatform(self.config, self.clock)
        self.douyin = DouyinPlatform(self.config, self.clock)
        self.platforms: dict[str, Any] = {
            "wechat": self.wechat,
            "weibo": self.weibo,
            "douyin": self.douyin,
        }
        self.requests = RequestLog(self.config.request_log_limit)
        self.faults = FaultInjector()
        self.control = Control(self)
        self.app = SimulatorApp(self)
        self.base_url: str | None = None
        self._server: Any = None
        self._threads: list[threading.Thread] = []

    # -- state --------------------------------------------------------------------------------
    def tick(self) -> None:
        """Finish the jobs whose time has come (the background thread calls this)."""
        self.wechat.run_due()

    def reset(self) -> None:
        """Forget everything clients did; keep the configuration."""
        for platform in self.platforms.values():
            platform.reset()
        self.faults.clear()
        self.requests.clear()
        self.pusher.clear()

    # -- serving ------------------------------------------------------------------------------
    def start(self, host: str | None = None, port: int | None = None) -> str:
        """Listen (``port`` 0 picks a free one), serve in background threads, return the URL."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        host = host or self.config.host
        port = self.config.port if port is None else port
        self.stopping.clear()
        server = create_server(
            self.app,
            host=host,
            port=port,
            threads=self.config.threads,
            connection_limit=max(100, self.config.threads * 8),
            backlog=1024,
            channel_timeout=300,
            ident="mediadesk-simulator",
        )
        self._server = server
        bound_host, bound_port = _bound(server)
        shown = host if host not in ("0.0.0.0", "::", "") else bound_host  # noqa: S104
        self.base_url = f"http://{_bracket(shown)}:{bound_port}"
        self.pusher.start()
        self._threads = [
            threading.Thread(target=server.run, name="sim-server", daemon=True),
            threading.Thread(target=self._ticker, name="sim-ticker", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self.base_url

    def _ticker(self) -> None:
        while not self.stopping.wait(TICK):
            try:
                self.tick()
            except Exception:
                log.exception("finishing due jobs failed")

    def stop(self) -> None:
        """Stop listening, wake hung requests, finish the threads. Safe to call twice."""
        server, self._server = self._server, None
        self.stopping.set()  # wakes requests sleeping in a hang or latency fault
        if server is None:
            return
        # Let the workers finish what they hold first: a worker that completes a request
        # wakes the socket loop through the trigger, which must still be open then.
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=3)
        socket_map = _socket_map(server)
        trigger = next(
            (d for d in socket_map.values() if isinstance(d, waitress_trigger.trigger)), None
        )
        try:
            if trigger is not None:
                trigger.pull_trigger(lambda: wasyncore.close_all(socket_map))
        except OSError:  # the loop is gone already
            wasyncore.close_all(socket_map, ignore_all=True)
        for thread in self._threads:
            thread.join(timeout=5)
        self.pusher.stop()
        self._threads = []

    def __enter__(self) -> Simulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _socket_map(server: Any) -> dict[int, Any]:
    return server._map if hasattr(server, "_map") else server.map


def _bound(server: Any) -> tuple[str, int]:
    if hasattr(server, "effective_port"):
        return str(server.effective_host), int(server.effective_port)
    host, port = server.effective_listen[0]
    return str(host), int(port)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host

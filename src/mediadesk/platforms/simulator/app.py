"""The WSGI application: picks the platform, records the request, applies injected faults.

Where each platform lives (one address serves all three):

* WeChat at the root — ``/cgi-bin/…``, ``/datacube/…`` (as ``https://api.weixin.qq.com``);
* Weibo under ``/weibo`` — ``/weibo/2/…``, ``/weibo/oauth2/…`` (as ``https://api.weibo.com``);
* Douyin under ``/douyin`` — ``/douyin/oauth/…``, ``/douyin/api/douyin/v1/…``,
  ``/douyin/data/external/…``, ``/douyin/video/comment/…`` (as ``https://open.douyin.com``);
* the control API under ``/_sim/``.

A request whose ``Host`` header names a real platform host (``api.weibo.com``,
``open.douyin.com``) is routed there without the prefix, for clients redirected at the
transport level that keep the original Host.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .http import Request, Response, json_response, status_line
from .reqlog import mask

if TYPE_CHECKING:
    from .server import Simulator

log = logging.getLogger("mediadesk.simulator")

WEIBO_HOSTS = frozenset({"api.weibo.com"})
DOUYIN_HOSTS = frozenset({"open.douyin.com"})
ERROR_PAGE = "<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"


class SimulatorApp:
    """A plain WSGI callable; test it with ``httpx.WSGITransport(app=simulator.app)``."""

    def __init__(self, simulator: Simulator) -> None:
        self.sim = simulator

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:  # the simulator must answer, even about its own bugs
            log.exception("simulator error on %s %s", request.method, request.path)
            response = json_response({"error": "simulator internal error"}, status=500)
        start_response(status_line(response.status), response.wsgi_headers())
        return [response.body]

    def resolve(self, request: Request) -> tuple[str, str]:
        """(platform name, path inside that platform)."""
        path = request.path
        for name, prefix in (("control", "/_sim"), ("weibo", "/weibo"), ("douyin", "/douyin")):
            if path == prefix or path.startswith(prefix + "/"):
                return name, path[len(prefix) :] if name != "control" else path
        if request.host in WEIBO_HOSTS:
            return "weibo", path
        if request.host in DOUYIN_HOSTS:
            return "douyin", path
        return "wechat", path

    def dispatch(self, request: Request) -> Response:
        name, path = self.resolve(request)
        if name == "control":
            return self.sim.control.handle(request)
        platform = self.sim.platforms[name]
        started = time.monotonic()
        entry = self.sim.requests.record(name, request, self.sim.clock.now())
        latency, fault = self.sim.faults.take(request.method, request.path)
        if latency:
            self.sim.stopping.wait(latency)
        response: Response | None = None
        if fault is not None:
            entry.fault = fault.kind
            if fault.kind == "hang":
                self.sim.stopping.wait(fault.seconds)
                if not fault.process:
                    response = _error_page(504)
            elif fault.kind == "http_status":
                response = _error_page(fault.status)
            elif fault.kind == "errcode":
                assert fault.errcode is not None
                if name == "wechat":
                    response = platform.fault_response(fault.errcode, fault.errmsg)
                else:
                    response = platform.fault_response(fault.errcode, path, fault.errmsg)
        if response is None:
            response = platform.handle(request, path)
        entry.status = response.status
        if response.payload is not None:
            entry.response = mask(response.payload)
        else:
            entry.response = {"content_type": response.content_type, "size": len(response.body)}
        entry.duration_ms = round((time.monotonic() - started) * 1000, 3)
        return response


def _error_page(status: int) -> Response:
    text = status_line(status)
    return Response(
        status=status,
        body=ERROR_PAGE.format(status=text).encode("ascii"),
        content_type="text/html",
    )

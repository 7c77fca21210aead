"""The simulated Weibo API, served under ``/weibo`` (``/weibo/2/…``, ``/weibo/oauth2/…``).

Errors are real HTTP 4xx with ``{"request","error_code","error"}`` (``error_code`` a string,
as in the documented example); OAuth errors add ``error_description`` and an integer code.
"""

from __future__ import annotations

import threading
from typing import Any

from ..clock import Clock
from ..config import SimulatorConfig
from ..http import Request, Response, Router, json_response
from . import oauth, posts
from .context import WCtx
from .state import WeiboError, WeiboState

CONTENT_TYPE = "application/json;charset=UTF-8"


class WeiboPlatform:
    name = "weibo"
    prefix = "/weibo"

    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.router = Router()
        for module in (oauth, posts):
            for path, methods, handler in module.ROUTES:
                self.router.add(path, methods, handler)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.state = WeiboState(apps={app.key: app for app in self.config.weibo_apps})

    def ctx(self, request: Request) -> WCtx:
        return WCtx(request=request, state=self.state, config=self.config, now=self.clock.now())

    def ctx_for_control(self) -> WCtx:
        """A context without a client request, for control-API actions."""
        return self.ctx(Request({"REQUEST_METHOD": "POST"}))

    def handle(self, request: Request, path: str) -> Response:
        route = self.router.match(path)
        if route is None:
            return self.error(WeiboError(10014, status=404), path)
        if request.method not in route.methods:
            return self.error(WeiboError(10008, status=405), path)
        with self.lock:
            try:
                result = route.handler(self.ctx(request))
            except WeiboError as exc:
                return self.error(exc, path)
            except ValueError:
                return self.error(WeiboError(10008), path)
        if isinstance(result, Response):
            return result
        return json_response(result, content_type=CONTENT_TYPE)

    def error(self, exc: WeiboError, path: str) -> Response:
        payload: dict[str, Any]
        if exc.oauth:
            payload = {
                "error": exc.text,
                "error_code": exc.code,
                "request": path,
                "error_uri": path,
                "error_description": exc.description or exc.text,
            }
        else:
            payload = {"request": path, "error_code": str(exc.code), "error": exc.text}
            if exc.description:
                payload["error"] = f"{exc.text} {exc.description}"
        return json_response(payload, status=exc.status, content_type=CONTENT_TYPE)

    def fault_response(self, code: int, path: str, message: str | None = None) -> Response:
        exc = WeiboError(code, status=403 if code in (10022, 10023, 10024, 21327, 21332) else 400)
        if message:
            exc.text = message
        return self.error(exc, path)

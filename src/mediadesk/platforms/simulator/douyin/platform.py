"""The simulated Douyin open API, served under ``/douyin`` (mirroring
``https://open.douyin.com``): OAuth, video upload/create/list/data, item data, comments.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from .. import ids
from ..clock import Clock
from ..config import SimulatorConfig
from ..http import Request, Response, Router, json_response
from . import comments, oauth, video
from .context import DCtx
from .state import DouyinError, DouyinState

CONTENT_TYPE = "application/json; charset=utf-8"


class DouyinPlatform:
    name = "douyin"
    prefix = "/douyin"

    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.router = Router()
        for module in (oauth, video, comments):
            for path, methods, handler, kind in module.ROUTES:
                self.router.add(path, methods, handler, kind=kind)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.state = DouyinState(apps={app.key: app for app in self.config.douyin_apps})

    def ctx(self, request: Request) -> DCtx:
        return DCtx(request=request, state=self.state, config=self.config, now=self.clock.now())

    def ctx_for_control(self) -> DCtx:
        """A context without a client request, for control-API actions."""
        return self.ctx(Request({"REQUEST_METHOD": "POST"}))

    def handle(self, request: Request, path: str) -> Response:
        route = self.router.match(path)
        if route is None:
            return self.envelope(
                DouyinError(2100005, f"simulator does not serve {path}"), "api", status=404
            )
        kind = route.meta["kind"]
        if request.method not in route.methods:
            return self.envelope(DouyinError(2100005, "method not allowed"), kind, status=405)
        with self.lock:
            try:
                result = route.handler(self.ctx(request))
            except DouyinError as exc:
                return self.envelope(exc, kind)
        if isinstance(result, Response):
            return result
        if kind == "oauth":
            return json_response(result, content_type=CONTENT_TYPE)
        return json_response(
            {"data": {**result, "error_code": 0, "description": ""}, "extra": self._extra(0, "")},
            content_type=CONTENT_TYPE,
        )

    def _extra(self, code: int, description: str) -> dict[str, Any]:
        return {
            "error_code": code,
            "description": description,
            "sub_error_code": 0,
            "sub_description": "",
            "logid": time.strftime("%Y%m%d%H%M%S") + ids.hex_id(18).upper(),
            "now": int(self.clock.now() * 1000),
        }

    def envelope(self, exc: DouyinError, kind: str, status: int = 200) -> Response:
        data = {"error_code": exc.code, "description": exc.description}
        if kind == "oauth":
            payload: dict[str, Any] = {"data": data, "message": "error"}
        else:
            payload = {"data": data, "extra": self._extra(exc.code, exc.description)}
        return json_response(payload, status=status, content_type=CONTENT_TYPE)

    def fault_response(self, code: int, path: str, message: str | None = None) -> Response:
        route = self.router.match(path)
        kind = route.meta["kind"] if route else "api"
        return self.envelope(DouyinError(code, message or ""), kind)

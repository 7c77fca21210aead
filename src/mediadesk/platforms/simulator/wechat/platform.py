"""The simulated WeChat Official Account API: routing, the envelope and the checks every
call goes through, in WeChat's order — method (43001/43002), token (41001/40001/40014/42001),
account permission (48001 for unverified accounts on publish, mass-send, comment and datacube
paths), daily quota (45009) — before the endpoint's own rules.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from ..clock import Clock
from ..config import SimulatorConfig
from ..http import Request, Response, Router, json_response
from ..ids import Counter
from ..push import Pusher
from . import (
    comments,
    datacube,
    drafts,
    mass,
    material,
    menu,
    publish,
    quota,
    tokens,
    users,
)
from .account import Account
from .context import Ctx
from .errors import ERRMSG, WeChatError, new_rid

CONTENT_TYPE = "application/json; encoding=utf-8"
RID_MEMORY = 10_000
MODULES = (tokens, quota, material, drafts, publish, mass, menu, comments, users, datacube)


def misc_routes() -> list[tuple[str, str, Any, dict[str, Any]]]:
    ips = {"ip_list": ["101.226.103.0/25", "101.226.233.128/25", "58.247.206.128/25"]}
    return [
        ("/cgi-bin/getcallbackip", "GET", lambda ctx: dict(ips), {}),
        ("/cgi-bin/get_api_domain_ip", "GET", lambda ctx: dict(ips), {}),
    ]


class WeChatPlatform:
    name = "wechat"

    def __init__(self, config: SimulatorConfig, clock: Clock, pusher: Pusher) -> None:
        self.config = config
        self.clock = clock
        self.pusher = pusher
        self.lock = threading.RLock()
        self.router = Router()
        for module in MODULES:
            for path, method, handler, meta in module.ROUTES:
                self.router.add(path, [method], handler, **meta)
        for path, method, handler, meta in misc_routes():
            self.router.add(path, [method], handler, **meta)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            # Copies, so /_sim/wechat/account changes end with a reset instead of leaking on.
            self.accounts = {app.appid: Account(replace(app)) for app in self.config.apps}
            self.tokens: dict[str, Any] = {}
            self.rids: OrderedDict[str, dict[str, Any]] = OrderedDict()
            self.publish_ids = Counter(2_247_483_650)
            self.msg_data_ids = Counter(2_247_484_000)
            self.msg_ids = Counter(1_000_000_001)
            self.menu_ids = Counter(208_396_938)
            self.pending: dict[tuple[str, str, str], float] = {}

    # -- requests -------------------------------------------------------------------------
    def handle(self, request: Request, path: str | None = None) -> Response:
        started = time.monotonic()
        route = self.router.match(path or request.path)
        if route is None:
            return json_response(
                {
                    "errcode": 48001,
                    "errmsg": f"api unauthorized (simulator does not serve "
                    f"{request.path}) rid: {new_rid(self.clock.now())}",
                },
                status=404,
                content_type=CONTENT_TYPE,
            )
        with self.lock:
            now = self.clock.now()
            self.run_due_locked(now)
            ctx = Ctx(request=request, platform=self, now=now)
            try:
                if request.method not in route.methods:
                    raise WeChatError(43002 if "POST" in route.methods else 43001)
                if route.meta.get("auth", True):
                    ctx.account_ = tokens.resolve(ctx)
                    if route.meta.get("verified") and not ctx.account_.verified:
                        raise WeChatError(48001)
                    if route.meta.get("quota", True):
                        quota.consume(ctx, ctx.account_, route.path)
                result = route.handler(ctx)
            except WeChatError as exc:
                appid = ctx.account_.appid if ctx.account_ else None
                return self.error(exc, request, appid, started)
        if isinstance(result, Response):
            return result
        return json_response(result, content_type=CONTENT_TYPE)

    def error(
        self,
        exc: WeChatError,
        request: Request | None = None,
        appid: str | None = None,
        started: float | None = None,
    ) -> Response:
        now = self.clock.now()
        rid = new_rid(now)
        payload = {"errcode": exc.code, "errmsg": f"{exc.message} rid: {rid}", **exc.extra}
        response = json_response(payload, content_type=CONTENT_TYPE)
        if request is not None:
            with self.lock:
                self.rids[rid] = {
                    "appid": appid,
                    "invoke_time": int(now),
                    "cost_in_ms": int((time.monotonic() - (started or time.monotonic())) * 1000),
                    "request_url": f"{request.path}?{request.query_string}".rstrip("?"),
                    "request_body": request.body[:4096].decode("utf-8", "replace")
                    if not request.is_multipart
                    else "",
                    "response_body": response.body.decode("utf-8"),
                    "client_ip": request.remote_addr,
                }
                while len(self.rids) > RID_MEMORY:
                    self.rids.popitem(last=False)
        return response

    def fault_response(self, errcode: int, errmsg: str | None = None) -> Response:
        """The envelope for an injected errcode; state is not touched."""
        text = errmsg or ERRMSG.get(errcode, "unknown error")
        payload = {"errcode": errcode, "errmsg": f"{text} rid: {new_rid(self.clock.now())}"}
        return json_response(payload, content_type=CONTENT_TYPE)

    # -- jobs and pushes ----------------------------------------------------------------------
    def push(self, account: Account, xml: str, *, kind: str, ref: str | None = None) -> None:
        self.pusher.submit(
            self.config.callback_for(account.app),
            appid=account.appid,
            original_id=account.original_id,
            xml=xml,
            kind=kind,
            ref=ref,
            openid=account.mass_assistant_openid,
        )

    def schedule(self, account: Account, kind: str, job_id: str, due_at: float) -> None:
        """Remember a job to finish at ``due_at`` ("publish" or "mass")."""
        self.pending[(account.appid, kind, job_id)] = due_at

    def run_due_locked(self, now: float) -> None:
        """Finish every publish and mass-send job whose time has come (caller holds the lock)."""
        for key, due in sorted(self.pending.items(), key=lambda kv: kv[1]):
            if now < due:
                continue
            del self.pending[key]
            appid, kind, job_id = key
            account = self.accounts[appid]
            # A job finishes at its due time on the simulator clock, whenever we notice.
            if kind == "publish":
                job = account.publish_jobs[job_id]
                if job.status == 1 and job.finished_at is None:
                    publish.finish_job(self, account, job, due)
            else:
                mjob = account.mass_jobs[int(job_id)]
                if mjob.status == "SENDING":
                    mass.finish_job(self, account, mjob, due)

    def finish_now(
        self,
        *,
        publish_id: str | None = None,
        msg_id: int | None = None,
        publish_status: int | None = None,
        fail_idx: list[int] | None = None,
    ) -> bool:
        """Make a pending job due now (control API); optionally choose its outcome."""
        with self.lock:
            now = self.clock.now()
            for appid, kind, job_id in list(self.pending):
                account = self.accounts[appid]
                if kind == "publish" and job_id == publish_id:
                    job = account.publish_jobs[job_id]
                    if publish_status is not None:
                        job.outcome = (publish_status, list(fail_idx or []))
                    self.pending[(appid, kind, job_id)] = now
                elif kind == "mass" and msg_id is not None and job_id == str(msg_id):
                    self.pending[(appid, kind, job_id)] = now
                else:
                    continue
                self.run_due_locked(now)
                return True
        return False

    def run_due(self) -> None:
        with self.lock:
            self.run_due_locked(self.clock.now())

    def account(self, appid: str) -> Account:
        account = self.accounts.get(appid)
        if account is None:
            raise KeyError(f"no WeChat app {appid!r}")
        return account

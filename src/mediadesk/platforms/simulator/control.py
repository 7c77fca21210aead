"""The control API under ``/_sim/``: what tests and demos use to steer the simulator.

Never called by product code. Bodies are JSON; answers are plain JSON (HTTP 400 with
``{"error"}`` for a bad request). The payloads are documented in README.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .faults import FaultSpecError
from .http import BodyError, Request, Response, Router, json_response
from .wechat import tokens as wechat_tokens
from .wechat.comments import add_comment as wechat_comment
from .wechat.events import render_message
from .wechat.publish import status_body

if TYPE_CHECKING:
    from .server import Simulator


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _body(request: Request) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        data = request.json()
    except BodyError as exc:
        raise ControlError("the body must be JSON") from exc
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


def _need(body: dict[str, Any], *names: str) -> None:
    missing = [n for n in names if body.get(n) in (None, "")]
    if missing:
        raise ControlError(f"missing: {', '.join(missing)}")


class Control:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.router = Router()
        routes: list[tuple[str, tuple[str, ...], Callable[[Request], Any]]] = [
            ("/_sim/health", ("GET",), self.health),
            ("/_sim/requests", ("GET", "DELETE"), self.requests),
            ("/_sim/faults", ("GET", "POST", "DELETE"), self.faults),
            ("/_sim/reset", ("POST",), self.reset),
            ("/_sim/clock", ("GET",), self.clock),
            ("/_sim/clock/advance", ("POST",), self.advance),
            ("/_sim/posts", ("GET",), self.posts),
            ("/_sim/jobs", ("GET",), self.jobs),
            ("/_sim/jobs/finish", ("POST",), self.finish_job),
            ("/_sim/pushes", ("GET",), self.pushes),
            ("/_sim/comments", ("POST",), self.add_comment),
            ("/_sim/wechat/expire_tokens", ("POST",), self.expire_tokens),
            ("/_sim/wechat/account", ("POST",), self.set_account),
            ("/_sim/wechat/quota", ("POST",), self.set_quota),
            ("/_sim/wechat/publish_outcome", ("POST",), self.publish_outcome),
            ("/_sim/wechat/push", ("POST",), self.push_message),
        ]
        for path, methods, handler in routes:
            self.router.add(path, methods, handler)

    def handle(self, request: Request) -> Response:
        route = self.router.match(request.path)
        if route is None:
            paths = self.router.paths()
            return json_response({"error": "no such control endpoint", "paths": paths}, 404)
        if request.method not in route.methods:
            return json_response({"error": f"use {', '.join(sorted(route.methods))}"}, 405)
        try:
            return json_response(route.handler(request))
        except ControlError as exc:
            return json_response({"error": str(exc)}, exc.status)
        except KeyError as exc:
            return json_response({"error": str(exc.args[0])}, 404)

    # -- general ----------------------------------------------------------------------------
    def health(self, request: Request) -> dict[str, Any]:
        sim = self.sim
        return {
            "ok": True,
            "now": sim.clock.now(),
            "base_url": sim.base_url,
            "wechat_apps": sorted(sim.wechat.accounts),
            "weibo_apps": sorted(sim.weibo.state.apps),
            "douyin_apps": sorted(sim.douyin.state.apps),
        }

    def requests(self, request: Request) -> dict[str, Any]:
        if request.method == "DELETE":
            self.sim.requests.clear()
            return {"ok": True}
        q = request.query
        since = int(q["since"]) if q.get("since", "").isdigit() else 0
        entries = self.sim.requests.entries(
            platform=q.get("platform") or None,
            path=q.get("path") or None,
            method=q.get("method") or None,
            since=since,
        )
        if q.get("summary"):  # counts only: cheap even for a log of 100,000 requests
            return {"count": len(entries), "paths": dict(Counter(e.path for e in entries))}
        return {"requests": [e.to_dict() for e in entries]}

    def faults(self, request: Request) -> dict[str, Any]:
        if request.method == "DELETE":
            self.sim.faults.clear()
            return {"ok": True}
        if request.method == "POST":
            body = _body(request)
            specs = body.get("faults", [body])
            try:
                added = [self.sim.faults.add(dict(spec)).to_dict() for spec in specs]
            except FaultSpecError as exc:
                raise ControlError(str(exc)) from exc
            return {"faults": added}
        return {"faults": [f.to_dict() for f in self.sim.faults.list()]}

    def reset(self, request: Request) -> dict[str, Any]:
        self.sim.reset()
        return {"ok": True}

    def clock(self, request: Request) -> dict[str, Any]:
        return {"now": self.sim.clock.now()}

    def advance(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        try:
            now = self.sim.clock.advance(float(body.get("seconds", 0)))
        except (TypeError, ValueError) as exc:
            raise ControlError(f"seconds: {exc}") from exc
        self.sim.tick()
        return {"now": now}

    # -- posts, jobs, pushes ------------------------------------------------------------------
    def posts(self, request: Request) -> dict[str, Any]:
        sim = self.sim
        wechat = []
        with sim.wechat.lock:
            for appid, account in sim.wechat.accounts.items():
                for p in account.publications.values():
                    wechat.append(
                        {
                            "appid": appid,
                            "channel": p.channel,
                            "article_id": p.article_id,
                            "msg_data_id": p.msg_data_id,
                            "publish_id": p.publish_id,
                            "msg_id": p.msg_id,
                            "create_time": p.create_time,
                            "items": [
                                {
                                    "title": i["title"],
                                    "url": i["url"],
                                    "is_deleted": i["is_deleted"],
                                }
                                for i in p.items
                            ],
                        }
                    )
            drafts = [
                {"appid": appid, "media_id": d.media_id, "titles": [a["title"] for a in d.articles]}
                for appid, account in sim.wechat.accounts.items()
                for d in account.drafts.values()
            ]
        with sim.weibo.lock:
            weibo = [
                {
                    "id": s.id,
                    "uid": s.uid,
                    "app_key": s.app_key,
                    "text": s.text,
                    "created_at": s.created_at,
                    "deleted": s.deleted,
                }
                for s in sim.weibo.state.statuses.values()
            ]
        with sim.douyin.lock:
            now = sim.clock.now()
            douyin = [
                {
                    "item_id": i.item_id,
                    "open_id": i.open_id,
                    "client_key": i.client_key,
                    "text": i.text,
                    "created_at": i.created_at,
                    "is_reviewed": now >= i.reviewed_at,
                }
                for i in sim.douyin.state.items.values()
            ]
        return {"wechat": wechat, "wechat_drafts": drafts, "weibo": weibo, "douyin": douyin}

    def jobs(self, request: Request) -> dict[str, Any]:
        sim = self.sim
        sim.tick()
        publish, mass = [], []
        with sim.wechat.lock:
            for appid, account in sim.wechat.accounts.items():
                for job in account.publish_jobs.values():
                    publish.append(
                        {
                            "appid": appid,
                            **status_body(account, job),
                            "msg_data_id": job.msg_data_id,
                            "draft_media_id": job.draft_media_id,
                            "submitted_at": job.submitted_at,
                            "due_at": job.due_at,
                            "finished_at": job.finished_at,
                        }
                    )
                for m in account.mass_jobs.values():
                    mass.append(
                        {
                            "appid": appid,
                            "msg_id": m.msg_id,
                            "msg_data_id": m.msg_data_id,
                            "msg_status": m.status,
                            "msgtype": m.msgtype,
                            "clientmsgid": m.clientmsgid,
                            "total_count": m.total_count,
                            "created_at": m.created_at,
                            "due_at": m.due_at,
                            "finished_at": m.finished_at,
                        }
                    )
        return {"publish": publish, "mass": mass}

    def finish_job(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        if not (body.get("publish_id") or body.get("msg_id")):
            raise ControlError("give publish_id or msg_id")
        status = body.get("publish_status")
        done = self.sim.wechat.finish_now(
            publish_id=str(body["publish_id"]) if body.get("publish_id") else None,
            msg_id=int(body["msg_id"]) if body.get("msg_id") else None,
            publish_status=None if status is None else int(status),
            fail_idx=[int(i) for i in body.get("fail_idx", [])],
        )
        if not done:
            raise ControlError("no such pending job", 404)
        return {"ok": True}

    def pushes(self, request: Request) -> dict[str, Any]:
        return {"pushes": [p.to_dict() for p in self.sim.pusher.records()]}

    def add_comment(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        platform = body.get("platform", "wechat")
        sim = self.sim
        if platform == "wechat":
            _need(body, "appid", "msg_data_id", "content")
            with sim.wechat.lock:
                account = sim.wechat.account(str(body["appid"]))
                openid = str(body.get("openid") or (account.followers or [""])[0])
                comment = wechat_comment(
                    account,
                    str(body["msg_data_id"]),
                    int(body.get("index", 0)),
                    str(body["content"]),
                    openid,
                    sim.clock.now(),
                )
            return {"user_comment_id": comment.user_comment_id, "openid": comment.openid}
        if platform == "weibo":
            _need(body, "status_id", "text")
            from .weibo.posts import add_comment as weibo_comment

            with sim.weibo.lock:
                ctx = sim.weibo.ctx_for_control()
                uid = int(body["uid"]) if body.get("uid") else None
                c = weibo_comment(ctx, int(body["status_id"]), str(body["text"]), uid)
            return {"id": c.id}
        if platform == "douyin":
            _need(body, "item_id", "content")
            from .douyin.comments import add_comment as douyin_comment

            with sim.douyin.lock:
                ctx = sim.douyin.ctx_for_control()
                d = douyin_comment(
                    ctx, str(body["item_id"]), str(body["content"]), body.get("user_id")
                )
            return {"comment_id": d.comment_id}
        raise ControlError("platform must be wechat, weibo or douyin")

    # -- WeChat knobs --------------------------------------------------------------------------
    def expire_tokens(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        kind = body.get("kind", "all")
        if kind not in ("all", "token", "stable"):
            raise ControlError("kind must be all, token or stable")
        with self.sim.wechat.lock:
            count = wechat_tokens.expire(
                self.sim.wechat, body.get("appid"), kind, self.sim.clock.now()
            )
        return {"expired": count}

    def set_account(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        _need(body, "appid")
        with self.sim.wechat.lock:
            app = self.sim.wechat.account(str(body["appid"])).app
            if "verified" in body:
                app.verified = bool(body["verified"])
            if "account_type" in body:
                if body["account_type"] not in ("service", "subscription"):
                    raise ControlError("account_type must be service or subscription")
                app.account_type = body["account_type"]
            if "ip_whitelist" in body:
                app.ip_whitelist = body["ip_whitelist"]
            return {
                "appid": app.appid,
                "verified": app.verified,
                "account_type": app.account_type,
                "ip_whitelist": app.ip_whitelist,
            }

    def set_quota(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        _need(body, "appid", "path", "daily_limit")
        with self.sim.wechat.lock:
            account = self.sim.wechat.account(str(body["appid"]))
            account.quota_limits[str(body["path"]).rstrip("/")] = int(body["daily_limit"])
        return {"ok": True}

    def publish_outcome(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        _need(body, "appid", "publish_status")
        status = int(body["publish_status"])
        if status not in (0, 2, 3, 4):
            raise ControlError("publish_status must be 0, 2, 3 or 4")
        outcome = (status, [int(i) for i in body.get("fail_idx", [])])
        with self.sim.wechat.lock:
            account = self.sim.wechat.account(str(body["appid"]))
            account.publish_outcomes.extend([outcome] * int(body.get("times", 1)))
        return {"queued": len(account.publish_outcomes)}

    def push_message(self, request: Request) -> dict[str, Any]:
        body = _body(request)
        _need(body, "appid")
        sim = self.sim
        with sim.wechat.lock:
            account = sim.wechat.account(str(body["appid"]))
            callback = sim.config.callback_for(account.app)
            if body.get("xml"):
                xml = str(body["xml"])
                openid = body.get("openid")
            else:
                message = dict(body.get("message") or {})
                openid = str(message.get("FromUserName") or account.followers[0])
                fields = {
                    "ToUserName": account.original_id,
                    "FromUserName": openid,
                    "CreateTime": int(sim.clock.now()),
                    "MsgType": "text",
                    **message,
                }
                if fields["MsgType"] != "event" and "MsgId" not in fields:
                    fields["MsgId"] = sim.wechat.msg_ids.next() * 1000
                xml = render_message(fields)
            kind = str(body.get("kind") or "message")
        if callback is None:
            raise ControlError("no callback is configured for this app")
        record = sim.pusher.submit(
            callback,
            appid=account.appid,
            original_id=account.original_id,
            xml=xml,
            kind=kind,
            openid=openid,
            wait=True,
        )
        return record.to_dict()

"""Injected faults and the request log that witnesses what was really created."""

from __future__ import annotations

import httpx
import pytest

from mediadesk.platforms.simulator import Simulator

from .conftest import APPID, SECRET
from .test_simulator_wechat_rules import WeChat

SUBMIT = "/cgi-bin/freepublish/submit"


def fault(http: httpx.Client, **spec: object) -> dict[str, object]:
    r = http.post("/_sim/faults", json=spec)
    assert r.status_code == 200, r.text
    return r.json()["faults"][0]


def test_errcode_fault_for_the_next_n_calls(http: httpx.Client) -> None:
    wx = WeChat(http)
    draft = wx.draft()
    fault(http, kind="errcode", path=SUBMIT, errcode=-1, times=2)
    for _ in range(2):
        body = wx.post(SUBMIT, {"media_id": draft})
        assert body["errcode"] == -1 and str(body["errmsg"]).startswith("system error rid: ")
    assert wx.post(SUBMIT, {"media_id": draft})["errcode"] == 0  # the third goes through
    jobs = http.get("/_sim/jobs").json()["publish"]
    assert len(jobs) == 1  # the failed calls created nothing
    log = http.get("/_sim/requests", params={"path": SUBMIT}).json()["requests"]
    assert [e["fault"] for e in log] == ["errcode", "errcode", None]
    assert http.get("/_sim/faults").json() == {"faults": []}


def test_http_status_and_latency(http: httpx.Client) -> None:
    wx = WeChat(http)
    fault(http, kind="http_status", path="/cgi-bin/draft/*", status=502, times=1)
    fault(http, kind="latency", path="*", latency_ms=20, times=None)
    r = http.get("/cgi-bin/draft/count", params={"access_token": wx.token})
    assert r.status_code == 502 and r.headers["content-type"] == "text/html"
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}
    remaining = http.get("/_sim/faults").json()["faults"]
    assert [(f["kind"], f["hits"]) for f in remaining] == [("latency", 2)]
    assert http.delete("/_sim/faults").json() == {"ok": True}


def test_a_hang_that_still_creates_the_post(sim: Simulator, http: httpx.Client) -> None:
    """The reconcile case: the client times out, yet the platform did the work."""
    wx = WeChat(http)
    draft = wx.draft()
    fault(http, kind="hang", path=SUBMIT, seconds=0.8, process=True)
    with pytest.raises(httpx.ReadTimeout):
        http.post(SUBMIT, params={"access_token": wx.token}, json={"media_id": draft}, timeout=0.3)
    # the request log is the witness: one submit, answered successfully, after the client left
    for _ in range(100):
        log = http.get("/_sim/requests", params={"path": SUBMIT}).json()["requests"]
        if log and log[0]["status"] is not None:
            break
        sim.stopping.wait(0.05)
    (entry,) = log
    assert entry["fault"] == "hang" and entry["response"]["errcode"] == 0
    assert entry["body"] == {"media_id": draft}
    assert len(http.get("/_sim/jobs").json()["publish"]) == 1


def test_a_hang_without_processing_changes_nothing(http: httpx.Client) -> None:
    wx = WeChat(http)
    draft = wx.draft()
    fault(http, kind="hang", path=SUBMIT, seconds=0.1, process=False)
    r = http.post(SUBMIT, params={"access_token": wx.token}, json={"media_id": draft})
    assert r.status_code == 504
    assert http.get("/_sim/jobs").json()["publish"] == []


def test_stop_wakes_hung_requests(clock: object) -> None:
    from .conftest import config

    sim = Simulator(config(), clock=clock)  # type: ignore[arg-type]
    base = sim.start()
    with httpx.Client(base_url=base) as http:
        fault(http, kind="hang", path="/cgi-bin/draft/count", seconds=60)
        with pytest.raises(httpx.HTTPError):
            http.get("/cgi-bin/draft/count", timeout=0.2)
    sim.stop()  # returns promptly although a worker sleeps in a 60 s hang


def test_errcode_faults_use_each_platforms_envelope(http: httpx.Client) -> None:
    fault(http, kind="errcode", path="/weibo/2/statuses/share.json", errcode=10023)
    r = http.post("/weibo/2/statuses/share.json", data={"status": "x"})
    assert r.status_code == 403
    assert r.json() == {
        "request": "/2/statuses/share.json",
        "error_code": "10023",
        "error": "User requests out of rate limit!",
    }
    fault(http, kind="errcode", path="/douyin/api/douyin/v1/video/video_list/", errcode=2100004)
    body = http.get("/douyin/api/douyin/v1/video/video_list/").json()
    assert body["data"] == {"error_code": 2100004, "description": "系统繁忙，请稍后重试"}
    assert body["extra"]["error_code"] == 2100004


def test_bad_fault_specs_are_refused(http: httpx.Client) -> None:
    assert http.post("/_sim/faults", json={"kind": "explode"}).status_code == 400
    assert http.post("/_sim/faults", json={"kind": "errcode"}).status_code == 400
    assert http.post("/_sim/faults", json={"kind": "latency", "times": 0}).status_code == 400


def test_request_log_masks_secrets_and_records_payloads(http: httpx.Client) -> None:
    wx = WeChat(http)
    wx.draft(title="日志里的标题")
    log = http.get("/_sim/requests", params={"platform": "wechat"}).json()["requests"]
    token_call = log[0]
    assert token_call["path"] == "/cgi-bin/token"
    assert token_call["query"]["secret"] == "***"
    assert token_call["query"]["appid"] == APPID
    assert token_call["response"]["access_token"] == "***" + wx.token[-6:]
    assert SECRET not in str(log) and wx.token not in str(log)
    upload = next(e for e in log if e["path"] == "/cgi-bin/material/add_material")
    assert upload["body"]["files"]["media"]["size"] > 0
    add = next(e for e in log if e["path"] == "/cgi-bin/draft/add")
    assert add["body"]["articles"][0]["title"] == "日志里的标题"
    assert add["method"] == "POST" and add["status"] == 200
    since = log[-1]["id"]
    wx.get("/cgi-bin/draft/count")
    newer = http.get("/_sim/requests", params={"since": since}).json()["requests"]
    assert [e["path"] for e in newer] == ["/cgi-bin/draft/count"]
    assert http.post("/_sim/reset").json() == {"ok": True}
    assert http.get("/_sim/requests").json() == {"requests": []}
    assert http.get("/_sim/posts").json()["wechat_drafts"] == []


def test_request_log_summary_counts_requests_per_path(http: httpx.Client) -> None:
    wx = WeChat(http)
    wx.draft()
    wx.draft()
    summary = http.get("/_sim/requests", params={"summary": "1"}).json()
    assert summary["paths"]["/cgi-bin/draft/add"] == 2
    assert summary["count"] == sum(summary["paths"].values())
    only = http.get("/_sim/requests", params={"summary": "1", "path": "/cgi-bin/draft/add"}).json()
    assert only == {"count": 2, "paths": {"/cgi-bin/draft/add": 2}}


def test_concurrent_creates_are_each_recorded_once(sim: Simulator, http: httpx.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wx = WeChat(http)
    cover = wx.cover()
    fault(http, kind="latency", path="/cgi-bin/draft/add", latency_ms=50, times=None)

    def add(n: int) -> str:
        body = {"articles": [{"title": f"并发{n}", "content": "<p>x</p>", "thumb_media_id": cover}]}
        r = http.post("/cgi-bin/draft/add", params={"access_token": wx.token}, json=body)
        return str(r.json()["media_id"])

    with ThreadPoolExecutor(max_workers=32) as pool:
        media_ids = list(pool.map(add, range(120)))
    assert len(set(media_ids)) == 120
    log = http.get("/_sim/requests", params={"path": "/cgi-bin/draft/add"}).json()["requests"]
    assert sorted(e["body"]["articles"][0]["title"] for e in log) == sorted(
        f"并发{n}" for n in range(120)
    )
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 120}

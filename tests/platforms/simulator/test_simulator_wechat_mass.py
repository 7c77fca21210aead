"""Mass send (群发): clientmsgid idempotency, account-type quotas, jobs and datacube."""

from __future__ import annotations

from datetime import timedelta

import httpx

from mediadesk.platforms.simulator import ManualClock, Simulator
from mediadesk.platforms.simulator.clock import china_date

from .conftest import SUBSCRIPTION
from .test_simulator_wechat_rules import WeChat

SENDALL = "/cgi-bin/message/mass/sendall"


def mpnews(media_id: str, clientmsgid: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "filter": {"is_to_all": True},
        "msgtype": "mpnews",
        "mpnews": {"media_id": media_id},
        "send_ignore_reprint": 0,
    }
    if clientmsgid:
        body["clientmsgid"] = clientmsgid
    return body


def text(content: str = "通知") -> dict[str, object]:
    return {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": content}}


def test_clientmsgid_makes_a_resend_safe(
    http: httpx.Client, sim: Simulator, clock: ManualClock
) -> None:
    wx = WeChat(http)
    draft = wx.draft(title="年终回顾")
    first = wx.post(SENDALL, mpnews(draft, "campaign-2026-01"))
    assert first["errcode"] == 0 and first["errmsg"] == "send job submission success"
    assert isinstance(first["msg_id"], int) and isinstance(first["msg_data_id"], int)

    too_fast = wx.post(SENDALL, mpnews(draft, "campaign-2026-01"))
    assert too_fast["errcode"] == 45066
    clock.advance(61)
    again = wx.post(SENDALL, mpnews(draft, "campaign-2026-01"))
    assert again["errcode"] == 45065
    assert again["msg_id"] == first["msg_id"] and again["msg_data_id"] == first["msg_data_id"]

    sent = http.get("/_sim/requests", params={"path": SENDALL}).json()["requests"]
    assert len(sent) == 3
    assert {r["body"]["clientmsgid"] for r in sent} == {"campaign-2026-01"}
    jobs = http.get("/_sim/jobs").json()["mass"]
    assert [j["msg_id"] for j in jobs] == [first["msg_id"]]  # one job, not three
    assert jobs[0]["msg_status"] == "SEND_SUCCESS"  # 61 s > publish_delay
    status = wx.post("/cgi-bin/message/mass/get", {"msg_id": first["msg_id"]})
    assert status == {"msg_id": first["msg_id"], "msg_status": "SEND_SUCCESS"}
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}  # mass-sent drafts leave
    assert wx.post(SENDALL, {**text(), "clientmsgid": "x" * 65})["errcode"] == 45067


def test_service_account_gets_four_mass_sends_a_month(
    http: httpx.Client, clock: ManualClock
) -> None:
    wx = WeChat(http)
    for n in range(4):
        assert wx.post(SENDALL, text(f"第{n}次"))["errcode"] == 0
    assert wx.post(SENDALL, text("第五次"))["errcode"] == 45028
    assert (
        wx.post(
            "/cgi-bin/message/mass/preview",
            {"touser": "o" * 28, "msgtype": "text", "text": {"content": "预览"}},
        )["errmsg"]
        == "preview success"
    )  # previews are not mass sends
    clock.advance(31 * 86400)  # next month
    wx.refresh()
    assert wx.post(SENDALL, text("下个月"))["errcode"] == 0


def test_subscription_account_gets_one_a_day(http: httpx.Client, clock: ManualClock) -> None:
    wx = WeChat(http, SUBSCRIPTION)
    assert wx.post(SENDALL, text())["errcode"] == 0
    assert wx.post(SENDALL, text())["errcode"] == 45028
    clock.advance(86400)
    wx.refresh()
    assert wx.post(SENDALL, text())["errcode"] == 0


def test_mass_sent_articles_reach_datacube_the_next_day(
    http: httpx.Client, clock: ManualClock
) -> None:
    wx = WeChat(http)
    sent_day = china_date(clock.now())
    first = wx.post(SENDALL, mpnews(wx.draft(title="发布会回顾")))
    published = wx.draft(title="只发布不群发")
    wx.post("/cgi-bin/freepublish/submit", {"media_id": published})
    clock.advance(86400)
    wx.refresh()
    day = sent_day.isoformat()
    rows = wx.post("/datacube/getarticlesummary", {"begin_date": day, "end_date": day})["list"]
    ours = [r for r in rows if r["msgid"] == f"{first['msg_data_id']}_1"]
    assert len(ours) == 1 and ours[0]["title"] == "发布会回顾"
    assert all(r["title"] != "只发布不群发" for r in rows)  # publishing is not counted
    total = wx.post("/datacube/getarticletotal", {"begin_date": day, "end_date": day})["list"]
    details = next(r for r in total if r["msgid"] == f"{first['msg_data_id']}_1")["details"]
    assert [d["stat_date"] for d in details] == [day]
    week = (sent_day - timedelta(days=6)).isoformat()
    assert (
        wx.post("/datacube/getarticlesummary", {"begin_date": week, "end_date": day})["errcode"]
        == 61501
    )
    assert (
        wx.post("/datacube/getusersummary", {"begin_date": "2025/12/01", "end_date": day})[
            "errcode"
        ]
        == 61500
    )

"""Job-finished pushes reach the callback URL signed as WeChat signs them (and encrypted in
safe mode); a tiny local HTTP server plays the product's callback endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from mediadesk.platforms.simulator import CallbackConfig, ManualClock, Simulator
from mediadesk.platforms.simulator.push import _encrypt_with_cryptography

from .conftest import APPID, Receiver, config
from .test_simulator_wechat_rules import WeChat

TOKEN = "callbacktoken123"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


@pytest.fixture
def started(
    clock: ManualClock, receiver: Receiver, request: pytest.FixtureRequest
) -> Iterator[tuple[Simulator, httpx.Client]]:
    aes_key = getattr(request, "param", None)
    callback = CallbackConfig(receiver.url, TOKEN, aes_key)
    sim = Simulator(config(callback=callback, callback_retries=2), clock=clock)
    base = sim.start()
    with httpx.Client(base_url=base, timeout=10) as http:
        yield sim, http
    sim.stop()


def delivered(http: httpx.Client) -> dict[str, object]:
    """The first push record once the simulator has seen the receiver's answer."""
    for _ in range(200):
        record = http.get("/_sim/pushes").json()["pushes"][0]
        if record["delivered"]:
            break
        time.sleep(0.02)
    return record


def publish_one(http: httpx.Client, clock: ManualClock) -> dict[str, object]:
    wx = WeChat(http)
    submitted = wx.post("/cgi-bin/freepublish/submit", {"media_id": wx.draft(title="推送测试")})
    clock.advance(2)
    status = wx.post("/cgi-bin/freepublish/get", {"publish_id": submitted["publish_id"]})
    assert status["publish_status"] == 0
    return status


def test_publish_job_pushes_a_signed_event(
    started: tuple[Simulator, httpx.Client], receiver: Receiver, clock: ManualClock
) -> None:
    _, http = started
    status = publish_one(http, clock)
    (push,) = receiver.wait_for(1)
    q = push.query
    assert check_signature(TOKEN, q["signature"], q["timestamp"], q["nonce"]) is None
    assert "encrypt_type" not in q
    xml = xmltodict.parse(push.body)["xml"]
    assert xml["MsgType"] == "event" and xml["Event"] == "PUBLISHJOBFINISH"
    assert q["openid"] == xml["FromUserName"]
    info = xml["PublishEventInfo"]
    assert info["publish_id"] == status["publish_id"]
    assert info["publish_status"] == "0"
    assert info["article_id"] == status["article_id"]
    assert (
        info["article_detail"]["item"]["article_url"]
        == (status["article_detail"]["item"][0]["article_url"])
    )
    record = delivered(http)
    assert record["delivered"] is True and record["kind"] == "PUBLISHJOBFINISH"


@pytest.mark.parametrize("started", [AES_KEY], indirect=True)
def test_safe_mode_pushes_are_encrypted(
    started: tuple[Simulator, httpx.Client], receiver: Receiver, clock: ManualClock
) -> None:
    sim, http = started
    wx = WeChat(http)
    sent = wx.post(
        "/cgi-bin/message/mass/sendall",
        {
            "filter": {"is_to_all": True},
            "msgtype": "mpnews",
            "mpnews": {"media_id": wx.draft(title="群发推送")},
        },
    )
    clock.advance(2)
    sim.tick()
    (push,) = receiver.wait_for(1)
    q = push.query
    assert q["encrypt_type"] == "aes"
    assert b"<Encrypt>" in push.body and b"MASSSENDJOBFINISH" not in push.body
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    plain = crypto.decrypt_message(push.body, q["msg_signature"], q["timestamp"], q["nonce"])
    message = parse_message(plain)
    assert message.event == "masssendjobfinish"
    xml = xmltodict.parse(plain)["xml"]
    assert xml["MsgID"] == str(sent["msg_id"]) and xml["Status"] == "send success"
    assert int(xml["TotalCount"]) >= int(xml["SentCount"]) > 0
    assert xml["ArticleUrlResult"]["Count"] == "1"


def test_failed_deliveries_are_retried(
    started: tuple[Simulator, httpx.Client], receiver: Receiver, clock: ManualClock
) -> None:
    sim, http = started
    receiver.status = 500
    publish_one(http, clock)
    receiver.wait_for(3)  # the first attempt and callback_retries=2 more
    sim.stop()  # waits for the pusher's last attempt; the records stay readable
    pushes = sim.pusher.records()
    assert len(pushes) == 1
    assert [a["status"] for a in pushes[0].attempts] == [500, 500, 500]
    assert pushes[0].delivered is False
    assert len(receiver.received) == 3
    # the same signed request each time, so the product can drop duplicates
    assert len({r.body for r in receiver.received}) == 1


def test_control_api_drives_a_user_message(
    started: tuple[Simulator, httpx.Client], receiver: Receiver
) -> None:
    _, http = started
    record = http.post(
        "/_sim/wechat/push",
        json={"appid": APPID, "message": {"MsgType": "text", "Content": "你好，请问怎么报名？"}},
    ).json()
    assert record["delivered"] is True and record["response_body"] == "success"
    (push,) = receiver.received
    message = parse_message(push.body)
    assert message.type == "text" and message.content == "你好，请问怎么报名？"
    assert push.query["openid"] == message.source


def test_cryptography_fallback_matches_wechatpy() -> None:
    encrypted = _encrypt_with_cryptography(AES_KEY, APPID, "<xml><A>中文</A></xml>")
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    from wechatpy.crypto import PrpCrypto

    assert PrpCrypto(crypto.key).decrypt(encrypted, APPID) == "<xml><A>中文</A></xml>"

"""The WeChat callback endpoint: signatures, safe mode, duplicates, and what gets recorded —
with hand-built requests and with the simulator's own pushes."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.test import Client
from wechatpy.crypto import WeChatCrypto

from mediadesk.jobs.models import Job
from mediadesk.platforms.bindings import connector_for
from mediadesk.platforms.connectors import MediaFile, MediaKind, PostRequest
from mediadesk.platforms.events import process_event
from mediadesk.platforms.models import EventKind, PlatformEvent
from mediadesk.platforms.simulator import CallbackConfig

from .conftest import AES_KEY, APPID, CALLBACK_TOKEN, ORIGINAL_ID, bound_wechat, poll

TEXT = (
    "<xml><ToUserName><![CDATA[gh_binding_test]]></ToUserName>"
    "<FromUserName><![CDATA[oFollower0001]]></FromUserName>"
    "<CreateTime>1767225600</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[你好，请问几点开门？]]></Content><MsgId>24681357913579</MsgId></xml>"
)
PUBLISHED = (
    "<xml><ToUserName><![CDATA[gh_binding_test]]></ToUserName>"
    "<FromUserName><![CDATA[oMassAssistant]]></FromUserName>"
    "<CreateTime>1767225700</CreateTime><MsgType><![CDATA[event]]></MsgType>"
    "<Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo>"
    "<publish_id>2247483650</publish_id><publish_status>0</publish_status>"
    "<article_id><![CDATA[ARTICLE_1]]></article_id><article_detail><count>1</count>"
    "<item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/a1]]></article_url>"
    "</item></article_detail></PublishEventInfo></xml>"
)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_query(token: str = CALLBACK_TOKEN, timestamp: str = "1767225601") -> dict[str, str]:
    nonce = "13572468"
    return {"timestamp": timestamp, "nonce": nonce, "signature": sign(token, timestamp, nonce)}


def post(account, xml: str, query: dict[str, str]):
    path = f"/callbacks/wechat/{account.pk}/"
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return Client().post(f"{path}?{qs}", xml, content_type="text/xml")


def encrypted(xml: str) -> tuple[str, dict[str, str]]:
    """``xml`` as WeChat sends it in safe mode: the body and the query."""
    query = signed_query()
    crypto = WeChatCrypto(CALLBACK_TOKEN, AES_KEY, APPID)
    reply = crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
    ciphertext = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    body = (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{ciphertext}]]></Encrypt></xml>"
    )
    query |= {
        "encrypt_type": "aes",
        "msg_signature": sign(CALLBACK_TOKEN, query["timestamp"], query["nonce"], ciphertext),
    }
    return body, query


# -- hand-built requests -----------------------------------------------------------------------


@pytest.mark.django_db
def test_url_verification_echoes_echostr():
    account = bound_wechat(callback=True)
    query = signed_query() | {"echostr": "8251297398123"}
    response = Client().get(f"/callbacks/wechat/{account.pk}/", query)
    assert response.status_code == 200 and response.content == b"8251297398123"


@pytest.mark.django_db
def test_url_verification_with_a_bad_signature_is_refused():
    account = bound_wechat(callback=True)
    query = signed_query(token="not-the-token") | {"echostr": "8251297398123"}
    response = Client().get(f"/callbacks/wechat/{account.pk}/", query)
    assert response.status_code == 403 and b"8251297398123" not in response.content


@pytest.mark.django_db
def test_a_signed_message_is_answered_success_and_recorded():
    account = bound_wechat(callback=True)
    response = post(account, TEXT, signed_query())
    assert response.status_code == 200 and response.content == b"success"
    event = PlatformEvent.objects.get(account=account)
    assert (event.kind, event.event_type, event.sender) == (
        EventKind.MESSAGE,
        "text",
        "oFollower0001",
    )


@pytest.mark.django_db
def test_the_push_is_processed_by_a_job_not_inline():
    account = bound_wechat(callback=True)
    post(account, TEXT, signed_query())
    event = PlatformEvent.objects.get(account=account)
    job = Job.objects.get(name="platforms.process_event")
    assert job.payload == {"event_id": event.pk} and event.processed_at is None


@pytest.mark.django_db
def test_a_message_delivered_twice_is_recorded_once():
    account = bound_wechat(callback=True)
    first = post(account, TEXT, signed_query(timestamp="1767225601"))
    again = post(account, TEXT, signed_query(timestamp="1767225606"))  # WeChat's retry
    assert first.content == again.content == b"success"
    assert PlatformEvent.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_a_safe_mode_push_is_decrypted_and_recorded():
    account = bound_wechat(callback=True, aes=True)
    body, query = encrypted(TEXT)
    response = post(account, body, query)
    assert response.content == b"success"
    event = PlatformEvent.objects.get(account=account)
    assert event.encrypted and "请问几点开门" in event.raw


@pytest.mark.django_db
def test_a_bad_signature_is_refused_unrecorded_and_logged_without_secrets(caplog):
    account = bound_wechat(callback=True)
    caplog.set_level(logging.WARNING, logger="mediadesk.platforms.callbacks")
    response = post(account, TEXT, signed_query(token="forged-token"))
    assert response.status_code == 403
    assert not PlatformEvent.objects.exists() and not Job.objects.exists()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "bad signature" in logged and CALLBACK_TOKEN not in logged


@pytest.mark.django_db
def test_a_safe_mode_push_with_a_bad_msg_signature_is_refused():
    account = bound_wechat(callback=True, aes=True)
    body, query = encrypted(TEXT)
    query["msg_signature"] = sign("forged-token", query["timestamp"], query["nonce"], "x")
    assert post(account, body, query).status_code == 403
    assert not PlatformEvent.objects.exists()


@pytest.mark.django_db
def test_a_publish_finished_event_is_normalised_by_its_job():
    account = bound_wechat(callback=True)
    post(account, PUBLISHED, signed_query())
    event = PlatformEvent.objects.get(kind=EventKind.PUBLISH_FINISHED)
    process_event(event.pk)
    event.refresh_from_db()
    assert event.data == {
        "publish_id": "2247483650",
        "publish_status": 0,
        "article_id": "ARTICLE_1",
        "article_urls": ["https://mp.weixin.qq.com/s/a1"],
        "fail_idx": [],
    }


# -- end to end: the simulator pushes to the live server ----------------------------------------


def connect(sim, account, live_server, *, aes: bool) -> None:
    url = f"{live_server.url}/callbacks/wechat/{account.pk}/"
    callback = CallbackConfig(url=url, token=CALLBACK_TOKEN, aes_key=AES_KEY if aes else None)
    sim.simulator.wechat.accounts[APPID].app.callback = callback


@pytest.mark.django_db(transaction=True)
def test_a_message_pushed_twice_by_the_simulator_is_recorded_once(sim, live_server):
    account = bound_wechat(callback=True)
    connect(sim, account, live_server, aes=False)
    message = {"MsgType": "text", "Content": "在吗", "MsgId": 5550001, "FromUserName": "oFan1"}
    for _ in range(2):
        push = sim.control("POST", "wechat/push", {"appid": APPID, "message": message})
        assert push["response_status"] == 200 and push["response_body"] == "success"
    assert PlatformEvent.objects.filter(account=account, kind=EventKind.MESSAGE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_publish_job_finished_on_the_simulator_arrives_encrypted(sim, live_server):
    account = bound_wechat(callback=True, aes=True)
    connect(sim, account, live_server, aes=True)
    with connector_for(account) as wechat:
        cover = wechat.upload_media(MediaFile("cover.png", png(), "image/png"), MediaKind.IMAGE)
        created = wechat.create_post(PostRequest(text="<p>正文</p>", title="推送测试", cover=cover))
    sim.control("POST", "jobs/finish", {"publish_id": created.job_id})
    events = poll(lambda: list(PlatformEvent.objects.filter(kind=EventKind.PUBLISH_FINISHED)), bool)
    (event,) = events
    assert event.encrypted and f"<publish_id>{created.job_id}</publish_id>" in event.raw


def png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


@pytest.mark.django_db
def test_a_processed_event_is_taken_by_one_consumer_only():
    from mediadesk.platforms.events import mark_consumed, unconsumed

    account = bound_wechat(callback=True)
    post(account, PUBLISHED, signed_query())
    event = PlatformEvent.objects.get()
    process_event(event.pk)
    assert list(unconsumed(EventKind.PUBLISH_FINISHED)) == [event]
    assert mark_consumed(event) and not mark_consumed(event)

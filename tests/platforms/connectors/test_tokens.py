"""Token keeping: the store's rules and the renewal lock, with a scripted platform
(``httpx.MockTransport``) where a race or an odd answer must be forced."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import httpx

from mediadesk.platforms.connectors import AccountRef
from mediadesk.platforms.connectors.douyin import DouyinConnector
from mediadesk.platforms.connectors.tokens import MemoryTokenStore, StoredToken, merged
from mediadesk.platforms.connectors.wechat import WeChatConnector

from .conftest import getter


def test_an_answer_without_a_refresh_token_keeps_the_stored_one() -> None:
    old = StoredToken("act.1", 100.0, refresh_token="rft.1", refresh_expires_at=900.0, renewals=2)
    kept = merged(old, StoredToken("act.2", 200.0))
    assert (kept.access_token, kept.refresh_token, kept.renewals) == ("act.2", "rft.1", 2)


def test_the_memory_store_never_wipes_a_refresh_token() -> None:
    store = MemoryTokenStore()
    store.put("k", StoredToken("act.1", 100.0, refresh_token="rft.1"))
    store.put("k", StoredToken("act.2", 200.0, refresh_token=""))
    token = store.get("k")
    assert token is not None and token.refresh_token == "rft.1"


def test_a_token_never_shows_in_its_repr() -> None:
    assert "secret-value" not in repr(
        StoredToken("secret-value", 1.0, refresh_token="secret-value")
    )


def douyin_platform(answers: list[dict[str, object]]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": answers.pop(0), "message": "success"})

    return handle


def test_douyin_refresh_without_a_refresh_token_keeps_the_stored_one() -> None:
    answer = {"error_code": 0, "access_token": "act.new", "expires_in": 1296000, "open_id": "o1"}
    store = MemoryTokenStore()
    ref = AccountRef(platform="douyin", app_id="k", base_url="http://douyin.test")
    douyin = DouyinConnector(
        ref, store=store, transport=httpx.MockTransport(douyin_platform([answer]))
    )
    store.put(douyin.key, StoredToken("act.old", 0.0, refresh_token="rft.keep", subject="o1"))
    douyin.authenticate()
    token = store.get(douyin.key)
    assert token is not None
    assert (token.access_token, token.refresh_token) == ("act.new", "rft.keep")


class RacingWeChat:
    """Both workers get 40001 for the first token at the same moment."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.barrier = threading.Barrier(2, timeout=5)
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            with self.lock:
                self.tokens_issued += 1
                value = f"token-{self.tokens_issued}"
            return httpx.Response(200, json={"access_token": value, "expires_in": 7200})
        if request.url.params["access_token"] == "token-1":
            self.barrier.wait()
            return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
        return httpx.Response(200, json={"errcode": 46003, "errmsg": "menu no exist"})


def test_two_workers_rejected_together_renew_the_token_once() -> None:
    platform = RacingWeChat()
    store = MemoryTokenStore()
    ref = AccountRef(
        platform="wechat_service",
        app_id="wx1",
        base_url="http://wechat.test",
        credentials=getter({"app_secret": "s"}),
    )
    workers = [
        WeChatConnector(ref, store=store, transport=httpx.MockTransport(platform)) for _ in range(2)
    ]
    workers[0].authenticate()  # both start from token-1
    results: list[object] = []
    threads = [threading.Thread(target=lambda w=w: results.append(w.get_menu())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [None, None]
    assert platform.tokens_issued == 2


def test_the_stable_token_request_carries_no_forced_refresh_by_default() -> None:
    bodies: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"access_token": "t", "expires_in": 7200})

    ref = AccountRef(
        platform="wechat_service",
        app_id="wx1",
        base_url="http://wechat.test",
        credentials=getter({"app_secret": "s"}),
    )
    WeChatConnector(
        ref, store=MemoryTokenStore(), transport=httpx.MockTransport(handle)
    ).authenticate(force=True)
    assert bodies[0]["force_refresh"] is False

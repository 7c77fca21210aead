"""The fidelity bar: an unmodified third-party client, wechatpy 2.0.0a26, runs the whole
operations loop against the simulator without knowing it is not WeChat.

wechatpy hard-codes ``https://api.weixin.qq.com`` (token URL, datacube base); as with any
client pointed at a test server, the redirection happens at the transport level: a
``requests`` adapter mounted on the client's session rewrites the scheme and host.
"""

from __future__ import annotations

import importlib.metadata
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from mediadesk.platforms.simulator import ManualClock, Simulator
from mediadesk.platforms.simulator.clock import china_date

from .conftest import APPID, SECRET, png_bytes


class RedirectToSimulator(HTTPAdapter):
    """Send every request for the real host to the simulator; path and query unchanged."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: PreparedRequest, **kwargs: object) -> Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        request.url = f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def client(sim: Simulator) -> WeChatClient:
    assert importlib.metadata.version("wechatpy") == "2.0.0a26"
    wx = WeChatClient(APPID, SECRET)
    assert sim.base_url
    wx._http.mount("https://api.weixin.qq.com/", RedirectToSimulator(sim.base_url))
    return wx


MENU = {
    "button": [
        {"type": "click", "name": "今日推荐", "key": "TODAY"},
        {
            "name": "服务",
            "sub_button": [
                {"type": "view", "name": "官网", "url": "https://mediadesk.example/"},
                {"type": "click", "name": "联系我们", "key": "CONTACT"},
            ],
        },
    ]
}


def test_wechatpy_runs_the_operations_loop(
    client: WeChatClient, sim: Simulator, clock: ManualClock, http: httpx.Client
) -> None:
    # token
    token = client.access_token
    assert len(token) > 100

    # image upload: a permanent cover and an in-article image
    cover = client.material.add("image", ("cover.png", png_bytes(), "image/png"))
    assert cover["media_id"] and cover["url"].startswith("http://mmbiz.qpic.cn/")
    inline_url = client.media.upload_image(("inline.png", png_bytes(), "image/png"))
    assert inline_url.startswith("http://mmbiz.qpic.cn/")

    # draft/add, draft/get
    content = f'<p>季度回顾</p><img src="{inline_url}"><img src="https://elsewhere.example/a.png">'
    draft = client.draft.add(
        [
            {
                "title": "季度运营回顾",
                "author": "运营部",
                "content": content,
                "thumb_media_id": cover["media_id"],
                "need_open_comment": True,
            }
        ]
    )
    article = client.draft.get(draft["media_id"])["news_item"][0]
    assert article["title"] == "季度运营回顾"
    assert inline_url in article["content"]
    assert "elsewhere.example" not in article["content"]  # external images are filtered
    assert article["thumb_media_id"] == cover["media_id"]
    assert article["need_open_comment"] == 1

    # the token is forced to expire: wechatpy refreshes on 42001 and retries by itself
    http.post("/_sim/wechat/expire_tokens", json={"appid": APPID})
    assert client.draft.count()["total_count"] == 1

    # freepublish/submit, then freepublish/get until published
    submitted = client.freepublish.submit(draft["media_id"])
    publish_id = submitted["publish_id"]
    status = client.freepublish.get(publish_id)
    assert status["publish_status"] == 1
    for _ in range(10):
        clock.advance(1)
        status = client.freepublish.get(publish_id)
        if status["publish_status"] == 0:
            break
    assert status["publish_status"] == 0
    url = status["article_detail"]["item"][0]["article_url"]
    assert url.startswith("https://mp.weixin.qq.com/s?")
    assert client.draft.count()["total_count"] == 0  # a published draft leaves the box

    # freepublish/batchget
    published = client.freepublish.batchget(0, 10)
    assert published["total_count"] == 1
    item = published["item"][0]
    assert item["article_id"] == status["article_id"]
    assert item["content"]["news_item"][0]["url"] == url

    # menu create / get
    assert client.menu.create(MENU)["errcode"] == 0
    menu = client.menu.get()["menu"]
    assert [b["name"] for b in menu["button"]] == ["今日推荐", "服务"]
    assert menu["button"][1]["sub_button"][0]["url"] == "https://mediadesk.example/"

    # datacube: deterministic daily figures
    yesterday = china_date(clock.now()) - timedelta(days=1)
    summary = client.datacube.get_user_summary(yesterday - timedelta(days=6), yesterday)
    assert {row["ref_date"] for row in summary} == {
        (yesterday - timedelta(days=n)).isoformat() for n in range(7)
    }
    cumulate = client.datacube.get_user_cumulate(yesterday - timedelta(days=1), yesterday)
    before, after = (row["cumulate_user"] for row in cumulate)
    net = sum(r["new_user"] - r["cancel_user"] for r in summary if r["ref_date"] == str(yesterday))
    assert after - before == net
    assert client.datacube.get_user_summary(yesterday - timedelta(days=6), yesterday) == summary
    read = client.datacube.get_user_read(yesterday, yesterday)
    assert read[0]["user_source"] == 99999999 and read[0]["int_page_read_user"] > 0


def test_wechatpy_sees_real_error_envelopes(client: WeChatClient, clock: ManualClock) -> None:
    with pytest.raises(WeChatClientException) as excinfo:
        client.draft.get("no-such-draft")
    assert excinfo.value.errcode == 40007
    assert "rid: " in excinfo.value.errmsg

    assert client.menu.get() is None  # wechatpy maps 46003 (no menu) to None

    with pytest.raises(WeChatClientException) as excinfo:
        client.datacube.get_user_summary("2026-01-01", "2026-01-01")  # today: not yet
    assert excinfo.value.errcode == 61501


def test_figures_are_the_same_on_every_run(clock: ManualClock) -> None:
    from .conftest import config

    def figures() -> list[dict[str, object]]:
        other = Simulator(config(), clock=ManualClock(start=clock.now()))
        transport = httpx.WSGITransport(app=other.app)
        with httpx.Client(transport=transport, base_url="http://sim") as c:
            token = c.get(
                "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
            ).json()["access_token"]
            r = c.post(
                "/datacube/getarticlesummary",
                params={"access_token": token},
                json={"begin_date": "2025-12-30", "end_date": "2025-12-30"},
            )
        return r.json()["list"]

    assert figures() == figures()

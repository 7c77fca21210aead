"""WeChat rules: quotas, account permissions, media and draft validation, publishing outcomes,
comments and the rid lookup."""

from __future__ import annotations

import httpx
import pytest

from mediadesk.platforms.simulator import ManualClock, Simulator

from .conftest import APPID, SUBSCRIPTION, UNVERIFIED, config, jpeg_bytes, png_bytes, wechat_token


class WeChat:
    """A minimal raw client: the simulator's JSON exactly as sent."""

    def __init__(self, http: httpx.Client, appid: str = APPID, secret: str | None = None):
        from .conftest import SECRET

        secrets = {
            APPID: SECRET,
            UNVERIFIED: "unverified-secret",
            SUBSCRIPTION: "subscription-secret",
        }
        self.http = http
        self.appid, self.secret = appid, secret or secrets[appid]
        self.token = wechat_token(http, appid, self.secret)

    def refresh(self) -> None:
        """A new token (after the clock has moved past the old one's two hours)."""
        self.token = wechat_token(self.http, self.appid, self.secret)

    def post(self, path: str, body: object = None, **params: str) -> dict[str, object]:
        return self.http.post(path, params={"access_token": self.token, **params}, json=body).json()

    def get(self, path: str, **params: str) -> dict[str, object]:
        return self.http.get(path, params={"access_token": self.token, **params}).json()

    def upload(self, path: str, kind: str, name: str, data: bytes, **fields: str):
        return self.http.post(
            path,
            params={"access_token": self.token, "type": kind},
            files={"media": (name, data)},
            data=fields,
        ).json()

    def cover(self) -> str:
        return str(
            self.upload("/cgi-bin/material/add_material", "image", "c.png", png_bytes())["media_id"]
        )

    def draft(self, **article: object) -> str:
        base = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": self.cover()}
        return str(self.post("/cgi-bin/draft/add", {"articles": [{**base, **article}]})["media_id"])


@pytest.fixture
def wx(http: httpx.Client) -> WeChat:
    return WeChat(http)


def test_daily_quota_and_clear_quota(wx: WeChat, http: httpx.Client, clock: ManualClock) -> None:
    http.post(
        "/_sim/wechat/quota",
        json={"appid": APPID, "path": "/cgi-bin/draft/count", "daily_limit": 2},
    )
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}
    blocked = wx.get("/cgi-bin/draft/count")
    assert blocked["errcode"] == 45009
    assert str(blocked["errmsg"]).startswith("reach max api daily quota limit rid: ")
    quota = wx.post("/cgi-bin/openapi/quota/get", {"cgi_path": "/cgi-bin/draft/count"})
    assert quota["quota"] == {"daily_limit": 2, "used": 2, "remain": 0}
    assert wx.post("/cgi-bin/clear_quota", {"appid": APPID}) == {"errcode": 0, "errmsg": "ok"}
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}
    wx.get("/cgi-bin/draft/count")
    assert wx.get("/cgi-bin/draft/count")["errcode"] == 45009
    clock.advance(86400)  # a new day in China
    wx.refresh()
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}
    for _ in range(9):
        wx.post("/cgi-bin/clear_quota", {"appid": APPID})
    assert wx.post("/cgi-bin/clear_quota", {"appid": APPID})["errcode"] == 48006
    assert wx.post("/cgi-bin/openapi/quota/get", {"cgi_path": "/nope"})["errcode"] == 76021


def test_quota_from_config(clock: ManualClock) -> None:
    sim = Simulator(config(quotas={"/cgi-bin/menu/get": 1}), clock=clock)
    with httpx.Client(transport=httpx.WSGITransport(app=sim.app), base_url="http://sim") as c:
        wx = WeChat(c)
        assert wx.get("/cgi-bin/menu/get")["errcode"] == 46003
        assert wx.get("/cgi-bin/menu/get")["errcode"] == 45009


def test_unverified_accounts_cannot_publish(http: httpx.Client) -> None:
    wx = WeChat(http, UNVERIFIED)
    draft = wx.draft()  # drafts are allowed
    for path, body in [
        ("/cgi-bin/freepublish/submit", {"media_id": draft}),
        (
            "/cgi-bin/message/mass/sendall",
            {"filter": {"is_to_all": True}, "msgtype": "mpnews", "mpnews": {"media_id": draft}},
        ),
        ("/cgi-bin/comment/list", {"msg_data_id": "1", "index": 0, "begin": 0, "count": 10}),
        ("/datacube/getusersummary", {"begin_date": "2025-12-01", "end_date": "2025-12-01"}),
    ]:
        body_out = wx.post(path, body)
        assert body_out["errcode"] == 48001, path
        assert str(body_out["errmsg"]).startswith("api unauthorized rid: ")
    assert http.get("/_sim/posts").json()["wechat"] == []
    http.post("/_sim/wechat/account", json={"appid": UNVERIFIED, "verified": True})
    assert wx.post("/cgi-bin/freepublish/submit", {"media_id": draft})["errcode"] == 0


def test_envelope_method_and_body_errors(wx: WeChat, http: httpx.Client) -> None:
    r = http.get("/cgi-bin/draft/add", params={"access_token": wx.token})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; encoding=utf-8"
    assert r.json()["errcode"] == 43002
    assert (
        http.post("/cgi-bin/draft/count", params={"access_token": wx.token}).json()["errcode"]
        == 43001
    )
    empty = http.post("/cgi-bin/draft/add", params={"access_token": wx.token})
    assert empty.json()["errcode"] == 44002
    bad = http.post("/cgi-bin/draft/add", params={"access_token": wx.token}, content=b"{oops")
    assert bad.json()["errcode"] == 47001


def test_media_type_and_size_rules(wx: WeChat) -> None:
    assert wx.upload("/cgi-bin/media/upload", "image", "a.png", png_bytes())["type"] == "image"
    assert wx.upload("/cgi-bin/media/upload", "sticker", "a.png", png_bytes())["errcode"] == 40004
    assert wx.upload("/cgi-bin/media/upload", "image", "a.txt", b"plain text")["errcode"] == 40005
    big = png_bytes(extra=10 * 1024 * 1024)
    assert wx.upload("/cgi-bin/media/upload", "image", "big.png", big)["errcode"] == 40009
    thumb = wx.upload("/cgi-bin/media/upload", "thumb", "t.jpg", jpeg_bytes())
    assert thumb["type"] == "thumb" and "thumb_media_id" in thumb
    assert wx.upload("/cgi-bin/media/upload", "thumb", "t.png", png_bytes())["errcode"] == 40005
    large_thumb = jpeg_bytes(65 * 1024)
    assert wx.upload("/cgi-bin/media/upload", "thumb", "t.jpg", large_thumb)["errcode"] == 40012
    assert wx.upload("/cgi-bin/media/uploadimg", "", "x.gif", b"GIF89a....")["errcode"] == 40005
    no_desc = wx.upload(
        "/cgi-bin/material/add_material",
        "video",
        "v.mp4",
        b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
    )
    assert no_desc["errcode"] == 47001
    video = wx.upload(
        "/cgi-bin/material/add_material",
        "video",
        "v.mp4",
        b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
        description='{"title":"发布会","introduction":"回放"}',
    )
    assert "media_id" in video and "url" not in video
    got = wx.post("/cgi-bin/material/get_material", {"media_id": video["media_id"]})
    assert got["title"] == "发布会"
    assert wx.get("/cgi-bin/material/get_materialcount") == {
        "voice_count": 0,
        "video_count": 1,
        "image_count": 0,
        "news_count": 0,
    }


def test_draft_validation(wx: WeChat) -> None:
    cover = wx.cover()
    temporary = wx.upload("/cgi-bin/media/upload", "image", "a.png", png_bytes())["media_id"]

    def add(**article: object) -> dict[str, object]:
        base = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": cover}
        return wx.post("/cgi-bin/draft/add", {"articles": [{**base, **article}]})

    assert add(title="标" * 33)["errcode"] == 45003
    assert add(author="作" * 17)["errcode"] == 45110
    assert add(digest="摘" * 129)["errcode"] == 45004
    assert add(content="字" * 20_000)["errcode"] == 45002
    assert add(thumb_media_id=temporary)["errcode"] == 40007  # not a permanent material
    assert add(content='<a href="javascript:alert(1)">x</a>')["errcode"] == 45166
    assert wx.post("/cgi-bin/draft/add", {"articles": []})["errcode"] == 44003
    ok = add(content="<p>你好</p><script>alert(1)</script>")
    draft = wx.post("/cgi-bin/draft/get", {"media_id": ok["media_id"]})["news_item"][0]
    assert draft["content"] == "<p>你好</p>" and draft["digest"] == "你好"
    update = {
        "media_id": ok["media_id"],
        "index": 0,
        "articles": {"title": "新标题", "content": "<p>改</p>", "thumb_media_id": cover},
    }
    assert wx.post("/cgi-bin/draft/update", update) == {"errcode": 0, "errmsg": "ok"}
    listed = wx.post("/cgi-bin/draft/batchget", {"offset": 0, "count": 20, "no_content": 1})
    assert listed["total_count"] == 1
    assert listed["item"][0]["content"]["news_item"][0]["title"] == "新标题"
    assert "content" not in listed["item"][0]["content"]["news_item"][0]
    assert wx.post("/cgi-bin/draft/batchget", {"offset": 0, "count": 21})["errcode"] == 40097
    assert wx.post("/cgi-bin/draft/delete", {"media_id": ok["media_id"]})["errcode"] == 0
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 0}


def test_publish_failure_outcome_and_deletion(
    wx: WeChat, http: httpx.Client, sim: Simulator, clock: ManualClock
) -> None:
    draft = wx.draft()
    http.post(
        "/_sim/wechat/publish_outcome", json={"appid": APPID, "publish_status": 2, "fail_idx": [1]}
    )
    failed = wx.post("/cgi-bin/freepublish/submit", {"media_id": draft})
    assert wx.post("/cgi-bin/freepublish/submit", {"media_id": draft})["errcode"] == 53501
    clock.advance(2)
    status = wx.post("/cgi-bin/freepublish/get", {"publish_id": failed["publish_id"]})
    assert status == {"publish_id": failed["publish_id"], "publish_status": 2, "fail_idx": [1]}
    assert wx.get("/cgi-bin/draft/count") == {"total_count": 1}  # the draft stays

    ok = wx.post("/cgi-bin/freepublish/submit", {"media_id": draft})
    assert http.post("/_sim/jobs/finish", json={"publish_id": ok["publish_id"]}).json() == {
        "ok": True
    }
    done = wx.post("/cgi-bin/freepublish/get", {"publish_id": ok["publish_id"]})
    assert done["publish_status"] == 0
    article = wx.post("/cgi-bin/freepublish/getarticle", {"article_id": done["article_id"]})
    assert article["news_item"][0]["is_deleted"] is False
    assert (
        wx.post("/cgi-bin/freepublish/delete", {"article_id": done["article_id"], "index": 0})[
            "errcode"
        ]
        == 0
    )
    gone = wx.post("/cgi-bin/freepublish/get", {"publish_id": ok["publish_id"]})
    assert gone["publish_status"] == 5
    assert wx.post("/cgi-bin/freepublish/batchget", {"offset": 0, "count": 10})["total_count"] == 0
    assert wx.post("/cgi-bin/freepublish/get", {"publish_id": "1"})["errcode"] == 53502
    assert wx.post("/cgi-bin/freepublish/getarticle", {"article_id": "x"})["errcode"] == 53600


def test_comments_on_a_published_article(
    wx: WeChat, http: httpx.Client, clock: ManualClock
) -> None:
    draft = wx.draft(need_open_comment=1)
    submitted = wx.post("/cgi-bin/freepublish/submit", {"media_id": draft})
    key = {"msg_data_id": submitted["msg_data_id"], "index": 0}
    assert wx.post("/cgi-bin/comment/list", {**key, "begin": 0, "count": 10})["errcode"] == 88001
    clock.advance(2)
    wx.post("/cgi-bin/freepublish/get", {"publish_id": submitted["publish_id"]})
    added = http.post(
        "/_sim/comments",
        json={"platform": "wechat", "appid": APPID, **key, "content": "请问几点开始？"},
    ).json()
    listing = wx.post("/cgi-bin/comment/list", {**key, "begin": 0, "count": 49, "type": 0})
    assert listing["errcode"] == 0
    assert [c["content"] for c in listing["comment"]] == ["请问几点开始？"]
    clock.advance(7 * 3600)  # the seeded followers' comments have arrived by now
    wx.refresh()
    total = wx.post("/cgi-bin/comment/list", {**key, "begin": 0, "count": 49})["total"]
    assert isinstance(total, int) and total >= 1
    cid = {**key, "user_comment_id": added["user_comment_id"]}
    assert wx.post("/cgi-bin/comment/reply/add", {**cid, "content": "十点"})["errcode"] == 0
    assert wx.post("/cgi-bin/comment/reply/add", {**cid, "content": "again"})["errcode"] == 88005
    assert wx.post("/cgi-bin/comment/markelect", cid)["errcode"] == 0
    elected = wx.post("/cgi-bin/comment/list", {**key, "begin": 0, "count": 10, "type": 2})
    assert elected["comment"][0]["reply"]["content"] == "十点"
    assert elected["comment"][0]["comment_type"] == 1
    assert wx.post("/cgi-bin/comment/list", {**key, "begin": 0, "count": 50})["errcode"] == 88010
    assert wx.post("/cgi-bin/comment/delete", cid)["errcode"] == 0
    assert wx.post("/cgi-bin/comment/reply/delete", cid)["errcode"] == 88004


def test_rid_lookup(wx: WeChat) -> None:
    error = wx.post("/cgi-bin/draft/get", {"media_id": "missing"})
    rid = str(error["errmsg"]).rsplit("rid: ", 1)[1]
    found = wx.post("/cgi-bin/openapi/rid/get", {"rid": rid})
    assert found["errcode"] == 0
    assert found["request"]["request_url"].startswith("/cgi-bin/draft/get?access_token=")
    assert '"errcode":40007' in found["request"]["response_body"]
    assert wx.post("/cgi-bin/openapi/rid/get", {"rid": "0-0-0"})["errcode"] == 76001


def test_followers_and_menu_rules(wx: WeChat) -> None:
    followers = wx.get("/cgi-bin/user/get")
    assert followers["total"] == followers["count"] > 1000
    openid = followers["data"]["openid"][0]
    assert len(openid) == 28
    info = wx.get("/cgi-bin/user/info", openid=openid)
    assert info["subscribe"] == 1 and "nickname" not in info
    assert wx.get("/cgi-bin/user/get", next_openid=followers["next_openid"]) == {
        "total": followers["total"],
        "count": 0,
        "next_openid": "",
    }
    assert wx.get("/cgi-bin/user/info", openid="o" * 28)["errcode"] == 40003
    too_many = {"button": [{"type": "click", "name": f"b{i}", "key": "k"} for i in range(4)]}
    assert wx.post("/cgi-bin/menu/create", too_many)["errcode"] == 40016
    long_name = {"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]}
    assert wx.post("/cgi-bin/menu/create", long_name)["errcode"] == 40018
    bad_url = {
        "button": [{"name": "m", "sub_button": [{"type": "view", "name": "x", "url": "ftp://x"}]}]
    }
    assert wx.post("/cgi-bin/menu/create", bad_url)["errcode"] == 40054
    assert wx.get("/cgi-bin/menu/delete") == {"errcode": 0, "errmsg": "ok"}

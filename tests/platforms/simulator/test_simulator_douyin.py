"""Douyin: OAuth with refresh and the five-renewal rule, video upload/create, data, comments."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mediadesk.platforms.simulator import ManualClock

from .conftest import DOUYIN_KEY, DOUYIN_SECRET, mp4_bytes

REDIRECT = "https://mediadesk.example/oauth/douyin"


def authorize(http: httpx.Client, scope: str = "") -> dict[str, object]:
    params = {
        "client_key": DOUYIN_KEY,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "s1",
    }
    if scope:
        params["scope"] = scope
    r = http.get("/douyin/platform/oauth/connect/", params=params)
    assert r.status_code == 302
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    body = http.post(
        "/douyin/oauth/access_token/",
        data={
            "client_key": DOUYIN_KEY,
            "client_secret": DOUYIN_SECRET,
            "code": code,
            "grant_type": "authorization_code",
        },
    ).json()
    assert body["message"] == "success" and body["data"]["error_code"] == 0
    return body["data"]


@pytest.fixture
def grant(http: httpx.Client) -> dict[str, object]:
    return authorize(http)


def api(
    http: httpx.Client, grant: dict[str, object], method: str, path: str, **kwargs: object
) -> dict[str, object]:
    headers = {"access-token": str(grant["access_token"])}
    params = {"open_id": str(grant["open_id"]), **dict(kwargs.pop("params", {}))}  # type: ignore[arg-type]
    r = http.request(method, f"/douyin{path}", headers=headers, params=params, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == 200
    return r.json()


def publish(http: httpx.Client, grant: dict[str, object], text: str = "新品开箱 #好物") -> str:
    upload = api(
        http,
        grant,
        "POST",
        "/api/douyin/v1/video/upload_video/",
        files={"video": ("clip.mp4", mp4_bytes(), "video/mp4")},
    )
    assert upload["data"]["error_code"] == 0 and upload["extra"]["logid"]
    video_id = upload["data"]["video"]["video_id"]
    created = api(
        http,
        grant,
        "POST",
        "/api/douyin/v1/video/create_video/",
        json={"video_id": video_id, "text": text},
    )
    assert created["data"]["error_code"] == 0
    return str(created["data"]["item_id"])


def test_oauth_tokens_refresh_and_renewals(
    http: httpx.Client, grant: dict[str, object], clock: ManualClock
) -> None:
    assert grant["expires_in"] == 15 * 86400 and grant["refresh_expires_in"] == 30 * 86400
    assert str(grant["access_token"]).startswith("act.")
    assert str(grant["refresh_token"]).startswith("rft.")
    clock.advance(15 * 86400)
    expired = api(http, grant, "GET", "/api/douyin/v1/video/video_list/")
    assert expired["data"]["error_code"] == 2190008
    refreshed = http.post(
        "/douyin/oauth/refresh_token/",
        data={
            "client_key": DOUYIN_KEY,
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
        },
    ).json()["data"]
    assert refreshed["refresh_token"] == grant["refresh_token"]
    grant = {**grant, "access_token": refreshed["access_token"]}
    assert api(http, grant, "GET", "/api/douyin/v1/video/video_list/")["data"]["error_code"] == 0

    refresh = grant["refresh_token"]
    for _ in range(5):
        renewed = http.post(
            "/douyin/oauth/renew_refresh_token/",
            data={"client_key": DOUYIN_KEY, "refresh_token": refresh},
        ).json()
        assert renewed["data"]["error_code"] == 0
        assert renewed["data"]["refresh_token"] != refresh
        refresh = renewed["data"]["refresh_token"]
    sixth = http.post(
        "/douyin/oauth/renew_refresh_token/",
        data={"client_key": DOUYIN_KEY, "refresh_token": refresh},
    ).json()
    assert sixth == {
        "data": {"error_code": 10020, "description": "超过刷新次数限制"},
        "message": "error",
    }
    clock.advance(30 * 86400)
    late = http.post(
        "/douyin/oauth/refresh_token/",
        data={"client_key": DOUYIN_KEY, "grant_type": "refresh_token", "refresh_token": refresh},
    )
    assert late.json()["data"]["error_code"] == 10010
    bad = http.post(
        "/douyin/oauth/access_token/",
        data={
            "client_key": DOUYIN_KEY,
            "client_secret": "wrong",
            "code": "x",
            "grant_type": "authorization_code",
        },
    ).json()
    assert bad["data"]["error_code"] == 10013


def test_upload_create_review_and_list(
    http: httpx.Client, grant: dict[str, object], clock: ManualClock
) -> None:
    item_id = publish(http, grant)
    listed = api(
        http, grant, "GET", "/api/douyin/v1/video/video_list/", params={"cursor": 0, "count": 10}
    )["data"]
    assert [i["item_id"] for i in listed["list"]] == [item_id]
    assert listed["list"][0]["is_reviewed"] is False and listed["has_more"] is False
    clock.advance(2)
    item = api(
        http, grant, "POST", "/api/douyin/v1/video/video_data/", json={"item_ids": [item_id]}
    )["data"]["list"][0]
    assert item["is_reviewed"] is True and item["share_url"].startswith("https://")
    assert item["statistics"]["play_count"] > 0

    not_mp4 = api(
        http,
        grant,
        "POST",
        "/api/douyin/v1/video/upload_video/",
        files={"video": ("clip.mov", b"not a video", "video/quicktime")},
    )
    assert not_mp4["data"]["error_code"] == 2100005
    reused = api(
        http,
        grant,
        "POST",
        "/api/douyin/v1/video/create_video/",
        json={"video_id": "v0200fnope", "text": "x"},
    )
    assert reused["data"]["error_code"] == 2100005
    posts = http.get("/_sim/posts").json()["douyin"]
    assert [p["item_id"] for p in posts] == [item_id]


def test_item_data(http: httpx.Client, grant: dict[str, object], clock: ManualClock) -> None:
    item_id = publish(http, grant)
    clock.advance(3 * 86400)
    params = {"item_id": item_id, "date_type": 7}
    likes = api(http, grant, "GET", "/data/external/item/like/", params=params)["data"]
    assert len(likes["result_list"]) == 7 and "like" in likes["result_list"][0]
    base = api(http, grant, "GET", "/data/external/item/base/", params=params)["data"]
    assert base["result"]["total_play"] > 0
    again = api(http, grant, "GET", "/data/external/item/base/", params=params)["data"]
    assert again["result"] == base["result"]
    wrong = api(
        http, grant, "GET", "/data/external/item/play/", params={"item_id": item_id, "date_type": 9}
    )
    assert wrong["data"]["error_code"] == 2100005
    clock.advance(14 * 86400)
    refreshed = http.post(
        "/douyin/oauth/refresh_token/",
        data={
            "client_key": DOUYIN_KEY,
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
        },
    ).json()["data"]
    clock.advance(14 * 86400)  # 31 days after creation: no more item data
    grant = {**grant, "access_token": refreshed["access_token"]}
    old = api(http, grant, "GET", "/data/external/item/share/", params=params)
    assert old["data"]["error_code"] == 2100005


def test_comments(http: httpx.Client, grant: dict[str, object], clock: ManualClock) -> None:
    item_id = publish(http, grant)
    clock.advance(2)
    fan = http.post(
        "/_sim/comments", json={"platform": "douyin", "item_id": item_id, "content": "求链接"}
    ).json()
    listing = api(
        http, grant, "GET", "/video/comment/list/", params={"item_id": item_id, "count": 20}
    )["data"]
    assert [c["content"] for c in listing["list"]] == ["求链接"]
    replied = api(
        http,
        grant,
        "POST",
        "/video/comment/reply/",
        json={"item_id": item_id, "comment_id": fan["comment_id"], "content": "主页有"},
    )
    assert replied["data"]["error_code"] == 0
    replies = api(
        http,
        grant,
        "GET",
        "/video/comment/reply/list/",
        params={"item_id": item_id, "comment_id": fan["comment_id"]},
    )["data"]
    assert [r["content"] for r in replies["list"]] == ["主页有"]
    clock.advance(7 * 3600)
    later = api(
        http, grant, "GET", "/video/comment/list/", params={"item_id": item_id, "count": 50}
    )["data"]
    assert later["list"][0]["reply_comment_total"] >= 0 and len(later["list"]) >= 1
    too_many = api(
        http, grant, "GET", "/video/comment/list/", params={"item_id": item_id, "count": 51}
    )
    assert too_many["data"]["error_code"] == 2100005


def test_scopes_and_token_checks(http: httpx.Client) -> None:
    grant = authorize(http, scope="user_info,video.list.bind")
    upload = api(
        http,
        grant,
        "POST",
        "/api/douyin/v1/video/upload_video/",
        files={"video": ("clip.mp4", mp4_bytes(), "video/mp4")},
    )
    assert upload["data"]["error_code"] == 2190004
    r = http.get(
        "/douyin/api/douyin/v1/video/video_list/",
        headers={"access-token": "act.unknown"},
        params={"open_id": "x"},
    )
    assert r.json()["data"]["error_code"] == 2190002
    mismatch = http.get(
        "/douyin/api/douyin/v1/video/video_list/",
        headers={"access-token": str(grant["access_token"])},
        params={"open_id": "someone-else"},
    )
    assert mismatch.json()["data"]["error_code"] == 2190015
    client = http.post(
        "/douyin/oauth/client_token/",
        data={
            "client_key": DOUYIN_KEY,
            "client_secret": DOUYIN_SECRET,
            "grant_type": "client_credential",
        },
    ).json()
    assert str(client["data"]["access_token"]).startswith("clt.")

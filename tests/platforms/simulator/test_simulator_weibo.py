"""Weibo: OAuth2, statuses/share rules, comments, HTTP 4xx error envelopes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mediadesk.platforms.simulator import ManualClock

from .conftest import WEIBO_KEY, WEIBO_SECRET, jpeg_bytes

REDIRECT = "https://mediadesk.example/oauth/weibo"
LINK = "https://mediadesk.example/p/42"


def authorize(http: httpx.Client) -> dict[str, str]:
    r = http.get(
        "/weibo/oauth2/authorize",
        params={
            "client_id": WEIBO_KEY,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "state": "xyz",
        },
    )
    assert r.status_code == 302
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["state"] == "xyz"
    token = http.post(
        "/weibo/oauth2/access_token",
        data={
            "client_id": WEIBO_KEY,
            "client_secret": WEIBO_SECRET,
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": REDIRECT,
        },
    )
    assert token.status_code == 200
    return {"code": query["code"], **token.json()}


@pytest.fixture
def token(http: httpx.Client) -> str:
    return authorize(http)["access_token"]


def share(http: httpx.Client, token: str, status: str, **extra: object) -> httpx.Response:
    return http.post(
        "/weibo/2/statuses/share.json",
        data={"access_token": token, "status": status, "rip": "203.0.113.7", **extra},
    )


def test_oauth_flow(http: httpx.Client, clock: ManualClock) -> None:
    grant = authorize(http)
    assert isinstance(grant["expires_in"], str) and grant["uid"].isdigit()
    info = http.post("/weibo/oauth2/get_token_info", data={"access_token": grant["access_token"]})
    assert info.json()["appkey"] == WEIBO_KEY and info.json()["uid"] == int(grant["uid"])
    reused = http.post(
        "/weibo/oauth2/access_token",
        data={
            "client_id": WEIBO_KEY,
            "client_secret": WEIBO_SECRET,
            "grant_type": "authorization_code",
            "code": grant["code"],
            "redirect_uri": REDIRECT,
        },
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant" and reused.json()["error_code"] == 21325
    wrong = http.post(
        "/weibo/oauth2/access_token",
        data={
            "client_id": WEIBO_KEY,
            "client_secret": "nope",
            "grant_type": "authorization_code",
            "code": "c",
            "redirect_uri": REDIRECT,
        },
    )
    assert wrong.json()["error_code"] == 21324
    clock.advance(int(grant["expires_in"]))
    expired = http.post(
        "/weibo/oauth2/get_token_info", data={"access_token": grant["access_token"]}
    )
    assert expired.status_code == 403 and expired.json()["error_code"] == 21327
    r = share(http, grant["access_token"], f"到期了 {LINK}")
    assert r.status_code == 403 and r.json()["error_code"] == "21327"


def test_share_rules(http: httpx.Client, token: str) -> None:
    ok = share(http, token, f"新品发布会今晚八点直播 {LINK}")
    assert ok.status_code == 200
    status = ok.json()
    assert status["text"].startswith("新品发布会") and status["idstr"] == str(status["id"])
    assert status["user"]["idstr"] and status["created_at"].endswith(status["created_at"][-4:])

    no_link = share(http, token, "没有链接的微博")
    assert no_link.status_code == 400
    assert no_link.json()["error_code"] == "10017"
    assert no_link.json()["request"] == "/2/statuses/share.json"
    foreign = share(http, token, "外站链接 https://elsewhere.example/x")
    assert foreign.json()["error_code"] == "10017"
    assert share(http, token, f"#话题# {LINK}").json()["error_code"] == "10017"
    assert share(http, token, "长" * 131 + f" {LINK}").json()["error_code"] == "20012"
    assert share(http, token, "长" * 129 + f" {LINK}").status_code == 200  # a URL counts 10
    duplicate = share(http, token, f"新品发布会今晚八点直播 {LINK}")
    assert duplicate.status_code == 400 and duplicate.json()["error_code"] == "20019"
    no_rip = http.post(
        "/weibo/2/statuses/share.json", data={"access_token": token, "status": f"x {LINK}"}
    )
    assert no_rip.json()["error_code"] == "10016"
    with_pic = http.post(
        "/weibo/2/statuses/share.json",
        data={"access_token": token, "status": f"配图 {LINK}", "rip": "203.0.113.7"},
        files={"pic": ("a.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert with_pic.status_code == 200 and with_pic.json()["original_pic"].startswith("http")
    bad_pic = http.post(
        "/weibo/2/statuses/share.json",
        data={"access_token": token, "status": f"坏图 {LINK}", "rip": "203.0.113.7"},
        files={"pic": ("a.txt", b"text", "text/plain")},
    )
    assert bad_pic.json()["error_code"] == "20005"
    posts = http.get("/_sim/posts").json()["weibo"]
    assert len(posts) == 3


def test_hourly_post_limit(http: httpx.Client, token: str, clock: ManualClock) -> None:
    for n in range(30):
        assert share(http, token, f"第{n}条 {LINK}").status_code == 200
    limited = share(http, token, f"第31条 {LINK}")
    assert limited.status_code == 403 and limited.json()["error_code"] == "10024"
    clock.advance(3600)
    assert share(http, token, f"下一个小时 {LINK}").status_code == 200


def test_comments(http: httpx.Client, token: str, clock: ManualClock) -> None:
    status = share(http, token, f"欢迎评论 {LINK}").json()
    sid = str(status["id"])
    created = http.post(
        "/weibo/2/comments/create.json",
        data={"access_token": token, "id": sid, "comment": "第一条评论", "rip": "203.0.113.7"},
    ).json()
    assert created["text"] == "第一条评论" and created["status"]["id"] == status["id"]
    fan = http.post(
        "/_sim/comments", json={"platform": "weibo", "status_id": sid, "text": "什么时候开始？"}
    ).json()
    reply = http.post(
        "/weibo/2/comments/reply.json",
        data={
            "access_token": token,
            "id": sid,
            "cid": str(fan["id"]),
            "comment": "今晚八点",
            "rip": "203.0.113.7",
        },
    ).json()
    assert reply["text"].startswith("回复@") and reply["text"].endswith(":今晚八点")
    assert reply["reply_comment"]["id"] == fan["id"]
    shown = http.get(
        "/weibo/2/comments/show.json", params={"access_token": token, "id": sid, "count": 50}
    ).json()
    assert shown["total_number"] == 3
    assert shown["comments"][0]["id"] == reply["id"]  # newest first
    clock.advance(7 * 3600)  # seeded comments from other users have arrived
    later = http.get(
        "/weibo/2/comments/show.json", params={"access_token": token, "id": sid}
    ).json()
    assert later["total_number"] >= 3
    missing = http.get("/weibo/2/comments/show.json", params={"access_token": token, "id": "1"})
    assert missing.status_code == 400 and missing.json()["error_code"] == "20101"
    gone = http.post(
        "/weibo/2/comments/reply.json",
        data={"access_token": token, "id": sid, "cid": "1", "comment": "x", "rip": "203.0.113.7"},
    )
    assert gone.json()["error_code"] == "20201"
    counts = http.get(
        "/weibo/2/statuses/count.json", params={"access_token": token, "ids": sid}
    ).json()
    assert counts[0]["comments"] == later["total_number"]
    assert (
        http.post(
            "/weibo/2/statuses/destroy.json", data={"access_token": token, "id": sid}
        ).status_code
        == 200
    )
    assert (
        http.get(
            "/weibo/2/statuses/show.json", params={"access_token": token, "id": sid}
        ).status_code
        == 400
    )


def test_authorization_header_and_missing_token(http: httpx.Client, token: str) -> None:
    r = http.post(
        "/weibo/2/statuses/share.json",
        data={"status": f"头部令牌 {LINK}", "rip": "203.0.113.7"},
        headers={"Authorization": f"OAuth2 {token}"},
    )
    assert r.status_code == 200
    anonymous = http.post("/weibo/2/statuses/share.json", data={"status": "x", "rip": "1.1.1.1"})
    assert anonymous.status_code == 403 and anonymous.json()["error_code"] == "21301"
    unknown = http.get("/weibo/2/nothing.json")
    assert unknown.status_code == 404

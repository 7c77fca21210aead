"""WeChat access tokens: rotation with a grace period, stable_token, expiry, credential errors."""

from __future__ import annotations

import httpx

from mediadesk.platforms.simulator import ManualClock, Simulator

from .conftest import APPID, SECRET, wechat_token


def call(http: httpx.Client, token: str) -> dict[str, object]:
    return http.get("/cgi-bin/draft/count", params={"access_token": token}).json()


def stable(http: httpx.Client, force: bool = False, secret: str = SECRET) -> dict[str, object]:
    body = {
        "grant_type": "client_credential",
        "appid": APPID,
        "secret": secret,
        "force_refresh": force,
    }
    return http.post("/cgi-bin/stable_token", json=body).json()


def test_token_rotation_keeps_the_previous_token_for_five_minutes(
    http: httpx.Client, clock: ManualClock
) -> None:
    first = wechat_token(http)
    second = wechat_token(http)
    assert first != second
    assert call(http, first) == {"total_count": 0}  # still inside the grace period
    clock.advance(301)
    assert call(http, first)["errcode"] == 40001
    assert call(http, second) == {"total_count": 0}
    third = wechat_token(http)
    fourth = wechat_token(http)
    assert call(http, second)["errcode"] == 40001  # two rotations back: dead at once
    assert call(http, third) == {"total_count": 0}
    assert call(http, fourth) == {"total_count": 0}


def test_tokens_expire_after_two_hours(http: httpx.Client, clock: ManualClock) -> None:
    token = wechat_token(http)
    clock.advance(7199)
    assert call(http, token) == {"total_count": 0}
    clock.advance(1)
    body = call(http, token)
    assert body["errcode"] == 42001
    assert str(body["errmsg"]).startswith("access_token expired rid: ")


def test_stable_token_is_shared_until_refreshed(http: httpx.Client, clock: ManualClock) -> None:
    a = stable(http)
    b = stable(http)
    assert a["access_token"] == b["access_token"]
    assert a["expires_in"] == 7200
    clock.advance(7000)  # less than five minutes left: a new one, the old still valid
    c = stable(http)
    assert c["access_token"] != a["access_token"] and c["expires_in"] == 7200
    assert call(http, str(a["access_token"])) == {"total_count": 0}
    normal = wechat_token(http)  # the two kinds are independent
    assert call(http, str(c["access_token"])) == {"total_count": 0}
    assert call(http, normal) == {"total_count": 0}


def test_stable_token_force_refresh(http: httpx.Client, clock: ManualClock) -> None:
    old = stable(http)["access_token"]
    forced = stable(http, force=True)["access_token"]
    assert forced != old
    assert call(http, str(old))["errcode"] == 40001  # force_refresh kills the previous token
    assert stable(http, force=True)["errcode"] == 45011  # 30 s apart
    for _ in range(19):
        clock.advance(31)
        assert "access_token" in stable(http, force=True)
    clock.advance(31)
    assert stable(http, force=True)["errcode"] == 45009  # 20 a day


def test_credential_errors(http: httpx.Client, sim: Simulator) -> None:
    def token(**params: str) -> dict[str, object]:
        base = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        return http.get("/cgi-bin/token", params={**base, **params}).json()

    assert token(grant_type="password")["errcode"] == 40002
    assert token(appid="wx-unknown")["errcode"] == 40013
    assert token(secret="wrong")["errcode"] == 40125
    assert stable(http, secret="wrong")["errcode"] == 40125
    assert http.get("/cgi-bin/stable_token").json()["errcode"] == 43002
    assert http.post("/cgi-bin/stable_token", content=b"").json()["errcode"] == 44002
    assert http.get("/cgi-bin/draft/count").json()["errcode"] == 41001
    assert call(http, "x" * 150)["errcode"] == 40001
    assert call(http, "short")["errcode"] == 40014

    http.post("/_sim/wechat/account", json={"appid": APPID, "ip_whitelist": ["10.0.0.1"]})
    body = token()
    assert body["errcode"] == 40164
    assert "127.0.0.1" in str(body["errmsg"])


def test_forced_expiry_from_the_control_api(http: httpx.Client) -> None:
    token = wechat_token(http)
    assert http.post("/_sim/wechat/expire_tokens", json={"appid": APPID}).json() == {"expired": 1}
    assert call(http, token)["errcode"] == 42001
    assert call(http, wechat_token(http)) == {"total_count": 0}

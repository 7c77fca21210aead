"""Followers, user info and tags.

The follower list is generated from the appid (same openids on every run). ``user/info``
answers with today's privacy rules: no nickname, avatar, sex or place since 2021-12-27.
"""

from __future__ import annotations

from typing import Any

from ..ids import seeded
from .account import Account
from .context import Ctx, as_int, as_str
from .errors import WeChatError

PAGE = 10_000
SCENES = ("ADD_SCENE_SEARCH", "ADD_SCENE_QR_CODE", "ADD_SCENE_PROFILE_CARD", "ADD_SCENE_OTHERS")
MAX_TAGS = 100
MAX_TAGS_PER_USER = 20


def user_get(ctx: Ctx) -> dict[str, Any]:
    followers = ctx.account.followers
    next_openid = ctx.request.query.get("next_openid", "")
    start = 0
    if next_openid:
        index = ctx.account.follower_index(next_openid)
        if index is None:
            raise WeChatError(40003)
        start = index + 1
    page = followers[start : start + PAGE]
    if not page:
        return {"total": len(followers), "count": 0, "next_openid": ""}
    return {
        "total": len(followers),
        "count": len(page),
        "data": {"openid": page},
        "next_openid": page[-1],
    }


def _info(account: Account, openid: str, lang: str) -> dict[str, Any]:
    index = account.follower_index(openid)
    if index is None:
        return {"subscribe": 0, "openid": openid, "tagid_list": []}
    rng = seeded(account.appid, "user", index)
    scene = rng.choice(SCENES)
    return {
        "subscribe": 1,
        "openid": openid,
        "language": lang or "zh_CN",
        "subscribe_time": 1_500_000_000 + rng.randint(0, 250_000_000),
        "remark": account.remarks.get(openid, ""),
        "groupid": 0,
        "tagid_list": list(account.user_tags.get(openid, [])),
        "subscribe_scene": scene,
        "qr_scene": rng.randint(1, 99999) if scene == "ADD_SCENE_QR_CODE" else 0,
        "qr_scene_str": "",
    }


def user_info(ctx: Ctx) -> dict[str, Any]:
    openid = ctx.request.query.get("openid", "")
    if ctx.account.follower_index(openid) is None:
        raise WeChatError(40003)
    return _info(ctx.account, openid, ctx.request.query.get("lang", "zh_CN"))


def user_info_batch(ctx: Ctx) -> dict[str, Any]:
    users = ctx.body().get("user_list")
    if not isinstance(users, list) or not 1 <= len(users) <= 100:
        raise WeChatError(40097, "user_list must hold 1..100 users")
    rows = []
    for user in users:
        if not isinstance(user, dict):
            raise WeChatError(47001)
        rows.append(_info(ctx.account, as_str(user.get("openid")), as_str(user.get("lang"))))
    return {"user_info_list": rows}


def update_remark(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    openid, remark = as_str(body.get("openid")), as_str(body.get("remark"))
    if ctx.account.follower_index(openid) is None:
        raise WeChatError(40003)
    if len(remark) >= 30:
        raise WeChatError(40097, "remark must be under 30 characters")
    ctx.account.remarks[openid] = remark
    return {"errcode": 0, "errmsg": "ok"}


def tags_get(ctx: Ctx) -> dict[str, Any]:
    account = ctx.account
    return {
        "tags": [
            {
                "id": tag_id,
                "name": name,
                "count": sum(1 for t in account.user_tags.values() if tag_id in t),
            }
            for tag_id, name in sorted(account.tags.items())
        ]
    }


def tags_create(ctx: Ctx) -> dict[str, Any]:
    tag = ctx.body().get("tag")
    name = as_str(tag.get("name")) if isinstance(tag, dict) else ""
    account = ctx.account
    if not name or len(name.encode("utf-8")) > 30:
        raise WeChatError(45158)
    if name in account.tags.values():
        raise WeChatError(45157)
    if len(account.tags) >= MAX_TAGS:
        raise WeChatError(45056)
    tag_id = max([100, *account.tags]) + 1
    account.tags[tag_id] = name
    return {"tag": {"id": tag_id, "name": name}}


def batch_tagging(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    tag_id = as_int(body.get("tagid"), what="tagid")
    openids = body.get("openid_list")
    account = ctx.account
    if tag_id not in account.tags:
        raise WeChatError(45159)
    if not isinstance(openids, list) or not 1 <= len(openids) <= 50:
        raise WeChatError(40097, "openid_list must hold 1..50 openids")
    for openid in openids:
        if account.follower_index(as_str(openid)) is None:
            raise WeChatError(40003)
    for openid in openids:
        tags = account.user_tags.setdefault(str(openid), [])
        if tag_id not in tags:
            if len(tags) >= MAX_TAGS_PER_USER:
                raise WeChatError(45059)
            tags.append(tag_id)
    return {"errcode": 0, "errmsg": "ok"}


def tag_id_list(ctx: Ctx) -> dict[str, Any]:
    openid = as_str(ctx.body().get("openid"))
    if ctx.account.follower_index(openid) is None:
        raise WeChatError(40003)
    return {"tagid_list": list(ctx.account.user_tags.get(openid, []))}


ROUTES = [
    ("/cgi-bin/user/get", "GET", user_get, {}),
    ("/cgi-bin/user/info", "GET", user_info, {}),
    ("/cgi-bin/user/info/batchget", "POST", user_info_batch, {}),
    ("/cgi-bin/user/info/updateremark", "POST", update_remark, {}),
    ("/cgi-bin/tags/get", "GET", tags_get, {}),
    ("/cgi-bin/tags/create", "POST", tags_create, {}),
    ("/cgi-bin/tags/members/batchtagging", "POST", batch_tagging, {}),
    ("/cgi-bin/tags/getidlist", "POST", tag_id_list, {}),
]

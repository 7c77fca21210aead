"""The custom menu: create (validated as WeChat does), get, delete, conditional menus.

Limits (platform-apis.md §1.8): 1–3 top-level buttons, up to 5 sub-buttons each; names ≤ 16
bytes (top) / 60 bytes (sub); keys ≤ 128 bytes; URLs ≤ 1024 bytes and http(s).
"""

from __future__ import annotations

import copy
from typing import Any

from .context import Ctx, as_int
from .errors import WeChatError

KEY_TYPES = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
TYPES = KEY_TYPES | {
    "view",
    "miniprogram",
    "media_id",
    "view_limited",
    "article_id",
    "article_view_limited",
}
# (count, type, name, key, url, url domain) error codes for top-level and sub buttons
TOP = (40016, 40017, 40018, 40019, 40020, 40055)
SUB = (40023, 40024, 40025, 40026, 40027, 40054)


def _size(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _check_leaf(button: dict[str, Any], codes: tuple[int, ...], name_limit: int) -> None:
    _, type_code, name_code, key_code, url_code, domain_code = codes
    name = button.get("name")
    if not isinstance(name, str) or not name or _size(name) > name_limit:
        raise WeChatError(name_code, f"name must be 1..{name_limit} bytes")
    kind = button.get("type")
    if kind not in TYPES:
        raise WeChatError(type_code, f"unknown button type {kind!r}")
    if kind in KEY_TYPES:
        key = button.get("key")
        if not isinstance(key, str) or not key or _size(key) > 128:
            raise WeChatError(key_code, "key must be 1..128 bytes")
    if kind in ("view", "miniprogram"):
        url = button.get("url")
        if not isinstance(url, str) or not url or _size(url) > 1024:
            raise WeChatError(url_code, "url must be 1..1024 bytes")
        if not url.startswith(("http://", "https://")):
            raise WeChatError(domain_code, "url must be http(s)")
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise WeChatError(40097, "miniprogram buttons need appid and pagepath")
    if kind in ("media_id", "view_limited") and not button.get("media_id"):
        raise WeChatError(40007, "media_id buttons need media_id")
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        raise WeChatError(40097, "article buttons need article_id")


def check_buttons(buttons: Any) -> list[dict[str, Any]]:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatError(40016, "a menu has 1..3 buttons")
    stored = []
    for button in buttons:
        if not isinstance(button, dict):
            raise WeChatError(47001)
        subs = button.get("sub_button") or []
        if isinstance(subs, dict):  # get_current_selfmenu_info shape
            subs = subs.get("list") or []
        if subs:
            name = button.get("name")
            if not isinstance(name, str) or not name or _size(name) > 16:
                raise WeChatError(40018, "name must be 1..16 bytes")
            if not isinstance(subs, list) or len(subs) > 5:
                raise WeChatError(40023, "a button has at most 5 sub-buttons")
            for sub in subs:
                if not isinstance(sub, dict):
                    raise WeChatError(47001)
                _check_leaf(sub, SUB, 60)
            leaf_subs = [{**copy.deepcopy(s), "sub_button": []} for s in subs]
            stored.append({"name": name, "sub_button": leaf_subs})
        else:
            _check_leaf(button, TOP, 16)
            stored.append({**copy.deepcopy(button), "sub_button": []})
    return stored


def create(ctx: Ctx) -> dict[str, Any]:
    buttons = check_buttons(ctx.body().get("button"))
    ctx.account.menu = {"button": buttons, "menuid": ctx.platform.menu_ids.next()}
    ctx.account.conditional_menus.clear()
    return {"errcode": 0, "errmsg": "ok"}


def get(ctx: Ctx) -> dict[str, Any]:
    if ctx.account.menu is None:
        raise WeChatError(46003)
    result: dict[str, Any] = {"menu": copy.deepcopy(ctx.account.menu)}
    if ctx.account.conditional_menus:
        result["conditionalmenu"] = copy.deepcopy(ctx.account.conditional_menus)
    return result


def delete(ctx: Ctx) -> dict[str, Any]:
    ctx.account.menu = None
    ctx.account.conditional_menus.clear()
    return {"errcode": 0, "errmsg": "ok"}


def add_conditional(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    if ctx.account.menu is None:
        raise WeChatError(65303)
    buttons = check_buttons(body.get("button"))
    rule = body.get("matchrule")
    if not isinstance(rule, dict) or not rule:
        raise WeChatError(65304)
    menuid = ctx.platform.menu_ids.next()
    ctx.account.conditional_menus.append({"button": buttons, "matchrule": rule, "menuid": menuid})
    return {"menuid": str(menuid)}


def del_conditional(ctx: Ctx) -> dict[str, Any]:
    menuid = as_int(ctx.body().get("menuid"), what="menuid")
    menus = ctx.account.conditional_menus
    kept = [m for m in menus if m["menuid"] != menuid]
    if len(kept) == len(menus):
        raise WeChatError(65301)
    ctx.account.conditional_menus = kept
    return {"errcode": 0, "errmsg": "ok"}


def _selfmenu_button(button: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in button.items() if k != "sub_button"}
    if button.get("sub_button"):
        out["sub_button"] = {"list": [_selfmenu_button(s) for s in button["sub_button"]]}
    if out.get("type") == "click" and "key" in out:
        out["value"] = out["key"]
    return out


def current_selfmenu_info(ctx: Ctx) -> dict[str, Any]:
    menu = ctx.account.menu
    if menu is None:
        return {"is_menu_open": 0, "selfmenu_info": {"button": []}}
    return {
        "is_menu_open": 1,
        "selfmenu_info": {"button": [_selfmenu_button(b) for b in menu["button"]]},
    }


ROUTES = [
    ("/cgi-bin/menu/create", "POST", create, {}),
    ("/cgi-bin/menu/get", "GET", get, {}),
    ("/cgi-bin/menu/delete", "GET", delete, {}),
    ("/cgi-bin/menu/addconditional", "POST", add_conditional, {}),
    ("/cgi-bin/menu/delconditional", "POST", del_conditional, {}),
    ("/cgi-bin/get_current_selfmenu_info", "GET", current_selfmenu_info, {}),
]

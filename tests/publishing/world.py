"""A unit with its team, accounts and approved content, for the planning tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from mediadesk.content import services as content
from mediadesk.content.models import Asset, ContentItem, Goal, Variant
from tests import factories as f
from tests.content.world import make_asset, make_goal, mp4

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> dt.datetime:
    """An aware Asia/Shanghai datetime: local(2026, 3, 11, 19, 30)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


@dataclass
class World:
    group: Any
    unit: Any
    author: Any
    l1: Any
    l2: Any
    l3: Any
    hq: Any
    gm: Any
    wechat: Any
    weibo: Any
    douyin: Any
    xhs: Any


def build() -> World:
    group = f.group()
    unit = f.unit(group, name="示例科技")
    return World(
        group=group,
        unit=unit,
        author=f.person(unit, "operator", username="editor"),
        l1=f.person(unit, "reviewer_l1", username="planner"),
        l2=f.person(unit, "reviewer_l2", username="manager"),
        l3=f.person(unit, "reviewer_l3", username="legal"),
        hq=f.person(group, "hq_communications", username="hq"),
        gm=f.person(group, "general_manager", username="gm"),
        wechat=f.account(unit, platform="wechat_subscription", name="示例科技公众号"),
        weibo=f.account(unit, platform="weibo", name="示例科技微博"),
        douyin=f.account(unit, platform="douyin", name="示例科技抖音"),
        xhs=f.account(unit, platform="xiaohongshu", name="示例科技小红书"),
    )


def goal_of(world: World) -> Goal:
    return Goal.objects.filter(owning_unit=world.unit).first() or make_goal(
        world.unit, world.author, deadline=dt.date(2026, 12, 31)
    )


def _asset(world: World, kind: str) -> Asset:
    existing = Asset.objects.filter(owning_unit=world.unit, kind=kind).first()
    if existing is not None:
        return existing
    if kind == "video":
        return make_asset(
            world.unit, world.author, mp4(45), filename="unboxing.mp4", title="开箱视频"
        )
    return make_asset(world.unit, world.author)


def _variant_input(world: World, account: Any, title: str) -> dict[str, Any]:
    """What each platform needs to pass its checks: a cover on WeChat, a 30–60 s video on
    Douyin, a picture on Xiaohongshu."""
    data: dict[str, Any] = {
        "account": account,
        "title": title,
        "body": "<p>新品上市，三大功能升级。</p>",
    }
    if account.platform.startswith("wechat_") and account.platform != "wechat_channels":
        data["cover"] = _asset(world, "image").pk
    elif account.platform == "douyin":
        data["media"] = [_asset(world, "video").pk]
    elif account.platform in {"xiaohongshu", "wechat_channels", "kuaishou", "bilibili"}:
        data["media"] = [_asset(world, "image").pk]
    return data


def approved_item(
    world: World, *accounts: Any, title: str = "新品上市推文", author: Any = None
) -> ContentItem:
    """An item with a variant per account, through submission and three approvals."""
    accounts = accounts or (world.wechat,)
    author = author or world.author
    item = content.create_item(
        actor=author,
        owning_unit=world.unit,
        title=title,
        variants=[_variant_input(world, a, title) for a in accounts],
        goal=goal_of(world),
        target_exposure=300_000,
        target_interaction=10_000,
    )
    state = content.submit_for_review(actor=author, item=item)
    for reviewer in (world.l1, world.l2, world.l3):
        state.refresh_from_db()
        state = content.decide(
            actor=reviewer,
            state=state,
            action="approve",
            revision=state.revision.number,
            version=state.version,
            checklist=dict.fromkeys(state.stage.checklist, True),
        )
    item.refresh_from_db()
    return item


def variant(item: ContentItem, account: Any) -> Variant:
    return item.variants.get(account=account)

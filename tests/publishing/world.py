"""A unit with its team, accounts and approved content, for the planning tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from mediadesk.content import services as content
from mediadesk.content.models import ContentItem, Variant
from tests import factories as f

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
        variants=[
            {"account": a, "title": title, "body": "<p>新品上市，三大功能升级。</p>"}
            for a in accounts
        ],
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

"""Approved content and scheduled publications for the engine's tests.

Items are approved through the content services (three-level review), so the fingerprint the
engine re-checks at send time is the real one. Publications are created directly in state
``scheduled`` — creating them is the planner's job, not the engine's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile

from mediadesk.content import services as content
from mediadesk.content.models import Asset, AssetKind, ContentItem, Goal, LicenceKind
from mediadesk.publishing.models import Publication
from tests import factories as f

_seq = itertools.count(1)

# Smallest files the platforms' magic-byte checks accept.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass
class Team:
    unit: Any
    author: Any  # operator: drafts and publishes
    l1: Any
    l2: Any
    l3: Any
    approver: Any  # HQ communications: may approve withdrawals


def team() -> Team:
    unit = f.unit()
    return Team(
        unit=unit,
        author=f.person(unit, "operator", username=f"author{next(_seq)}"),
        l1=f.person(unit, "reviewer_l1", username=f"planner{next(_seq)}"),
        l2=f.person(unit, "reviewer_l2", username=f"manager{next(_seq)}"),
        l3=f.person(unit, "reviewer_l3", username=f"legal{next(_seq)}"),
        approver=f.person(unit, "hq_communications", username=f"hq{next(_seq)}"),
    )


def image(unit: Any, title: str = "封面", data: bytes = PNG, **fields: Any) -> Asset:
    name = "picture.png" if data.startswith(b"\x89PNG") else "picture.jpg"
    defaults = {
        "owning_unit": unit,
        "title": title,
        "kind": AssetKind.IMAGE,
        "file": ContentFile(data, name=name),
        "original_name": name,
        "content_type": "image/png" if name.endswith("png") else "image/jpeg",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "licence": LicenceKind.OWN,
        "created_by": f.superuser(),
    }
    defaults.update(fields)
    return Asset.objects.create(**defaults)


def goal(who: Team) -> Goal:
    """Every item links to a goal of its unit (CNT-1)."""
    existing = Goal.objects.filter(owning_unit=who.unit).first()
    return existing or Goal.objects.create(
        owning_unit=who.unit,
        name="新品上市曝光",
        metric="exposure",
        target=500_000,
        deadline=dt.date(2026, 12, 31),
        created_by=f.superuser(),
    )


def approve(item: ContentItem, who: Team) -> ContentItem:
    state = content.submit_for_review(actor=who.author, item=item)
    for reviewer in (who.l1, who.l2, who.l3):
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
    assert content.approved_fingerprint_matches(item)
    return item


def approved_item(
    who: Team,
    account: Any,
    *,
    title: str = "",
    body: str = "",
    digest: str = "三大功能升级",
    cover: Asset | None = None,
    media: list[int] | None = None,
    original_url: str = "https://example.com/news",
) -> ContentItem:
    title = title or f"新品上市第{next(_seq)}期"
    if (
        cover is None
        and account.platform.startswith("wechat_")
        and account.platform != "wechat_channels"
    ):
        cover = image(who.unit, f"{title}封面")  # a WeChat article needs one
    if not media and account.platform in {
        "xiaohongshu",
        "wechat_channels",
        "kuaishou",
        "bilibili",
    }:
        media = [image(who.unit, f"{title}配图").pk]  # these apps post pictures or videos
    item = content.create_item(
        actor=who.author,
        owning_unit=who.unit,
        title=title,
        variants=[
            {
                "account": account,
                "title": title,
                "digest": digest,
                "body": body or f"<p>{title}：三大功能升级，欢迎体验。</p>",
                "original_url": original_url,
                "media": media or [],
                "cover": cover.pk if cover is not None else None,
            }
        ],
        goal=goal(who),
    )
    return approve(item, who)


def publication(
    item: ContentItem,
    account: Any,
    *,
    at: datetime,
    owner: Any,
    delivery: str = "publish",
) -> Publication:
    variant = item.variants.get(account=account)
    return Publication.objects.create(
        variant=variant,
        item=item,
        account=account,
        scheduled_at=at,
        delivery=delivery,
        approved_fingerprint=item.approved_fingerprint,
        idempotency_key=uuid.uuid4().hex,
        owner=owner,
        scheduled_by=owner,
    )

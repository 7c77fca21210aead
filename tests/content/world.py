"""Content test world: a unit with its content team, a goal, licensed media, file builders."""

from __future__ import annotations

import datetime as dt
import io
import struct
import wave
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from mediadesk.content import library, planning, services
from mediadesk.content.models import Asset, ContentItem, Goal, WorkflowState
from tests import factories as f


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads land in a throw-away directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


# -- files ------------------------------------------------------------------------------------


def png(width: int = 120, height: int = 80, colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 120, height: int = 80, colour: str = "blue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(seconds: float, *, timescale: int = 1000, brand: bytes = b"isom") -> bytes:
    """A minimal MP4 whose movie header says it runs ``seconds`` (what mutagen reads)."""
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = _box(
        b"mvhd",
        b"\x00\x00\x00\x00"
        + struct.pack(">IIII", 0, 0, timescale, int(seconds * timescale))
        + struct.pack(">IH", 0x00010000, 0x0100)
        + b"\x00" * 70
        + struct.pack(">I", 2),
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"\x00" * 64)


def wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(rate)
        sound.writeframes(b"\x80" * int(seconds * rate))
    return out.getvalue()


def woff2() -> bytes:
    return b"wOF2\x00\x01\x00\x00" + b"\x00" * 40


# -- people and plans -------------------------------------------------------------------------


@dataclass
class Team:
    unit: Any
    author: Any
    l1: Any
    l2: Any
    l3: Any
    wechat: Any
    weibo: Any
    goal: Goal
    cover: Asset


def make_goal(unit: Any, actor: Any, **fields: Any) -> Goal:
    values = {
        "name": "新品上市三天曝光50万",
        "metric": "exposure",
        "target": 500_000,
        "deadline": dt.date(2026, 10, 23),
    }
    values.update(fields)
    return planning.create_goal(actor=actor, owning_unit=unit, **values)


def make_asset(unit: Any, actor: Any, data: bytes | None = None, **fields: Any) -> Asset:
    values = {
        "filename": "cover.png",
        "title": "新品主图",
        "licence": "own",
        "source": "品牌部自拍",
    }
    values.update(fields)
    return library.upload_asset(
        actor=actor, owning_unit=unit, data=data if data is not None else png(), **values
    )


@pytest.fixture
def team() -> Team:
    unit = f.unit()
    author = f.person(unit, "operator", username="author")
    return Team(
        unit=unit,
        author=author,
        l1=f.person(unit, "reviewer_l1", username="planner"),
        l2=f.person(unit, "reviewer_l2", username="manager"),
        l3=f.person(unit, "reviewer_l3", username="legal"),
        wechat=f.account(unit, platform="wechat_subscription", name="示例公众号"),
        weibo=f.account(unit, platform="weibo", name="示例微博"),
        goal=make_goal(unit, author),
        cover=make_asset(unit, author),
    )


def variants(team: Team, text: str = "新品上市，三大功能升级。") -> list[dict[str, Any]]:
    return [
        {
            "account": team.wechat,
            "title": "新品上市",
            "digest": "三大功能升级",
            "body": f"<p>{text}</p>",
            "original_url": "https://example.com/new",
            "cover": team.cover.pk,
        },
        {"account": team.weibo, "body": f"#新品上市# {text}"},
    ]


def make_item(team: Team, text: str = "新品上市，三大功能升级。", **fields: Any) -> ContentItem:
    values = {
        "actor": team.author,
        "owning_unit": team.unit,
        "title": "新品上市推文",
        "variants": variants(team, text),
        "goal": team.goal,
        "target_exposure": 300_000,
    }
    values.update(fields)
    return services.create_item(**values)


def ticked(state: WorkflowState) -> dict[str, bool]:
    return dict.fromkeys(state.stage.checklist, True)


def approve(state: WorkflowState, who: Any, **extra: Any) -> WorkflowState:
    state.refresh_from_db()
    extra.setdefault("action", "approve")
    return services.decide(
        actor=who,
        state=state,
        revision=state.revision.number,
        version=state.version,
        checklist=ticked(state),
        **extra,
    )


def act(state: WorkflowState, who: Any, action: str, opinion: str) -> WorkflowState:
    state.refresh_from_db()
    return services.decide(
        actor=who,
        state=state,
        action=action,
        opinion=opinion,
        revision=state.revision.number,
        version=state.version,
    )


def through_all(state: WorkflowState, team: Team) -> WorkflowState:
    for who in (team.l1, team.l2, team.l3):
        state = approve(state, who)
    return state

"""The target figures of a plan row, as planners write them: "曝光30万+，互动1万+" (模板1).

Each part is a label and a number with an optional Chinese magnitude (万 = 10,000, 亿 =
100,000,000, 千 = 1,000; also ``w``/``k``) and an optional "+". The label decides the metric:
the seed's own rows say 曝光, 播放量 and 话题阅读量 for exposure, 互动 and 转发 for interaction,
转化 for conversion. Two parts for one metric add up (interaction = likes + comments + shares,
ANA-2). No Django here: the sheet import and the services both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAGNITUDES = {
    "": 1,
    "千": 1_000,
    "k": 1_000,
    "万": 10_000,
    "w": 10_000,
    "亿": 100_000_000,
}
#: Label words per metric, checked in this order (转化 before the others: 转化 ≠ 转发).
LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("conversion", ("转化", "下单", "购买", "成交", "注册", "咨询", "销量", "订单", "conversion")),
    (
        "interaction",
        ("互动", "点赞", "评论", "转发", "分享", "收藏", "留言", "在看", "interaction"),
    ),
    ("exposure", ("曝光", "播放", "阅读", "浏览", "展现", "观看", "触达", "覆盖", "exposure")),
)
_SEPARATORS = re.compile(r"[，,；;、/\n]+")
_PART = re.compile(
    r"^(?P<label>[^\d]*?)\s*[:：]?\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<magnitude>千|万|亿|[kKwW])?"
    r"\s*\+?\s*(?:次|人|个|条|位|单)?\s*\+?$"
)
ZH_LABELS = {"exposure": "曝光", "interaction": "互动", "conversion": "转化"}


class TargetsInvalid(ValueError):
    """A part of the text is not "label number[万]"; ``part`` is the part as written."""

    def __init__(self, part: str, reason: str):
        super().__init__(f"{part!r}: {reason}")
        self.part = part
        self.reason = reason


@dataclass(frozen=True)
class Targets:
    exposure: int = 0
    interaction: int = 0
    conversion: int = 0

    def as_fields(self) -> dict[str, int]:
        return {
            "target_exposure": self.exposure,
            "target_interaction": self.interaction,
            "target_conversion": self.conversion,
        }


def parse_amount(number: str, magnitude: str = "") -> int:
    """``"3.2", "万"`` → 32000, exactly (no float rounding)."""
    try:
        value = Decimal(number) * MAGNITUDES[(magnitude or "").lower()]
    except (InvalidOperation, KeyError) as exc:
        raise TargetsInvalid(f"{number}{magnitude}", "not a number") from exc
    if value != value.to_integral_value():
        raise TargetsInvalid(f"{number}{magnitude}", "not a whole number")
    return int(value)


def _metric_of(label: str) -> str | None:
    folded = label.strip().lower()
    for metric, words in LABELS:
        if any(word in folded for word in words):
            return metric
    return None


def parse_targets(text: str) -> Targets:
    """Parse the 目标数据 cell; an empty text means no targets."""
    totals = {"exposure": 0, "interaction": 0, "conversion": 0}
    for raw in _SEPARATORS.split((text or "").strip()):
        part = raw.strip()
        if not part:
            continue
        match = _PART.match(part)
        if match is None:
            raise TargetsInvalid(part, "write a label and a number, e.g. 曝光30万+")
        metric = _metric_of(match["label"])
        if metric is None:
            raise TargetsInvalid(part, "unknown figure: say 曝光, 互动 or 转化")
        totals[metric] += parse_amount(match["number"], match["magnitude"] or "")
    return Targets(**totals)


def format_amount(value: int) -> str:
    """30000 → "3万", 2000 → "2000", 32000 → "3.2万"."""
    if value >= 10_000 and value % 1_000 == 0:
        text = f"{Decimal(value) / 10_000:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text + "万"
    return str(value)


def format_targets(targets: Targets) -> str:
    """The plan's way of writing figures: "曝光30万+，互动1万+"."""
    parts = [
        f"{ZH_LABELS[metric]}{format_amount(getattr(targets, metric))}+"
        for metric in ("exposure", "interaction", "conversion")
        if getattr(targets, metric)
    ]
    return "，".join(parts)

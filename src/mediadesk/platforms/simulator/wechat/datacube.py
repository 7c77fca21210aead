"""Datacube (数据统计): deterministic, realistic daily figures for all 17 endpoints.

Every figure is drawn from a generator seeded by appid, endpoint and date, so the same query
gives the same numbers on every run and machine. Follower growth is one curve per account
(``getusersummary`` adds up to ``getusercumulate``). Article endpoints cover mass-sent (群发)
articles only, as WeChat's do: those sent through the simulator plus a seeded history of
earlier sends. Dates are checked as WeChat checks them (61500 format, 61501 range: span too
long, end not before today, before 2014-12-01).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from ..clock import china_date
from ..ids import seeded
from .account import Account
from .context import Ctx, as_str
from .errors import WeChatError

EPOCH = date(2014, 12, 1)
SPANS = {
    "getusersummary": 7,
    "getusercumulate": 7,
    "getarticlesummary": 1,
    "getarticletotal": 1,
    "getuserread": 3,
    "getuserreadhour": 1,
    "getusershare": 7,
    "getusersharehour": 1,
    "getupstreammsg": 7,
    "getupstreammsghour": 1,
    "getupstreammsgweek": 30,
    "getupstreammsgmonth": 30,
    "getupstreammsgdist": 15,
    "getupstreammsgdistweek": 30,
    "getupstreammsgdistmonth": 30,
    "getinterfacesummary": 30,
    "getinterfacesummaryhour": 1,
}
USER_SOURCES = (0, 1, 17, 30, 43, 51, 57, 75, 78)
READ_SOURCES = (0, 1, 2, 4, 5)
HOURLY = (
    1,
    0.6,
    0.3,
    0.2,
    0.2,
    0.3,
    1,
    2,
    3.5,
    4,
    3.5,
    3,
    4.5,
    3.5,
    3,
    3,
    3,
    3.2,
    3.8,
    4.5,
    5.5,
    6,
    4.5,
    2,
)
TITLES = (
    "本周行业动态速览",
    "新品发布会精彩回顾",
    "一图读懂年度报告",
    "客户故事｜从零到一的数字化转型",
    "活动预告：城市开放日报名开启",
    "产品小课堂：五分钟上手新功能",
    "我们的团队又壮大了",
    "节日特辑｜感谢一路同行",
)


def _rng(account: Account, name: str, day: date, *extra: object) -> random.Random:
    return seeded(account.appid, "datacube", name, day.isoformat(), *extra)


def _parse(value: Any) -> date:
    text = as_str(value)
    try:
        if len(text) != 10:
            raise ValueError(text)
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise WeChatError(61500) from exc


def _dates(ctx: Ctx, name: str) -> list[date]:
    body = ctx.body()
    begin, end = _parse(body.get("begin_date")), _parse(body.get("end_date"))
    today = china_date(ctx.now)
    span = SPANS[name]
    if begin > end or (end - begin).days + 1 > span:
        raise WeChatError(61501, f"{name} takes at most {span} day(s)")
    if end >= today or begin < EPOCH:
        raise WeChatError(61501, "end_date must be before today and begin_date after 2014-12-01")
    return [begin + timedelta(days=i) for i in range((end - begin).days + 1)]


# -- followers ------------------------------------------------------------------------------


def cumulate(account: Account, day: date) -> int:
    growth = seeded(account.appid, "growth")
    base, slope = growth.randint(800, 6000), growth.uniform(1.5, 12.0)
    wobble = seeded(account.appid, "wobble", day.isoformat()).randint(0, int(slope * 3) + 3)
    return int(base + slope * (day - EPOCH).days + wobble)


def _split(rng: random.Random, total: int, keys: tuple[int, ...]) -> dict[int, int]:
    weights = [rng.random() ** 2 for _ in keys]
    scale = sum(weights) or 1.0
    shares = {k: int(total * w / scale) for k, w in zip(keys, weights, strict=True)}
    shares[keys[0]] += total - sum(shares.values())
    return shares


def user_summary(account: Account, day: date) -> list[dict[str, Any]]:
    rng = _rng(account, "usersummary", day)
    net = cumulate(account, day) - cumulate(account, day - timedelta(days=1))
    cancel = rng.randint(0, max(2, cumulate(account, day) // 900))
    new = net + cancel
    if new < 0:
        cancel, new = cancel - new, 0
    rows = []
    for source, count in _split(rng, new, USER_SOURCES).items():
        if count or source == 0:
            rows.append(
                {
                    "ref_date": day.isoformat(),
                    "user_source": source,
                    "new_user": count,
                    "cancel_user": cancel if source == 0 else 0,
                }
            )
    return rows


# -- articles (mass-sent only) ------------------------------------------------------------------


def _sent_on(account: Account, day: date) -> list[tuple[str, str]]:
    """(msgid, title) of the articles mass-sent that day: simulated history plus real sends."""
    sent: list[tuple[str, str]] = []
    rng = _rng(account, "mass-history", day)
    if rng.random() < 0.6:
        base = 1_000_000_000 + (day - EPOCH).days
        for idx in range(1, rng.randint(1, 3) + 1):
            sent.append((f"{base}_{idx}", rng.choice(TITLES)))
    for pub in account.publications.values():
        if pub.channel == "mass" and china_date(pub.create_time) == day:
            for idx, item in enumerate(pub.items, start=1):
                sent.append((f"{pub.msg_data_id}_{idx}", item["title"]))
    return sent


def _article_day(account: Account, msgid: str, sent: date, stat: date) -> dict[str, int]:
    """Figures for one article on one day; reads fall off over the week after sending."""
    rng = seeded(account.appid, "article", msgid, stat.isoformat())
    audience = cumulate(account, sent)
    decay = 0.45 ** (stat - sent).days
    read_user = int(audience * rng.uniform(0.04, 0.14) * decay)
    ori_user = int(read_user * rng.uniform(0.0, 0.03))
    share_user = int(read_user * rng.uniform(0.02, 0.08))
    fav_user = int(read_user * rng.uniform(0.005, 0.03))
    figures = {
        "int_page_read_user": read_user,
        "int_page_read_count": int(read_user * rng.uniform(1.05, 1.35)),
        "ori_page_read_user": ori_user,
        "ori_page_read_count": int(ori_user * rng.uniform(1.0, 1.2)),
        "share_user": share_user,
        "share_count": int(share_user * rng.uniform(1.0, 1.3)),
        "add_to_fav_user": fav_user,
        "add_to_fav_count": int(fav_user * rng.uniform(1.0, 1.1)),
    }
    return figures


def article_summary(account: Account, day: date) -> list[dict[str, Any]]:
    return [
        {
            "ref_date": day.isoformat(),
            "msgid": msgid,
            "title": title,
            **_article_day(account, msgid, day, day),
        }
        for msgid, title in _sent_on(account, day)
    ]


def article_total(account: Account, day: date, yesterday: date) -> list[dict[str, Any]]:
    rows = []
    for msgid, title in _sent_on(account, day):
        details, totals = [], dict.fromkeys(_article_day(account, msgid, day, day), 0)
        for offset in range(7):
            stat = day + timedelta(days=offset)
            if stat > yesterday:
                break
            for key, value in _article_day(account, msgid, day, stat).items():
                totals[key] += value
            reads = totals["int_page_read_user"]
            rng = seeded(account.appid, "sources", msgid, stat.isoformat())
            split = _split(rng, reads, (0, 1, 2, 3, 4))
            details.append(
                {
                    "stat_date": stat.isoformat(),
                    "target_user": cumulate(account, day),
                    **totals,
                    "int_page_from_session_read_user": split[0],
                    "int_page_from_hist_msg_read_user": split[1],
                    "int_page_from_feed_read_user": split[2],
                    "int_page_from_friends_read_user": split[3],
                    "int_page_from_other_read_user": split[4],
                }
            )
        rows.append(
            {"ref_date": day.isoformat(), "msgid": msgid, "title": title, "details": details}
        )
    return rows


# -- reading, sharing, messages, interface ----------------------------------------------------


def _reads(account: Account, day: date, source: int, hour: int | None = None) -> dict[str, int]:
    rng = _rng(account, "read", day, source, hour)
    scale = cumulate(account, day) * rng.uniform(0.01, 0.04)
    if hour is not None:
        scale = scale * HOURLY[hour] / sum(HOURLY)
    user = int(scale)
    return {
        "int_page_read_user": user,
        "int_page_read_count": int(user * rng.uniform(1.1, 1.5)),
        "ori_page_read_user": int(user * rng.uniform(0, 0.05)),
        "ori_page_read_count": int(user * rng.uniform(0, 0.06)),
        "share_user": int(user * rng.uniform(0.01, 0.06)),
        "share_count": int(user * rng.uniform(0.012, 0.08)),
        "add_to_fav_user": int(user * rng.uniform(0.002, 0.02)),
        "add_to_fav_count": int(user * rng.uniform(0.002, 0.025)),
    }


def user_read(account: Account, day: date) -> list[dict[str, Any]]:
    per_source = {s: _reads(account, day, s) for s in READ_SOURCES}
    total = {k: sum(f[k] for f in per_source.values()) for k in per_source[0]}
    rows = [{"ref_date": day.isoformat(), "user_source": 99999999, **total}]
    rows += [{"ref_date": day.isoformat(), "user_source": s, **f} for s, f in per_source.items()]
    return rows


def user_read_hour(account: Account, day: date) -> list[dict[str, Any]]:
    return [
        {
            "ref_date": day.isoformat(),
            "ref_hour": h * 100,
            "user_source": 0,
            **_reads(account, day, 0, h),
        }
        for h in range(24)
    ]


def _share(account: Account, day: date, scene: int, hour: int | None = None) -> dict[str, int]:
    rng = _rng(account, "share", day, scene, hour)
    user = int(cumulate(account, day) * rng.uniform(0.001, 0.006) * (1 if scene == 1 else 0.5))
    if hour is not None:
        user = int(user * HOURLY[hour] / sum(HOURLY) * 3)
    return {
        "share_scene": scene,
        "share_count": int(user * rng.uniform(1.0, 1.4)),
        "share_user": user,
    }


def user_share(account: Account, day: date) -> list[dict[str, Any]]:
    return [{"ref_date": day.isoformat(), **_share(account, day, s)} for s in (1, 2, 255)]


def user_share_hour(account: Account, day: date) -> list[dict[str, Any]]:
    return [
        {"ref_date": day.isoformat(), "ref_hour": h * 100, **_share(account, day, 1, h)}
        for h in range(24)
    ]


def _upstream(
    account: Account, day: date, msg_type: int, hour: int | None = None
) -> dict[str, int]:
    rng = _rng(account, "upstream", day, msg_type, hour)
    user = int(cumulate(account, day) * rng.uniform(0.0005, 0.004) / msg_type)
    if hour is not None:
        user = int(user * HOURLY[hour] / sum(HOURLY) * 2)
    return {"msg_type": msg_type, "msg_user": user, "msg_count": int(user * rng.uniform(1, 1.8))}


def upstream(account: Account, day: date) -> list[dict[str, Any]]:
    return [{"ref_date": day.isoformat(), **_upstream(account, day, t)} for t in (1, 2, 3)]


def upstream_hour(account: Account, day: date) -> list[dict[str, Any]]:
    return [
        {"ref_date": day.isoformat(), "ref_hour": h * 100, **_upstream(account, day, 1, h)}
        for h in range(24)
    ]


def _dist(account: Account, day: date) -> dict[int, int]:
    rng = _rng(account, "dist", day)
    users = _upstream(account, day, 1)["msg_user"]
    return _split(rng, users, (1, 2, 3))


def upstream_dist(account: Account, day: date) -> list[dict[str, Any]]:
    return [
        {"ref_date": day.isoformat(), "count_interval": k, "msg_user": v}
        for k, v in _dist(account, day).items()
    ]


def _grouped(
    account: Account, days: list[date], key: Callable[[date], date], dist: bool
) -> list[dict[str, Any]]:
    groups: dict[date, list[date]] = {}
    for day in days:
        groups.setdefault(key(day), []).append(day)
    rows: list[dict[str, Any]] = []
    for start, members in groups.items():
        if dist:
            sums: dict[int, int] = {}
            for d in members:
                for k, v in _dist(account, d).items():
                    sums[k] = sums.get(k, 0) + v
            rows += [
                {"ref_date": start.isoformat(), "count_interval": k, "msg_user": v}
                for k, v in sums.items()
            ]
        else:
            for msg_type in (1, 2, 3):
                figures = [_upstream(account, d, msg_type) for d in members]
                rows.append(
                    {
                        "ref_date": start.isoformat(),
                        "msg_type": msg_type,
                        "msg_user": sum(f["msg_user"] for f in figures),
                        "msg_count": sum(f["msg_count"] for f in figures),
                    }
                )
    return rows


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(day: date) -> date:
    return day.replace(day=1)


def _interface(account: Account, day: date, hour: int | None = None) -> dict[str, int]:
    rng = _rng(account, "interface", day, hour)
    calls = int(cumulate(account, day) * rng.uniform(0.002, 0.01))
    if hour is not None:
        calls = int(calls * HOURLY[hour] / sum(HOURLY))
    return {
        "callback_count": calls,
        "fail_count": int(calls * rng.uniform(0, 0.01)),
        "total_time_cost": calls * rng.randint(80, 260),
        "max_time_cost": rng.randint(300, 4800),
    }


def interface_summary(account: Account, day: date) -> list[dict[str, Any]]:
    return [{"ref_date": day.isoformat(), **_interface(account, day)}]


def interface_summary_hour(account: Account, day: date) -> list[dict[str, Any]]:
    return [
        {"ref_date": day.isoformat(), "ref_hour": h * 100, **_interface(account, day, h)}
        for h in range(24)
    ]


DAILY: dict[str, Callable[[Account, date], list[dict[str, Any]]]] = {
    "getusersummary": user_summary,
    "getusercumulate": lambda a, d: [{"ref_date": d.isoformat(), "cumulate_user": cumulate(a, d)}],
    "getarticlesummary": article_summary,
    "getuserread": user_read,
    "getuserreadhour": user_read_hour,
    "getusershare": user_share,
    "getusersharehour": user_share_hour,
    "getupstreammsg": upstream,
    "getupstreammsghour": upstream_hour,
    "getupstreammsgdist": upstream_dist,
    "getinterfacesummary": interface_summary,
    "getinterfacesummaryhour": interface_summary_hour,
}


def _handler(name: str) -> Callable[[Ctx], dict[str, Any]]:
    def handle(ctx: Ctx) -> dict[str, Any]:
        days = _dates(ctx, name)
        account = ctx.account
        if name in DAILY:
            rows = [row for day in days for row in DAILY[name](account, day)]
        elif name == "getarticletotal":
            yesterday = china_date(ctx.now) - timedelta(days=1)
            rows = [row for day in days for row in article_total(account, day, yesterday)]
        else:
            group = _week if "week" in name else _month
            rows = _grouped(account, days, group, dist="dist" in name)
        return {"list": rows}

    handle.__name__ = name
    return handle


ROUTES = [(f"/datacube/{name}", "POST", _handler(name), {"verified": True}) for name in SPANS]

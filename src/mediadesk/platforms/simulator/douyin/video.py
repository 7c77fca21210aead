"""Douyin videos: upload, create (goes through review), list, batch data and item data.

``upload_video`` takes a multipart ``video`` (MP4, ≤ 128 MB; larger needs chunked upload,
which is not simulated); ``create_video`` publishes it — the item is under review (visible to
its author only) for ``douyin_review_delay`` seconds. Figures are seeded by item and day;
``/data/external/item/*`` answers only for items created within 30 days, as Douyin does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from .. import ids
from ..clock import china_date
from ..ids import seeded
from .context import DCtx
from .state import DouyinError, Item, Video

MAX_VIDEO = 128 * 1024 * 1024
MAX_TEXT = 1000
PAGE_MAX = 20
DATA_WINDOW_DAYS = 30


def upload_video(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.create.bind")
    upload = ctx.request.files.get("video")
    if upload is None or upload.size == 0:
        raise DouyinError(2100005, "缺少视频文件 video")
    if upload.data[4:8] != b"ftyp":
        raise DouyinError(2100005, "视频格式不支持，请上传 mp4")
    if upload.size > MAX_VIDEO:
        raise DouyinError(2100005, "视频超过 128MB，请使用分片上传")
    video = Video("v0200f" + ids.hex_id(26), token.grant.open_id, upload.size, ctx.now)
    ctx.state.videos[video.video_id] = video
    return {"video": {"video_id": video.video_id, "width": 720, "height": 1280}}


def create_video(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.create.bind")
    body = ctx.body()
    video = ctx.state.videos.get(str(body.get("video_id") or ""))
    if video is None or video.open_id != token.grant.open_id:
        raise DouyinError(2100005, "video_id 无效")
    if video.used:
        raise DouyinError(2100005, "该视频已发布")
    text = str(body.get("text") or "")
    if len(text) > MAX_TEXT:
        raise DouyinError(2100005, f"text 不能超过 {MAX_TEXT} 字")
    delay = ctx.config.douyin_review_delay
    delay = ctx.config.publish_delay if delay is None else delay
    item = Item(
        item_id="@" + ids.token(36) + "=",
        open_id=token.grant.open_id,
        client_key=token.grant.client_key,
        video_id=video.video_id,
        text=text,
        created_at=ctx.now,
        reviewed_at=ctx.now + delay,
        cover_tsp=float(body.get("cover_tsp") or 0),
    )
    video.used = True
    ctx.state.items[item.item_id] = item
    return {"item_id": item.item_id}


def _day_figures(item: Item, day: date) -> dict[str, int]:
    created = china_date(item.created_at)
    if day < created:
        return {"play": 0, "like": 0, "comment": 0, "share": 0}
    rng = seeded("douyin-item", item.item_id, day.isoformat())
    play = int(
        seeded("douyin-reach", item.item_id).randint(500, 40_000) * 0.55 ** (day - created).days
    )
    return {
        "play": play,
        "like": int(play * rng.uniform(0.02, 0.09)),
        "comment": int(play * rng.uniform(0.001, 0.01)),
        "share": int(play * rng.uniform(0.002, 0.02)),
    }


def statistics(ctx: DCtx, item: Item) -> dict[str, int]:
    today = china_date(ctx.now)
    totals = {"play": 0, "like": 0, "comment": 0, "share": 0}
    day = china_date(item.created_at)
    while day <= today and ctx.now >= item.reviewed_at:
        for key, value in _day_figures(item, day).items():
            totals[key] += value
        day += timedelta(days=1)
    comments = sum(1 for c in ctx.state.comments.values() if c.item_id == item.item_id)
    return {
        "comment_count": totals["comment"] + comments,
        "digg_count": totals["like"],
        "download_count": totals["share"] // 4,
        "play_count": totals["play"],
        "share_count": totals["share"],
        "forward_count": totals["share"] // 3,
    }


def _aweme_id(item: Item) -> int:
    return seeded("douyin-aweme", item.item_id).randint(7 * 10**18, 75 * 10**17)


def item_json(ctx: DCtx, item: Item) -> dict[str, Any]:
    reviewed = ctx.now >= item.reviewed_at
    return {
        "item_id": item.item_id,
        "title": item.text,
        "cover": f"https://p3-sign.douyinpic.com/obj/tos-cn-p-0015/{item.video_id}~tplv.jpeg",
        "create_time": int(item.created_at),
        "is_top": False,
        "is_reviewed": reviewed,
        "video_status": 1 if reviewed else 4,
        "share_url": f"https://www.iesdouyin.com/share/video/{_aweme_id(item)}/"
        if reviewed
        else "",
        "statistics": statistics(ctx, item),
    }


def video_list(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.list.bind")
    cursor = ctx.int_param("cursor", 0)
    count = ctx.int_param("count", 10)
    if not 1 <= count <= PAGE_MAX or cursor < 0:
        raise DouyinError(2100005, f"count 取值 1-{PAGE_MAX}")
    mine = sorted(
        (i for i in ctx.state.items.values() if i.open_id == token.grant.open_id),
        key=lambda i: -i.created_at,
    )
    page = mine[cursor : cursor + count]
    return {
        "cursor": cursor + len(page),
        "has_more": cursor + len(page) < len(mine),
        "list": [item_json(ctx, i) for i in page],
    }


def video_data(ctx: DCtx) -> dict[str, Any]:
    token = ctx.user("video.data.bind")
    wanted = ctx.body().get("item_ids")
    if not isinstance(wanted, list) or not 1 <= len(wanted) <= PAGE_MAX:
        raise DouyinError(2100005, f"item_ids 需要 1-{PAGE_MAX} 个")
    rows = []
    for item_id in wanted:
        item = ctx.state.items.get(str(item_id))
        if item is not None and item.open_id == token.grant.open_id:
            rows.append(item_json(ctx, item))
    return {"list": rows}


def _item_for_data(ctx: DCtx) -> tuple[Item, list[date]]:
    token = ctx.user("data.external.item")
    item = ctx.state.items.get(ctx.param("item_id"))
    if item is None or item.open_id != token.grant.open_id:
        raise DouyinError(2100005, "item_id 无效")
    date_type = ctx.int_param("date_type", 7)
    if date_type not in (7, 15, 30):
        raise DouyinError(2100005, "date_type 只能为 7/15/30")
    if ctx.now - item.created_at > DATA_WINDOW_DAYS * 86400:
        raise DouyinError(2100005, "只能查询30天内创建的视频")
    yesterday = china_date(ctx.now) - timedelta(days=1)
    return item, [yesterday - timedelta(days=n) for n in range(date_type - 1, -1, -1)]


def item_base(ctx: DCtx) -> dict[str, Any]:
    item, days = _item_for_data(ctx)
    figures = [_day_figures(item, d) for d in days]
    play = sum(f["play"] for f in figures)
    return {
        "result": {
            "avg_play_duration": round(seeded("douyin-dur", item.item_id).uniform(4.0, 28.0), 2),
            "total_comment": sum(f["comment"] for f in figures),
            "total_like": sum(f["like"] for f in figures),
            "total_play": play,
            "total_share": sum(f["share"] for f in figures),
        }
    }


def _series(metric: str) -> Callable[[DCtx], dict[str, Any]]:
    def handle(ctx: DCtx) -> dict[str, Any]:
        item, days = _item_for_data(ctx)
        return {
            "result_list": [
                {"date": d.isoformat(), metric: _day_figures(item, d)[metric]} for d in days
            ]
        }

    handle.__name__ = f"item_{metric}"
    return handle


ROUTES = [
    ("/api/douyin/v1/video/upload_video/", ("POST",), upload_video, "api"),
    ("/api/douyin/v1/video/create_video/", ("POST",), create_video, "api"),
    ("/api/douyin/v1/video/video_list/", ("GET",), video_list, "api"),
    ("/api/douyin/v1/video/video_data/", ("POST",), video_data, "api"),
    ("/data/external/item/base/", ("GET",), item_base, "api"),
    *[
        (f"/data/external/item/{metric}/", ("GET",), _series(metric), "api")
        for metric in ("like", "comment", "play", "share")
    ],
]

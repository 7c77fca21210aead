"""Media: temporary uploads, in-article images (``uploadimg``) and permanent materials.

Type and size rules follow platform-apis.md §1.4 (image 10 MB bmp/png/jpeg/jpg/gif, voice
2 MB mp3/wma/wav/amr, video 10 MB mp4, thumb 64 KB jpg; uploadimg jpg/png < 1 MB). A file is
accepted when its extension or its magic bytes say an allowed type.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ids
from ..http import Response, UploadedFile
from .account import Material
from .context import Ctx, as_int, as_str
from .errors import WeChatError

MB = 1024 * 1024
RULES: dict[str, tuple[int, frozenset[str], int]] = {
    "image": (10 * MB, frozenset({"bmp", "png", "jpeg", "jpg", "gif"}), 40009),
    "voice": (2 * MB, frozenset({"mp3", "wma", "wav", "amr"}), 40010),
    "video": (10 * MB, frozenset({"mp4"}), 40011),
    "thumb": (64 * 1024, frozenset({"jpg", "jpeg"}), 40012),
}
TEMPORARY_TTL = 3 * 86400
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "mp3": "audio/mpeg",
    "amr": "audio/amr",
    "wav": "audio/wav",
    "wma": "audio/x-ms-wma",
    "mp4": "video/mp4",
}


def sniff(data: bytes) -> str | None:
    """The file type its first bytes announce (enough to catch a renamed text file)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if data.startswith(b"#!AMR"):
        return "amr"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data.startswith(b"\x30\x26\xb2\x75"):
        return "wma"
    return None


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _checked_file(ctx: Ctx, kind: str) -> tuple[UploadedFile, str]:
    if kind not in RULES:
        raise WeChatError(40004)
    upload = ctx.request.files.get("media")
    if upload is None or upload.size == 0:
        raise WeChatError(41005)
    limit, allowed, size_code = RULES[kind]
    ext, magic = _extension(upload.filename), sniff(upload.data)
    if magic is not None and magic not in allowed and not (magic == "jpg" and "jpeg" in allowed):
        raise WeChatError(40005, f"{upload.filename} is {magic}, {kind} takes {sorted(allowed)}")
    if magic is None and ext not in allowed:
        raise WeChatError(40005, f"{upload.filename}: {kind} takes {sorted(allowed)}")
    if upload.size > limit:
        raise WeChatError(size_code, f"{upload.size} bytes > {limit}")
    return upload, magic or ext


def _image_url(fmt: str) -> str:
    fmt = "jpeg" if fmt == "jpg" else fmt
    return f"http://mmbiz.qpic.cn/sz_mmbiz_{fmt}/{ids.token(54)}/0?wx_fmt={fmt}"


def _store(ctx: Ctx, kind: str, permanent: bool, upload: UploadedFile, fmt: str) -> Material:
    media_id = ids.token(43 if permanent else 64)
    material = Material(
        media_id=media_id,
        kind=kind,
        permanent=permanent,
        filename=upload.filename,
        content_type=CONTENT_TYPES.get(fmt, upload.content_type),
        data=upload.data,
        created_at=ctx.now,
    )
    ctx.account.materials[media_id] = material
    return material


def upload_temporary(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.request.query.get("type", "")
    upload, fmt = _checked_file(ctx, kind)
    material = _store(ctx, kind, False, upload, fmt)
    key = "thumb_media_id" if kind == "thumb" else "media_id"
    return {"type": kind, key: material.media_id, "created_at": int(ctx.now)}


def get_temporary(ctx: Ctx) -> Response | dict[str, Any]:
    media_id = ctx.request.query.get("media_id", "")
    material = ctx.account.materials.get(media_id)
    if material is None or material.permanent:
        raise WeChatError(40007)
    if ctx.now - material.created_at > TEMPORARY_TTL:
        raise WeChatError(40007, "temporary media expires after 3 days")
    if material.kind == "video":
        return {"video_url": f"http://mmbiz.qpic.cn/video/{media_id}.mp4"}
    return Response(
        body=material.data,
        content_type=material.content_type,
        headers=[("Content-disposition", f'attachment; filename="{material.filename}"')],
    )


def upload_image(ctx: Ctx) -> dict[str, Any]:
    upload = ctx.request.files.get("media")
    if upload is None or upload.size == 0:
        raise WeChatError(41005)
    fmt = sniff(upload.data) or _extension(upload.filename)
    if fmt not in ("jpg", "jpeg", "png"):
        raise WeChatError(40005, "uploadimg takes jpg or png")
    if upload.size >= MB:
        raise WeChatError(40009, "uploadimg takes images under 1 MB")
    url = _image_url(fmt)
    ctx.account.uploadimg_urls.add(url)
    return {"url": url}


def add_material(ctx: Ctx) -> dict[str, Any]:
    kind = ctx.request.query.get("type", "")
    upload, fmt = _checked_file(ctx, kind)
    title = introduction = ""
    if kind == "video":
        raw = ctx.request.form.get("description") or ctx.request.query.get("description")
        try:
            description = json.loads(raw or "")
            title = as_str(description["title"])
            introduction = as_str(description.get("introduction", ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise WeChatError(
                47001, 'video needs description={"title":…,"introduction":…}'
            ) from exc
        if not title:
            raise WeChatError(47001, "video description needs a title")
    material = _store(ctx, kind, True, upload, fmt)
    material.title, material.introduction = title, introduction
    result: dict[str, Any] = {"media_id": material.media_id}
    if kind in ("image", "thumb"):
        material.url = _image_url(fmt)
        ctx.account.uploadimg_urls.add(material.url)
    if kind == "image":
        result["url"] = material.url
    return result


def _permanent(ctx: Ctx) -> Material:
    media_id = as_str(ctx.body().get("media_id"))
    material = ctx.account.materials.get(media_id)
    if material is None or not material.permanent:
        raise WeChatError(40007)
    return material


def get_material(ctx: Ctx) -> Response | dict[str, Any]:
    material = _permanent(ctx)
    if material.kind == "video":
        return {
            "title": material.title,
            "description": material.introduction,
            "down_url": f"http://mmbiz.qpic.cn/video/{material.media_id}.mp4",
        }
    return Response(
        body=material.data,
        content_type=material.content_type,
        headers=[("Content-disposition", f'attachment; filename="{material.filename}"')],
    )


def _used_by_menu(ctx: Ctx, media_id: str) -> bool:
    menu = ctx.account.menu or {}
    buttons = list(menu.get("button", []))
    for button in list(buttons):
        buttons.extend(button.get("sub_button") or [])
    return any(b.get("media_id") == media_id for b in buttons)


def del_material(ctx: Ctx) -> dict[str, Any]:
    material = _permanent(ctx)
    if _used_by_menu(ctx, material.media_id):
        raise WeChatError(48005)
    del ctx.account.materials[material.media_id]
    return {"errcode": 0, "errmsg": "ok"}


def batchget_material(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body()
    kind = as_str(body.get("type"))
    offset = as_int(body.get("offset", 0), what="offset")
    count = as_int(body.get("count", 20), what="count")
    if kind not in ("image", "voice", "video", "news", "thumb"):
        raise WeChatError(40004)
    if not 1 <= count <= 20 or offset < 0:
        raise WeChatError(40097, "count must be 1..20 and offset >= 0")
    items = sorted(
        (m for m in ctx.account.materials.values() if m.permanent and m.kind == kind),
        key=lambda m: -m.created_at,
    )
    page = items[offset : offset + count]
    rows = []
    for m in page:
        row: dict[str, Any] = {
            "media_id": m.media_id,
            "name": m.filename,
            "update_time": int(m.created_at),
        }
        if m.url:
            row["url"] = m.url
        rows.append(row)
    return {"total_count": len(items), "item_count": len(rows), "item": rows}


def material_count(ctx: Ctx) -> dict[str, Any]:
    counts = {"voice_count": 0, "video_count": 0, "image_count": 0, "news_count": 0}
    for m in ctx.account.materials.values():
        if m.permanent and f"{m.kind}_count" in counts:
            counts[f"{m.kind}_count"] += 1
    return counts


ROUTES = [
    ("/cgi-bin/media/upload", "POST", upload_temporary, {}),
    ("/cgi-bin/media/get", "GET", get_temporary, {}),
    ("/cgi-bin/media/uploadimg", "POST", upload_image, {}),
    ("/cgi-bin/material/add_material", "POST", add_material, {}),
    ("/cgi-bin/material/get_material", "POST", get_material, {}),
    ("/cgi-bin/material/del_material", "POST", del_material, {}),
    ("/cgi-bin/material/batchget_material", "POST", batchget_material, {}),
    ("/cgi-bin/material/get_materialcount", "GET", material_count, {}),
]

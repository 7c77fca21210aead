"""File checks made before an upload, so a file the platform would refuse is never sent.

The type is read from the file's first bytes, not trusted from its name: a renamed text file
is caught here rather than by the platform after the upload has used quota. Sizes are the
platforms' documented limits (platform-apis.md §1.4, §3.2, §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from .errors import InvalidContent
from .values import MediaFile

KB = 1024
MB = 1024 * KB

NAMES = {
    "jpg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "bmp": "BMP",
    "mp3": "MP3",
    "amr": "AMR",
    "wav": "WAV",
    "wma": "WMA",
    "mp4": "MP4",
}


def sniff(data: bytes) -> str | None:
    """The format the file's first bytes announce, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM") and len(data) > 14:
        return "bmp"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if data.startswith(b"#!AMR"):
        return "amr"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"\x30\x26\xb2\x75"):
        return "wma"
    if data[4:8] == b"ftyp":
        return "mp4"
    return None


def _size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n / KB:.0f} KB" if n >= KB else f"{n} bytes"


@dataclass(frozen=True)
class MediaRule:
    """What one upload slot accepts: formats, a size ceiling, and what to call it."""

    label: str  # "a WeChat cover image"
    formats: frozenset[str]
    max_bytes: int
    inclusive: bool = True  # False: the limit itself is too big ("under 1 MB")

    def check(self, media: MediaFile, *, platform: str, field: str = "media") -> str:
        """The file's format when it fits; :class:`InvalidContent` (nothing sent) when not."""
        allowed = ", ".join(NAMES[f] for f in sorted(self.formats))
        if media.size == 0:
            raise InvalidContent(f"{media.filename} is empty.", field=field, platform=platform)
        fmt = sniff(media.data)
        if fmt is None:
            raise InvalidContent(
                f"{media.filename} is not a file type {platform} takes for {self.label} "
                f"({allowed}).",
                field=field,
                platform=platform,
            )
        if fmt not in self.formats:
            raise InvalidContent(
                f"{media.filename} is a {NAMES[fmt]} file; {self.label} must be {allowed}.",
                field=field,
                platform=platform,
            )
        too_big = media.size > self.max_bytes if self.inclusive else media.size >= self.max_bytes
        if too_big:
            limit = (
                f"at most {_size(self.max_bytes)}"
                if self.inclusive
                else (f"under {_size(self.max_bytes)}")
            )
            raise InvalidContent(
                f"{media.filename} is {_size(media.size)}; {self.label} must be {limit}.",
                field=field,
                platform=platform,
            )
        return fmt


def upload_name(media: MediaFile, fmt: str) -> str:
    """The file name to send: its stem with the extension its content really has."""
    stem = PurePosixPath(media.filename.replace("\\", "/")).stem or "upload"
    return f"{stem}.{fmt}"


CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "mp3": "audio/mpeg",
    "amr": "audio/amr",
    "wav": "audio/wav",
    "wma": "audio/x-ms-wma",
    "mp4": "video/mp4",
}

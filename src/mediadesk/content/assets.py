"""How content refers to media-library files, and turning an asset into an uploadable file.

A variant's ``cover`` and ``media`` name :class:`~mediadesk.content.models.Asset` rows; an image
inside a WeChat article body is written ``<img src="asset:12">``. Publishing uploads each
referenced asset to the platform and replaces the reference with the platform's URL
(:func:`replace_body_assets`); the preview replaces it with the library's own URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mediadesk.content.models import Asset
from mediadesk.platforms.connectors.values import MediaFile

ASSET_SCHEME = "asset"
_BODY_ASSET = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*["'])asset:(\d+)(["'])""", re.I)


def body_asset_ids(html: str) -> list[int]:
    """Ids of the library images an article body shows, in order, without repeats."""
    seen: dict[int, None] = {}
    for match in _BODY_ASSET.finditer(html or ""):
        seen.setdefault(int(match.group(2)), None)
    return list(seen)


def replace_body_assets(html: str, urls: Mapping[int, str]) -> str:
    """``html`` with each ``asset:N`` image source replaced by ``urls[N]`` (left as is when
    ``urls`` has no entry, so a missing upload shows up rather than vanishing)."""

    def swap(match: re.Match[str]) -> str:
        url = urls.get(int(match.group(2)))
        if url is None:
            return match.group(0)
        return f"{match.group(1)}{url}{match.group(3)}"

    return _BODY_ASSET.sub(swap, html or "")


def media_file(asset: Asset) -> MediaFile:
    """The asset's bytes as a connector :class:`MediaFile` (title used by WeChat video)."""
    with asset.file.open("rb") as handle:
        data = handle.read()
    return MediaFile(
        filename=asset.original_name or asset.file.name.rsplit("/", 1)[-1],
        data=data,
        content_type=asset.content_type,
        title=asset.title,
        description=asset.source,
    )

"""The list shape every API list returns: ``{"items", "total", "page", "page_size"}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from mediadesk.core.errors import ValidationFailed

MAX_PAGE_SIZE = 200


def page_of(
    queryset: QuerySet,
    *,
    page: int,
    page_size: int,
    serialize: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    if page < 1:
        raise ValidationFailed("page must be 1 or more", fields={"page": "must be ≥ 1"})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}",
            fields={"page_size": f"must be 1–{MAX_PAGE_SIZE}"},
        )
    total = queryset.count()
    start = (page - 1) * page_size
    rows = list(queryset[start : start + page_size])
    items = [serialize(r) for r in rows] if serialize else rows
    return {"items": items, "total": total, "page": page, "page_size": page_size}

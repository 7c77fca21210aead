"""Small helpers for the content and review templates."""

from __future__ import annotations

from typing import Any

from django import template

from mediadesk.web.views.content_common import asset_url as _asset_url
from mediadesk.web.views.content_common import licence_badges as _licence_badges

register = template.Library()


@register.filter
def asset_url(asset: Any) -> str:
    return _asset_url(asset)


@register.filter
def licence_badges(asset: Any) -> list[dict[str, Any]]:
    return _licence_badges(asset)


@register.filter
def chosen_ids(field: Any) -> set[int]:
    """The ids a (multiple) choice field holds now, as numbers."""
    value = field.value()
    if value in (None, ""):
        return set()
    values = value if isinstance(value, list | tuple | set) else [value]
    return {int(v) for v in values if str(v).isdigit()}


@register.filter
def seconds(value: Any) -> str:
    """A play length as m:ss."""
    try:
        total = round(float(value))
    except (TypeError, ValueError):
        return "—"
    return f"{total // 60}:{total % 60:02d}"


@register.filter
def size(value: Any) -> str:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return "—"
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, n // 1024)} KB"


@register.filter
def platform_labels(values: Any) -> list[str]:
    """Platform values as their names in the interface language."""
    from mediadesk.accounts.models import Platform

    labels = dict(Platform.choices)
    return [str(labels.get(v, v)) for v in values or []]


@register.filter
def role_label(value: str) -> Any:
    """A role value by its name in the interface language."""
    from mediadesk.orgs.models import Role

    return dict(Role.choices).get(value, value)

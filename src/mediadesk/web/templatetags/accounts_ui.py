"""Labels and colours for the account pages: statuses, health flags, masked phones."""

from __future__ import annotations

from typing import Any

from django import template

from mediadesk.orgs.services import mask_phone as _mask_phone
from mediadesk.web.account_labels import (
    ACCOUNT_STATUS_LABELS,
    APPLICATION_ACTION_LABELS,
    DEVIATION_LABELS,
    FLAG_LABELS,
    STATUS_CLASSES,
)

register = template.Library()


@register.filter
def account_status(value: str) -> Any:
    return ACCOUNT_STATUS_LABELS.get(value, value)


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASSES.get(value, "badge-muted")


@register.filter
def flag_label(value: str) -> Any:
    return FLAG_LABELS.get(value, value)


@register.filter
def event_label(value: str) -> Any:
    return APPLICATION_ACTION_LABELS.get(value, value)


@register.filter
def deviation_label(value: str) -> Any:
    return DEVIATION_LABELS.get(value, value)


@register.filter
def masked(value: str) -> str:
    return _mask_phone(value or "") if value else ""


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def person_name(person: Any) -> str:
    """A person's display name, their username without one, "—" for nobody."""
    if person is None or person == "":
        return "—"
    return person.display_name or person.username


@register.filter
def thousands(value: Any) -> str:
    """12345 → "12,345" whatever the interface language."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"

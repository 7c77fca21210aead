"""Reading the audit log, limited to what the reader may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from mediadesk.audit.models import AuditEntry
from mediadesk.orgs.permissions import ALL_UNITS, Action, require, unit_paths_for


def search_entries(
    *,
    user: Any,
    actor: Any = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    q: str | None = None,
) -> QuerySet[AuditEntry]:
    """Entries the user may read, newest first. ``action`` matches a prefix (``orgs.unit``)."""
    require(user, Action.AUDIT_VIEW)
    qs = AuditEntry.objects.all()
    paths = unit_paths_for(user, Action.AUDIT_VIEW)
    if paths is not ALL_UNITS:
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(scope_path__startswith=path)
        qs = qs.filter(scope)
    if actor is not None:
        qs = qs.filter(actor_id=getattr(actor, "pk", actor))
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=str(object_id))
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    if q:
        qs = qs.filter(
            Q(object_repr__icontains=q) | Q(actor_label__icontains=q) | Q(action__icontains=q)
        )
    return qs.order_by("-seq")

"""API for searching, exporting and verifying the audit log (read-only: there is no write API)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from mediadesk.audit import services
from mediadesk.audit.models import AuditEntry
from mediadesk.core.pagination import page_of
from mediadesk.orgs.permissions import Action, require

router = Router(tags=["audit"])


class EntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    source: str
    ip: str
    request_id: str
    hash: str


class EntryPage(Schema):
    items: list[EntryOut]
    total: int
    page: int
    page_size: int


class EntryFilter(Schema):
    actor: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


class ChainOut(Schema):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str


def _search(request: HttpRequest, filters: EntryFilter) -> Any:
    return services.search_log(
        user=request.auth,
        actor=filters.actor,
        action=filters.action,
        object_type=filters.object_type,
        object_id=filters.object_id,
        since=filters.since,
        until=filters.until,
        q=filters.q,
    )


@router.get("/entries", response=EntryPage)
def list_entries(request: HttpRequest, filters: Query[EntryFilter]) -> dict[str, Any]:
    return page_of(_search(request, filters), page=filters.page, page_size=filters.page_size)


@router.get("/export")
def export_entries(
    request: HttpRequest, filters: Query[EntryFilter], format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse:
    require(request.auth, Action.AUDIT_EXPORT)
    content, filename, content_type = services.export_entries(
        actor=request.auth,
        entries=_search(request, filters),
        fmt=format,
        filters=filters.dict(exclude={"page", "page_size"}, exclude_none=True),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/verify", response=ChainOut)
def verify(request: HttpRequest) -> Any:
    """Recompute the hash chain: ``ok`` is false when any entry was altered or removed."""
    require(request.auth, Action.AUDIT_VIEW)
    return services.verify_chain()


__all__ = ["AuditEntry", "router"]

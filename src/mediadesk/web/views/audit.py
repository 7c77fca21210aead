"""The audit log: search, chain-integrity check and export."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediadesk.audit import selectors as audit_selectors
from mediadesk.audit import services as audit_services
from mediadesk.core.errors import DomainError
from mediadesk.orgs.models import User
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.web.forms import AUDIT_OBJECT_TYPES, AuditFilterForm
from mediadesk.web.labels import AUDIT_ACTION_LABELS, AUDIT_ACTION_PREFIXES, SOURCE_LABELS
from mediadesk.web.views.common import page_view, paginate, query_without_page

AUDIT_PAGE_SIZE = 50
DIFF_PREVIEW = 4


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def _local_time(text: str) -> str:
    """An ISO timestamp (stored in UTC) as the site's local time, like the rest of the page."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _short(value: Any, limit: int = 48) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, str) and _ISO_TIME.match(value):
        return _local_time(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_summary(before: Any, after: Any) -> list[dict[str, str]]:
    """The fields that differ between ``before`` and ``after``, as short printable values."""
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    keys = list(before) + [k for k in after if k not in before]
    changes = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        if (key not in before and new in (None, "")) or (key not in after and old in (None, "")):
            continue  # an empty field on creation or deletion says nothing
        changes.append(
            {
                "field": key,
                "before": _short(old) if key in before else "",
                "after": _short(new) if key in after else "",
            }
        )
    return changes


def _search(request: HttpRequest, data: Any) -> tuple[AuditFilterForm, Any, dict[str, Any]]:
    """The filter form, the matching entries (``None`` when the filter is invalid) and the
    filters as plain values for the export record."""
    form = AuditFilterForm(data or None)
    if data and not form.is_valid():
        return form, None, {}
    filters = form.cleaned_data if data else {}
    actor = None
    if filters.get("actor"):
        actor = User.objects.filter(username__iexact=filters["actor"].strip()).first()
        if actor is None:
            form.add_error("actor", _("Nobody has this username."))
            return form, None, {}
    since, until = form.time_range() if data else (None, None)
    entries = audit_selectors.search_entries(
        user=request.user,
        actor=actor,
        action=filters.get("action") or None,
        object_type=filters.get("object_type") or None,
        object_id=filters.get("object_id") or None,
        since=since,
        until=until,
        q=filters.get("q") or None,
    )
    plain = {k: str(v) for k, v in filters.items() if v not in (None, "")}
    return form, entries, plain


@page_view
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.AUDIT_VIEW)
    form, entries, filters = _search(request, request.GET)
    if entries is not None:
        audit_services.record_search(user=request.user, filters=filters)
    page = paginate(request, entries if entries is not None else [], AUDIT_PAGE_SIZE)
    actor_ids = {e.actor_id for e in page.object_list if e.actor_id}
    usernames = dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "username"))
    rows = []
    for entry in page.object_list:
        changes = diff_summary(entry.before, entry.after)
        rows.append(
            {
                "entry": entry,
                "actor_username": usernames.get(entry.actor_id, ""),
                "label": AUDIT_ACTION_LABELS.get(entry.action, ""),
                "source": SOURCE_LABELS.get(entry.source, entry.source),
                "changes": changes[:DIFF_PREVIEW],
                "more": max(0, len(changes) - DIFF_PREVIEW),
                "before_json": _pretty(entry.before),
                "after_json": _pretty(entry.after),
            }
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "filters": [(name, request.GET.get(name, "")) for name in form.fields],
        "can_export": can(request.user, Action.AUDIT_EXPORT),
        "export_formats": [("csv", _("Export CSV")), ("xlsx", _("Export Excel"))],
        "action_prefixes": AUDIT_ACTION_PREFIXES,
        "action_codes": sorted(AUDIT_ACTION_LABELS.items()),
        "object_types": AUDIT_OBJECT_TYPES,
    }
    return render(request, "web/audit/log.html", context)


def _pretty(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@page_view
def audit_verify(request: HttpRequest) -> HttpResponse:
    """The chain-integrity badge, loaded by the audit page after it has rendered."""
    require(request.user, Action.AUDIT_VIEW)
    report = audit_services.verify_chain()
    return render(request, "web/audit/_chain.html", {"report": report})


@require_POST
@page_view
def audit_export(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.AUDIT_EXPORT)
    _form, entries, filters = _search(request, request.POST)
    if entries is None:
        return render(
            request,
            "web/error.html",
            {"status": 400, "message": _("The filter is not valid; correct it and try again.")},
            status=400,
        )
    try:
        content, filename, content_type = audit_services.export_entries(
            actor=request.user, entries=entries, fmt=request.POST.get("format", ""), filters=filters
        )
    except DomainError as exc:
        return render(
            request, "web/error.html", {"status": 400, "message": exc.message}, status=400
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

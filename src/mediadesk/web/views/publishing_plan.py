"""The publish plan (PUB-1, the seed's 模板1) as a table: filter by account, unit or the whole
group, a date range and 状态; add, edit and delete rows; export the rows shown to Excel with the
seed's headers; import a sheet after a preview that lists every bad row (and imports nothing
while any row is bad).

Every change goes through :mod:`mediadesk.publishing.plan_entries` / ``plan_sheet``, which
check who may write the plan and audit it. An edit names the row's version the page showed; a
stale form is refused and the page says so.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediadesk.accounts.models import AccountStatus, SocialAccount
from mediadesk.accounts.spreadsheets import ImportRejected
from mediadesk.core.errors import Conflict, DomainError, PermissionDenied
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.orgs.permissions import Action, require
from mediadesk.publishing import plan_entries, plan_sheet
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing import planning_selectors as selectors
from mediadesk.publishing.models import PlanEntry
from mediadesk.web.publishing_forms import PlanEntryForm, PlanFilterForm, PlanImportForm
from mediadesk.web.views.common import form_error, page_view, paginate, query_without_page
from mediadesk.web.views.content_common import readable_accounts, readable_units, units_where

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_BADGES = {"pending": "badge-info", "published": "badge-ok", "withdrawn": "badge-muted"}
#: The checked sheet waits in the session for the confirmation (by its token).
SESSION_KEY = "publishing.plan_import"
PAGE_SIZE = 50


# -- who sees and plans what --------------------------------------------------------------------


def planning_units(user: Any) -> list[OrgUnit]:
    return units_where(user, plan_entries.may_plan)


def planning_accounts(user: Any) -> list[SocialAccount]:
    return [
        a
        for a in readable_accounts(user)
        if a.status != AccountStatus.CLOSED and plan_entries.may_plan(user, a)
    ]


def people() -> list[User]:
    return list(User.objects.filter(is_active=True).order_by("display_name", "username")[:500])


def _entry_form(user: Any, data: Any = None, initial: Any = None) -> PlanEntryForm:
    return PlanEntryForm(
        data,
        units=planning_units(user),
        accounts=planning_accounts(user),
        people=people(),
        initial=initial,
    )


# -- the table ----------------------------------------------------------------------------------


def _filters(request: HttpRequest, params: Any) -> tuple[PlanFilterForm, dict[str, Any]]:
    """The filter form and what it selects; without a start the plan opens at this month."""
    user = request.user
    params = params.copy()
    if "start" not in params:
        params["start"] = rules.local_today().replace(day=1).isoformat()
    form = PlanFilterForm(params, units=readable_units(user), accounts=readable_accounts(user))
    data = form.cleaned_data if form.is_valid() else {"start": None}
    account, unit = data.get("account"), data.get("unit")
    scope = selectors.resolve_scope(
        user=user,
        account_id=account.pk if account else None,
        unit_id=unit.pk if unit and not account else None,
    )
    return form, {
        "scope": scope,
        "start": data.get("start"),
        "end": data.get("end"),
        "status": data.get("status") or None,
    }


def _rows(user: Any, selection: dict[str, Any]) -> list[selectors.PlanRow]:
    return selectors.plan_table(
        user=user,
        scope=selection["scope"],
        start=selection["start"],
        end=selection["end"],
        status=selection["status"],
    )


@page_view
def plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    filters, selection = _filters(request, request.GET)
    form = _entry_form(
        user,
        request.POST if request.method == "POST" else None,
        initial={"planned_on": rules.local_today()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                entry = plan_entries.create_plan_entry(actor=user, **form.values())
            except PermissionDenied:
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The row “%(t)s” on %(d)s was added to the plan.")
                    % {"t": entry.topic, "d": f"{entry.planned_on:%Y-%m-%d}"},
                )
                return redirect(f"{reverse('web:publishing_plan')}?{request.GET.urlencode()}")
    rows = _rows(user, selection)
    page = paginate(request, rows, per_page=PAGE_SIZE)
    context = {
        "filters": filters,
        "scope_label": selection["scope"].label(),
        "page": page,
        "rows": [
            {
                "row": row,
                "entry": row.entry,
                "badge": STATUS_BADGES[row.status],
                "editable": plan_entries.may_plan(user, row.entry.account or row.entry.owning_unit),
                "platform": plan_sheet.PLATFORM_ZH.get(row.entry.platform, row.entry.platform),
                "owner": str(row.entry.owner or ""),
                "reviewer": str(row.entry.reviewer or ""),
            }
            for row in page.object_list
        ],
        "headers": plan_sheet.PLAN_HEADERS,
        "platform_labels": plan_sheet.PLATFORM_ZH,
        "query": query_without_page(request),
        "export_params": [(k, v) for k, v in request.GET.items() if k != "page"],
        "form": form,
        "can_plan": bool(planning_units(user) or planning_accounts(user)),
        "open_form": request.method == "POST",
    }
    return render(request, "web/publishing/plan.html", context, status=status)


# -- one row ------------------------------------------------------------------------------------


def _initial(entry: PlanEntry) -> dict[str, Any]:
    return {
        "planned_on": entry.planned_on,
        "planned_time": entry.planned_time,
        "account": entry.account_id or "",
        "unit": "" if entry.account_id else entry.owning_unit_id,
        "platform": "" if entry.account_id else entry.platform,
        "topic": entry.topic,
        "format": entry.format,
        "targets": entry.targets_text,
        "owner": entry.owner_id or "",
        "reviewer": entry.reviewer_id or "",
        "notes": entry.notes,
        "version": entry.version,
    }


@page_view
def plan_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = request.user
    entry = selectors.get_plan_entry(user=user, entry_id=entry_id)
    editable = plan_entries.may_plan(user, entry.account or entry.owning_unit)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    form = _entry_form(user, request.POST if op == "save" else None, initial=_initial(entry))
    status, conflict = 200, ""
    if op:
        if not editable:
            raise PermissionDenied(_("You are not allowed to write the publish plan here."))
        version = request.POST.get("version", "")
        try:
            if op == "delete":
                plan_entries.delete_plan_entry(
                    actor=user, entry=entry, version=int(version) if version.isdigit() else -1
                )
                messages.success(request, _("The row “%(t)s” was deleted.") % {"t": entry.topic})
                return redirect("web:publishing_plan")
            if op == "save":
                status = 400
                if form.is_valid():
                    values = form.values()
                    if entry.item_id:
                        values["item"] = entry.item
                    plan_entries.update_plan_entry(
                        actor=user,
                        entry=entry,
                        version=form.cleaned_data.get("version") or -1,
                        **values,
                    )
                    messages.success(request, _("The row was saved."))
                    return redirect("web:publishing_plan_entry", entry_id=entry.pk)
        except PermissionDenied:
            raise
        except Conflict as exc:
            conflict, status = exc.message, 409
        except DomainError as exc:
            form_error(form, exc)
    context = {
        "entry": entry,
        "status": plan_entries.plan_status(entry),
        "status_label": plan_entries.STATUS_ZH[plan_entries.plan_status(entry)],
        "badge": STATUS_BADGES[plan_entries.plan_status(entry)],
        "platform_label": plan_sheet.PLATFORM_ZH.get(entry.platform, entry.platform),
        "owner": str(entry.owner or ""),
        "reviewer": str(entry.reviewer or ""),
        "form": form,
        "editable": editable,
        "conflict": conflict,
    }
    return render(request, "web/publishing/plan_entry.html", context, status=status)


# -- Excel --------------------------------------------------------------------------------------


@require_POST
@page_view
def plan_export(request: HttpRequest) -> HttpResponse:
    """The rows the filters select as 模板1 (.xlsx); the export is audited."""
    user = request.user
    require(user, Action.CONTENT_VIEW)
    _form, selection = _filters(request, request.POST)
    content = plan_sheet.export_plan(actor=user, rows=_rows(user, selection))
    response = HttpResponse(content, content_type=XLSX)
    stamp = f"{rules.local_today():%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="publish-plan-{stamp}.xlsx"'
    return response


@page_view
def plan_template(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CONTENT_VIEW)
    response = HttpResponse(plan_sheet.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="publish-plan-template.xlsx"'
    return response


def _keep(request: HttpRequest, name: str, content: bytes) -> str:
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "data": base64.b64encode(content).decode("ascii"),
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    return token


def _kept(request: HttpRequest, token: str) -> tuple[str, bytes] | None:
    kept = request.session.get(SESSION_KEY)
    if not kept or not token or not secrets.compare_digest(kept.get("token", ""), token):
        return None
    return kept["name"], base64.b64decode(kept["data"])


def _rejected_message(exc: ImportRejected) -> str:
    return _("%(n)d problem(s) in the sheet. Nothing was imported; correct the file and retry.") % {
        "n": len(exc.errors)
    }


def _rejected(form: PlanImportForm, exc: ImportRejected) -> None:
    form.add_error(None, _rejected_message(exc))


@page_view
def plan_import(request: HttpRequest) -> HttpResponse:
    """Upload → check (nothing is written: every row is listed, bad ones with the reason) →
    confirm (the checked sheet, kept in the session, is imported: every row or none)."""
    user = request.user
    require(user, Action.CONTENT_VIEW)
    op = request.POST.get("op", "check") if request.method == "POST" else ""
    form = PlanImportForm(
        request.POST if op == "check" else None, request.FILES if op == "check" else None
    )
    context: dict[str, Any] = {
        "form": form,
        "row_errors": [],
        "page_error": "",
        "preview": None,
        "token": "",
        "filename": "",
        "headers": plan_sheet.HEADERS,
        "plan_headers": plan_sheet.PLAN_HEADERS,
        "max_mb": plan_sheet.MAX_BYTES // (1024 * 1024),
    }
    status = 200
    if op == "check":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                context["preview"] = plan_sheet.preview_import(actor=user, content=content)
            except ImportRejected as exc:
                context["row_errors"] = exc.errors
                _rejected(form, exc)
            except DomainError as exc:
                form_error(form, exc)
            else:
                status = 200
                context["token"] = _keep(request, upload.name, content)
                context["filename"] = upload.name
                context["new_rows"] = sum(1 for r in context["preview"] if r["new"])
                context["updated_rows"] = len(context["preview"]) - context["new_rows"]
    elif op == "confirm":
        kept = _kept(request, request.POST.get("token", ""))
        if kept is None:
            status = 409
            context["page_error"] = _("The checked sheet is no longer here; upload it again.")
        else:
            name, content = kept
            try:
                saved = plan_sheet.import_plan(actor=user, content=content)
            except ImportRejected as exc:
                status = 400
                context["row_errors"] = exc.errors
                context["page_error"] = _rejected_message(exc)
            except DomainError as exc:
                status = 400
                context["page_error"] = exc.message
            else:
                request.session.pop(SESSION_KEY, None)
                messages.success(
                    request,
                    _("%(n)d row(s) of %(f)s were imported into the plan.")
                    % {"n": len(saved), "f": name},
                )
                return redirect("web:publishing_plan")
    return render(request, "web/publishing/plan_import.html", context, status=status)

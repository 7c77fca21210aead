"""Around the matrix: filings, rotation tasks, brand standards, company names, personal accounts,
and off-boarding a person who leaves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts import credentials, personal, selectors, standards
from mediadesk.accounts.conformity import standards_for
from mediadesk.accounts.models import CompanyNames, UnitProfile
from mediadesk.core.errors import DomainError
from mediadesk.orgs import selectors as org_selectors
from mediadesk.orgs.models import UnitKind
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.web.account_forms import (
    BrandProfileForm,
    CompanyNamesForm,
    FilingFilterForm,
    UploadForm,
)
from mediadesk.web.views.accounts import image_response
from mediadesk.web.views.common import (
    form_error,
    page_view,
    paginate,
    query_without_page,
    unit_trails,
)

# --- filings and rotation tasks ----------------------------------------------------------------


@page_view
def filings(request: HttpRequest) -> HttpResponse:
    """Every filing that is due or late, the late ones flagged (ACC-3)."""
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    form = FilingFilterForm(request.GET or None)
    qs = selectors.list_filings(user=user, **form.selector_args())
    page = paginate(request, qs)
    today = timezone.localdate()
    rows = []
    for filing in page.object_list:
        late = selectors.is_late(filing)
        rows.append(
            {
                "filing": filing,
                "late": late,
                "days_late": (today - filing.due_on).days
                if late and filing.due_on and filing.status == "due"
                else None,
                "can_file": filing.status == "due" and can(user, Action.ACCOUNT_FILE, filing),
            }
        )
    late_count = selectors.list_filings(user=user, overdue=True, status="due").count()
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "late_count": late_count,
        "next": request.get_full_path(),
    }
    return render(request, "web/accounts/filings.html", context)


@page_view
def rotation_tasks(request: HttpRequest) -> HttpResponse:
    """Credentials to rotate because someone who could reveal them has left."""
    user = request.user
    tasks = selectors.open_rotation_tasks(user=user)
    return render(request, "web/accounts/rotation_tasks.html", {"tasks": tasks})


# --- brand standards and company names ---------------------------------------------------------


@page_view
def brand_standards(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    tree = org_selectors.unit_tree(user=user) if can(user, Action.ORG_VIEW) else []
    profiles = {p.unit_id: p for p in UnitProfile.objects.defer("standard_logo")}
    counts: dict[int, int] = {}
    for unit_id in selectors.visible_accounts(user).values_list("owning_unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    rows = []
    for unit in tree:
        if unit.kind == UnitKind.DEPARTMENT and unit.pk not in profiles:
            continue
        effective = standards_for(unit)
        rows.append(
            {
                "unit": unit,
                "profile": profiles.get(unit.pk),
                "effective": effective,
                "accounts": counts.get(unit.pk, 0),
                "can_edit": can(user, Action.ACCOUNT_MANAGE, unit),
            }
        )
    names = CompanyNames.objects.first()
    context = {
        "rows": rows,
        "names": names,
        "can_edit_names": can(user, Action.ACCOUNT_APPROVE),
        "can_check": can(user, Action.ACCOUNT_MANAGE),
    }
    return render(request, "web/accounts/standards.html", context)


@page_view
def brand_standard(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request.user
    unit = org_selectors.get_unit(user=user, unit_id=unit_id)
    require(user, Action.ACCOUNT_VIEW, unit)
    profile = UnitProfile.objects.filter(unit=unit).first()
    may_edit = can(user, Action.ACCOUNT_MANAGE, unit)
    form = BrandProfileForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "brand_name": getattr(profile, "brand_name", ""),
            "unit_name": getattr(profile, "unit_name", ""),
            "standard_bio": getattr(profile, "standard_bio", ""),
        },
    )
    if request.method == "POST":
        require(user, Action.ACCOUNT_MANAGE, unit)
        if form.is_valid():
            data = form.cleaned_data
            logo = data.get("logo")
            try:
                standards.save_profile(
                    actor=user,
                    unit=unit,
                    brand_name=data["brand_name"],
                    unit_name=data["unit_name"],
                    standard_bio=data["standard_bio"],
                    logo=logo.read() if logo else None,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request, _("The brand standards of %(unit)s were saved.") % {"unit": unit}
                )
                return redirect("web:brand_standard", unit_id=unit.pk)
    report = [
        (account, deviations)
        for account, deviations in selectors.conformity_report(user=user, unit=unit.pk)
    ]
    context = {
        "unit": unit,
        "trail": unit_trails([unit]).get(unit.pk, unit.name),
        "profile": profile,
        "effective": standards_for(unit),
        "form": form,
        "may_edit": may_edit,
        "report": report,
        "conforming": sum(1 for _a, d in report if not d),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/accounts/standard.html", context, status=status)


@page_view
def brand_logo(request: HttpRequest, unit_id: int) -> HttpResponse:
    # Anyone reading accounts may see a standard logo: an account's conformity report shows
    # the logo it inherits, often from a unit above the reader's own.
    require(request.user, Action.ACCOUNT_VIEW)
    profile = UnitProfile.objects.filter(unit_id=unit_id).first()
    return image_response(profile.standard_logo if profile else None)


@page_view
def company_names(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    names = CompanyNames.objects.first()
    may_edit = can(user, Action.ACCOUNT_APPROVE)
    initial = (
        {
            "full_names": "\n".join(names.full_names),
            "short_names": "\n".join(names.short_names),
            "english_names": "\n".join(names.english_names),
        }
        if names
        else {}
    )
    form = CompanyNamesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(user, Action.ACCOUNT_APPROVE)
        if form.is_valid():
            try:
                standards.save_company_names(actor=user, **form.names())
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The company names were saved."))
                return redirect("web:company_names")
    context = {"form": form, "names": names, "may_edit": may_edit}
    status = 400 if request.method == "POST" else 200
    return render(request, "web/accounts/company_names.html", context, status=status)


@page_view
def personal_check(request: HttpRequest) -> HttpResponse:
    """Upload employees' nicknames and group names; see those passing for the company's."""
    user = request.user
    require(user, Action.ACCOUNT_MANAGE)
    form = UploadForm(request.POST or None, request.FILES or None, accept=".csv,.xlsx")
    hits: list[Any] | None = None
    filename = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = upload.name or ""
        try:
            hits = personal.check_upload(actor=user, content=upload.read(), filename=filename)
        except DomainError as exc:
            form_error(form, exc)
    context = {
        "form": form,
        "hits": hits,
        "filename": filename,
        "names": CompanyNames.objects.first(),
        "field_labels": {"nickname": _("Nickname"), "group_name": _("Chat group name")},
    }
    status = 400 if request.method == "POST" and hits is None else 200
    return render(request, "web/accounts/personal_check.html", context, status=status)


# --- off-boarding ------------------------------------------------------------------------------


@page_view
def person_offboard(request: HttpRequest, person_id: int) -> HttpResponse:
    """Someone leaves: revoke everything and open a rotation task for each credential they
    could reveal (ACC-6)."""
    user = request.user
    person = org_selectors.get_person(user=user, person_id=person_id)
    require(user, Action.PERSON_MANAGE, person)
    error, status, tasks = "", 200, None
    if request.method == "POST":
        try:
            tasks = credentials.offboard_person(actor=user, person=person)
        except DomainError as exc:
            error, status = exc.message, exc.http_status
        else:
            messages.success(
                request,
                _("%(name)s was off-boarded; %(n)d rotation task(s) were opened.")
                % {"name": person, "n": len(tasks)},
            )
    context: dict[str, Any] = {
        "person": person,
        "error": error,
        "tasks": tasks,
        "grants": list(org_selectors.roles_of(person)) if tasks is None else [],
        "revealable": credentials.revealable_credentials(person)
        if tasks is None and person.is_active
        else [],
        "can_rotate": can(user, Action.CREDENTIAL_MANAGE),
    }
    return render(request, "web/accounts/offboard.html", context, status=status)

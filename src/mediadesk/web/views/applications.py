"""Applications to HQ: apply for an account, the queues, one application with its timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediadesk.accounts import selectors, services
from mediadesk.accounts.models import AccountApplication, ApplicationKind, ApplicationStatus
from mediadesk.core.errors import DomainError
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.web.account_forms import (
    APPLICATION_LABELS,
    APPLICATION_QUESTIONS,
    CHANGE_LABELS,
    ApplicationForm,
    ApproveForm,
    ResubmitForm,
    ReturnForm,
)
from mediadesk.web.views.accounts import _units_where, form_messages
from mediadesk.web.views.common import form_error, page_view, paginate, query_without_page


@page_view
def apply(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.ACCOUNT_APPLY)
    units = _units_where(user, Action.ACCOUNT_APPLY)
    initial = {"unit": units[0].pk} if len(units) == 1 else {}
    form = ApplicationForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.apply_for_account(
                actor=user,
                unit=data["unit"],
                platform=data["platform"],
                name=data["name"],
                matrix_role=data["matrix_role"],
                platform_account_id=data["platform_account_id"],
                **form.answers(),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("The application for %(name)s was submitted to HQ communications.")
                % {"name": application.account.name},
            )
            return redirect("web:application_detail", application_id=application.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "questions": [form[name] for name, _l, _h in APPLICATION_QUESTIONS]}
    return render(request, "web/accounts/apply.html", context, status=status)


TABS: list[tuple[str, Any]] = [
    ("pending", gettext_lazy("Awaiting approval")),
    ("returned", gettext_lazy("Returned to me")),
    ("mine", gettext_lazy("My applications")),
    ("all", gettext_lazy("All applications")),
]


@page_view
def queue(request: HttpRequest) -> HttpResponse:
    """HQ's queue of account applications awaiting approval; the applicant's returned ones."""
    user = request.user
    require(user, Action.ACCOUNT_VIEW)
    may_decide = can(user, Action.ACCOUNT_APPROVE)
    visible = selectors.list_applications(user=user)
    counts = {
        "pending": selectors.awaiting_decision(user=user).count() if may_decide else 0,
        "returned": visible.filter(applicant=user, status=ApplicationStatus.RETURNED).count(),
        "mine": visible.filter(applicant=user).count(),
    }
    tabs = [(key, label) for key, label in TABS if key != "pending" or may_decide]
    default = "pending" if may_decide else ("returned" if counts["returned"] else "mine")
    tab = request.GET.get("tab") or default
    if tab not in dict(tabs):
        tab = default
    if tab == "pending":
        applications = selectors.awaiting_decision(user=user)
    elif tab == "returned":
        applications = visible.filter(applicant=user, status=ApplicationStatus.RETURNED)
    elif tab == "mine":
        applications = visible.filter(applicant=user)
    else:
        applications = visible
    page = paginate(request, applications)
    context = {
        "tabs": [{"key": k, "label": label, "count": counts.get(k)} for k, label in tabs],
        "tab": tab,
        "page": page,
        "query": query_without_page(request),
        "can_apply": can(user, Action.ACCOUNT_APPLY),
    }
    return render(request, "web/accounts/applications.html", context)


@page_view
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = request.user
    application = selectors.get_application(user=user, application_id=application_id)
    is_open = application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)
    is_own = application.applicant_id == user.pk
    may_approve = can(user, Action.ACCOUNT_APPROVE, application)
    perms = {
        "decide": may_approve and application.status == ApplicationStatus.SUBMITTED,
        "approve": may_approve and application.status == ApplicationStatus.SUBMITTED and not is_own,
        # the unit revises; HQ, which returned it, does not get the unit's form
        "revise": can(user, Action.ACCOUNT_APPLY, application)
        and application.status == ApplicationStatus.RETURNED
        and (is_own or not may_approve),
        "withdraw": is_open and (is_own or may_approve),
    }
    op = request.POST.get("op", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    return_form = ReturnForm(post if op == "return" else None)
    approve_form = ApproveForm(post if op == "approve" else None)
    resubmit_form = ResubmitForm(
        post if op == "resubmit" else None,
        kind=application.kind,
        initial=_resubmit_initial(application),
    )
    done = ""
    try:
        if op == "return" and return_form.is_valid():
            services.return_application(
                actor=user, application=application, feedback=return_form.cleaned_data["feedback"]
            )
            done = _("The application was returned to the unit with your feedback.")
        elif op == "approve" and approve_form.is_valid():
            services.approve_application(
                actor=user, application=application, comment=approve_form.cleaned_data["comment"]
            )
            done = (
                _("Approved: %(name)s is now active.")
                if application.kind == ApplicationKind.OPEN
                else _("Approved: the change to %(name)s took effect.")
            ) % {"name": application.account.name}
        elif op == "resubmit" and resubmit_form.is_valid():
            services.resubmit_application(
                actor=user, application=application, **resubmit_form.payload()
            )
            done = _("The revised application was resubmitted to HQ communications.")
        elif op == "withdraw":
            services.withdraw_application(actor=user, application=application)
            done = _("The application was withdrawn.")
    except DomainError as exc:
        form = {"return": return_form, "approve": approve_form, "resubmit": resubmit_form}.get(op)
        if form is None:
            messages.error(request, exc.message)
            return redirect("web:application_detail", application_id=application.pk)
        form_error(form, exc)
    if done:
        messages.success(request, done)
        return redirect("web:application_detail", application_id=application.pk)

    application = selectors.get_application(user=user, application_id=application.pk)
    account = application.account
    shown = {"return": perms["decide"], "approve": perms["approve"], "resubmit": perms["revise"]}
    failed = {"return": return_form, "approve": approve_form, "resubmit": resubmit_form}.get(op)
    page_errors = (
        form_messages(failed) if failed is not None and failed.errors and not shown[op] else []
    )
    context = {
        "page_errors": page_errors,
        "application": application,
        "account": account,
        "answers": [
            (APPLICATION_LABELS[name], getattr(application, name))
            for name, _l, _h in APPLICATION_QUESTIONS
            if application.kind == ApplicationKind.OPEN or getattr(application, name)
        ],
        "changes": [
            (CHANGE_LABELS.get(field, field), getattr(account, field, ""), value)
            for field, value in (application.changes or {}).items()
        ],
        "events": application.events.select_related("actor"),
        "perms": perms,
        "is_own": is_own,
        "op": op,
        "return_form": return_form,
        "approve_form": approve_form,
        "resubmit_form": resubmit_form,
    }
    return render(
        request, "web/accounts/application_detail.html", context, status=400 if op else 200
    )


def _resubmit_initial(application: AccountApplication) -> dict[str, Any]:
    if application.kind == ApplicationKind.OPEN:
        return {name: getattr(application, name) for name, _l, _h in APPLICATION_QUESTIONS}
    account = application.account
    return {
        "name": application.changes.get("name", account.name),
        "function_positioning": application.changes.get(
            "function_positioning", account.function_positioning
        ),
        "content_positioning": application.changes.get(
            "content_positioning", account.content_positioning
        ),
        "necessity": application.necessity,
    }

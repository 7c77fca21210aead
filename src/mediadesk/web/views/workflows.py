"""审核流程 settings (REV-1, REV-2): the default three-level workflow and each unit's or
account's own, with ordered stages (a role or named people, any / all, a checklist, the legal
stage). Managing them needs ``settings.manage`` where the workflow sits; the service checks it.

Stages are a formset: each keeps its id, so editing a workflow changes the stage in place and
review rounds already walking it keep their route (see ``content.workflows``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mediadesk.content import selectors, services, workflows
from mediadesk.content.models import Workflow
from mediadesk.core.errors import DomainError, PermissionDenied
from mediadesk.orgs import selectors as org_selectors
from mediadesk.orgs.models import User
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.web.content_forms import StageFormSet, WorkflowForm
from mediadesk.web.views.common import form_error, page_view
from mediadesk.web.views.content_common import readable_accounts, units_where

PREFIX = "stages"


@page_view
def workflow_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.SETTINGS_MANAGE)
    services.seed_default_workflow()
    show_inactive = request.GET.get("inactive") == "1"
    rows = [
        {
            "workflow": w,
            "stages": [s for s in w.stages.all() if not s.retired],
            "can_manage": can(user, Action.SETTINGS_MANAGE, w),
        }
        for w in selectors.list_workflows(user=user, include_inactive=show_inactive)
    ]
    context = {"rows": rows, "show_inactive": show_inactive}
    return render(request, "web/settings/workflows.html", context)


def _people(user: Any, workflow: Workflow | None) -> list[User]:
    """People a stage may name: those the manager may see, plus whoever a stage names now (so
    saving never drops a reviewer the manager cannot list)."""
    people: dict[int, User] = {}
    if can(user, Action.PERSON_VIEW):
        people.update({p.pk: p for p in org_selectors.list_people(user=user, active=True)})
    if workflow is not None:
        for stage in workflow.stages.filter(retired=False).prefetch_related("people"):
            people.update({p.pk: p for p in stage.people.all()})
    return sorted(people.values(), key=lambda p: p.display_name or p.username)


def _initial_stages(workflow: Workflow | None) -> list[dict[str, Any]]:
    if workflow is None:
        return [
            {
                "level": n,
                "mode": "any",
                "role": spec["role"],
                "name": spec["name"],
                "checklist": "\n".join(spec["checklist"]),
                "is_legal": spec.get("is_legal", False),
            }
            for n, spec in enumerate(services.DEFAULT_STAGES, start=1)
        ]
    return [
        {
            "id": s.pk,
            "name": s.name,
            "level": s.level,
            "role": s.role,
            "people": [p.pk for p in s.people.all()],
            "mode": s.mode,
            "checklist": "\n".join(s.checklist),
            "is_legal": s.is_legal,
        }
        for s in workflow.stages.filter(retired=False).order_by("order")
    ]


def _with_one_more(data: QueryDict) -> QueryDict:
    data = data.copy()
    total = data.get(f"{PREFIX}-TOTAL_FORMS", "0")
    data[f"{PREFIX}-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    return data


def _editor(request: HttpRequest, workflow: Workflow | None) -> HttpResponse:
    user = request.user
    posted = request.method == "POST"
    op = request.POST.get("op", "save") if posted else ""
    data = _with_one_more(request.POST) if op == "add_stage" else request.POST
    people = _people(user, workflow)
    if workflow is None:
        units = units_where(user, lambda u, unit: can(u, Action.SETTINGS_MANAGE, unit))
        accounts = [a for a in readable_accounts(user) if can(user, Action.SETTINGS_MANAGE, a)]
        form = WorkflowForm(data if posted else None, units=units, accounts=accounts)
    else:
        form = WorkflowForm(data if posted else None, initial={"name": workflow.name})
    stages = StageFormSet(
        data if posted else None,
        prefix=PREFIX,
        initial=None if posted else _initial_stages(workflow),
        form_kwargs={"people": people},
    )
    status = 200
    if op == "save":
        status = 400
        if form.is_valid() & stages.is_valid():
            specs = [
                f.spec()
                for f in stages.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                if workflow is None:
                    account_id = form.cleaned_data.get("account")
                    saved = workflows.create_workflow(
                        actor=user,
                        name=form.cleaned_data["name"],
                        stages=[{k: v for k, v in s.items() if k != "id"} for s in specs],
                        owning_unit=form.cleaned_data.get("unit"),
                        account=form.accounts.get(account_id) if account_id else None,
                    )
                else:
                    saved = workflows.update_workflow(
                        actor=user, workflow=workflow, name=form.cleaned_data["name"], stages=specs
                    )
            except PermissionDenied:
                raise
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The workflow “%(w)s” was saved.") % {"w": saved.name})
                return redirect("web:workflow_detail", workflow_id=saved.pk)
    context = {
        "workflow": workflow,
        "form": form,
        "stages": stages,
        "can_manage": workflow is None or can(user, Action.SETTINGS_MANAGE, workflow),
        "sees_people": can(user, Action.PERSON_VIEW),
    }
    return render(request, "web/settings/workflow_edit.html", context, status=status)


@page_view
def workflow_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SETTINGS_MANAGE)
    return _editor(request, None)


@page_view
def workflow_detail(request: HttpRequest, workflow_id: int) -> HttpResponse:
    user = request.user
    require(user, Action.SETTINGS_MANAGE)
    workflow = selectors.get_workflow(user=user, workflow_id=workflow_id)
    if request.method == "POST" and request.POST.get("op") == "deactivate":
        try:
            workflows.deactivate_workflow(actor=user, workflow=workflow)
        except PermissionDenied:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("“%(w)s” was deactivated; new submissions use the next workflow up.")
                % {"w": workflow.name},
            )
        return redirect("web:workflow_detail", workflow_id=workflow.pk)
    if request.method == "POST":
        require(user, Action.SETTINGS_MANAGE, workflow)
    return _editor(request, workflow)

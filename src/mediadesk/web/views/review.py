"""Review (REV-1 … REV-4): my queue, what came back to me, the decision page of a round and the
review flow table (模板2) with its Excel export.

A decision names the revision and the round's version the page showed; the service refuses a
stale form or a decision someone else made first (a conflict: nothing changes) and the page
says so, keeping the opinion the reviewer typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mediadesk.content import exports, selectors, services
from mediadesk.content.models import (
    DecisionAction,
    ReviewStatus,
    StageDecision,
    WorkflowStage,
)
from mediadesk.core.errors import Conflict, DomainError, PermissionDenied
from mediadesk.orgs.permissions import Action, require
from mediadesk.web.content_forms import DecisionForm
from mediadesk.web.views.common import form_error, page_view, paginate, query_without_page
from mediadesk.web.views.content_common import findings_view, variant_cards

DECISION_BUTTONS = [
    (DecisionAction.APPROVE, gettext_lazy("Approve"), "btn-primary"),
    (DecisionAction.APPROVE_WITH_COMMENT, gettext_lazy("Approve with comment"), "btn-secondary"),
    (DecisionAction.REQUEST_CHANGES, gettext_lazy("Request changes"), "btn-warn-outline"),
    (DecisionAction.REJECT, gettext_lazy("Reject"), "btn-danger-outline"),
]
RETURN_BADGES = {
    ReviewStatus.CHANGES_REQUESTED: "badge-warn",
    ReviewStatus.REJECTED: "badge-danger",
    ReviewStatus.SUPERSEDED: "badge-muted",
}


def _may_see_review(user: Any) -> None:
    require(user, Action.CONTENT_VIEW)


# -- queues -----------------------------------------------------------------------------------


@page_view
def review_queue(request: HttpRequest) -> HttpResponse:
    """待我审核: rounds whose current stage waits for me."""
    user = request.user
    _may_see_review(user)
    rounds = selectors.awaiting_my_review(user=user)
    page = paginate(request, rounds)
    rows = [
        {
            "round": state,
            "blocks": sum(1 for f in state.findings if f.get("severity") == "block"),
            "notices": sum(1 for f in state.findings if f.get("severity") != "block"),
        }
        for state in page.object_list
    ]
    context = {
        "tab": "awaiting",
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "counts": _counts(user, awaiting=len(rounds)),
    }
    return render(request, "web/review/queue.html", context)


def _counts(user: Any, **known: int) -> dict[str, int]:
    counts = dict(known)
    if "awaiting" not in counts:
        counts["awaiting"] = len(selectors.awaiting_my_review(user=user))
    if "returned" not in counts:
        counts["returned"] = selectors.returned_to_me(user=user).count()
    return counts


@page_view
def review_returned(request: HttpRequest) -> HttpResponse:
    """退回给我: my items whose last round came back or was superseded by an edit."""
    user = request.user
    _may_see_review(user)
    rounds = selectors.returned_to_me(user=user).select_related("revision", "item__owning_unit")
    page = paginate(request, rounds)
    rows = []
    for state in page.object_list:
        decision = (
            StageDecision.objects.filter(state=state)
            .select_related("reviewer", "stage")
            .order_by("-pk")
            .first()
        )
        rows.append(
            {"round": state, "decision": decision, "badge": RETURN_BADGES.get(state.status, "")}
        )
    context = {
        "tab": "returned",
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "counts": _counts(user, returned=page.paginator.count),
    }
    return render(request, "web/review/returned.html", context)


# -- the decision page ------------------------------------------------------------------------


@page_view
def review_round(request: HttpRequest, round_id: int) -> HttpResponse:
    user = request.user
    _may_see_review(user)
    state = selectors.get_round(user=user, round_id=round_id)
    item = state.item
    stage = state.stage
    is_open = state.status == ReviewStatus.IN_PROGRESS
    decided = (
        is_open and StageDecision.objects.filter(state=state, stage=stage, reviewer=user).exists()
    )
    may_decide = is_open and not decided and services.may_review(user, stage, item)
    legal_override = bool(is_open and stage.is_legal and state.has_blocking_findings)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        checklist=stage.checklist if stage else [],
        initial={"revision": state.revision.number, "version": state.version},
    )
    status, conflict = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                decided_state = services.decide(
                    actor=user,
                    state=state,
                    action=request.POST.get("action", ""),
                    revision=data["revision"],
                    version=data["version"],
                    opinion=data.get("opinion", ""),
                    checklist=form.answers(),
                    override_reason=data.get("override_reason", ""),
                )
            except PermissionDenied:
                raise
            except Conflict as exc:
                conflict, status = exc.message, 409
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _decided_message(decided_state, stage))
                return redirect("web:review_round", round_id=state.pk)
        else:
            conflict = _("The form is incomplete; reload the review.")
    variants = variant_cards(item)
    stages = WorkflowStage.objects.in_bulk(state.route)
    decisions = list(state.decisions.select_related("reviewer").order_by("pk"))
    route = [
        {
            "stage": stages[pk],
            "current": pk == state.stage_id,
            "decisions": [d for d in decisions if d.stage_id == pk],
        }
        for pk in state.route
        if pk in stages
    ]
    context = {
        "round": state,
        "item": item,
        "stage": stage,
        "route": route,
        "variants": variants,
        "findings": findings_view(list(state.findings), state.revision.snapshot, item.owning_unit)
        if state.findings
        else None,
        "form": form,
        "buttons": DECISION_BUTTONS,
        "may_decide": may_decide,
        "decided": decided,
        "is_author": item.author_id == user.pk,
        "legal_override": legal_override,
        "conflict": conflict,
        "stale_revision": is_open and state.revision.number != item.revision_number,
    }
    return render(request, "web/review/round.html", context, status=status)


def _decided_message(state: Any, stage: WorkflowStage) -> str:
    if state.status == ReviewStatus.APPROVED:
        return _("Approved. The review is complete; the content may be scheduled.")
    if state.status == ReviewStatus.CHANGES_REQUESTED:
        return _("Changes requested: the content went back to its author.")
    if state.status == ReviewStatus.REJECTED:
        return _("Rejected: the author was told.")
    if state.stage_id and state.stage_id != stage.pk:
        return _("Approved at %(s)s; it moves on to %(next)s.") % {
            "s": stage.name,
            "next": state.stage.name,
        }
    return _("Your approval was recorded; the stage waits for its other reviewers.")


# -- the review flow table (模板2) ------------------------------------------------------------


@page_view
def review_flow(request: HttpRequest) -> HttpResponse:
    user = request.user
    _may_see_review(user)
    rows = selectors.review_flow_rows(user=user)
    page = paginate(request, rows)
    context = {
        "headers": selectors.REVIEW_FLOW_HEADERS,
        "page": page,
        "query": query_without_page(request),
    }
    return render(request, "web/review/flow.html", context)


@require_POST
@page_view
def review_flow_export(request: HttpRequest) -> HttpResponse:
    """模板2 as Excel with the seed's headers; the export is audited."""
    content, filename = exports.export_review_flow(actor=request.user)
    response = HttpResponse(content, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

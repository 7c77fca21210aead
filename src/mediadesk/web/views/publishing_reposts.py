"""Secondary propagation (PUB-7, seed 002 §5.3): HQ marks a published post as group major news
or records positive coverage by a mainstream medium; every business unit's accounts get a
repost task due 1 working day later; a unit's people record each repost with its link or id.

HQ (``Action.ACCOUNT_APPROVE`` at the group) sees every task; a unit sees the tasks of the
accounts it may see. Overdue tasks are flagged in red. The work is done by
:mod:`mediadesk.publishing.propagation`, which checks permissions and audits.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.core.errors import DomainError, NotFound, PermissionDenied
from mediadesk.orgs.models import OrgUnit, UnitKind
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing import propagation
from mediadesk.publishing.models import (
    PropagationSource,
    Publication,
    PublicationState,
    RepostStatus,
)
from mediadesk.publishing.planning_selectors import visible_to
from mediadesk.web.publishing_forms import CompleteRepostForm, CoverageForm, MajorNewsForm
from mediadesk.web.views.common import form_error, page_view

STATUS_FILTERS = ("open", "done", "all")


def _group() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=UnitKind.GROUP).first()


def _is_hq(user: Any) -> bool:
    group = _group()
    return group is not None and can(user, Action.ACCOUNT_APPROVE, group)


def _candidates(user: Any) -> list[Publication]:
    """Published posts that could be marked as group major news (newest first)."""
    return list(
        visible_to(
            Publication.objects.filter(state=PublicationState.PUBLISHED, is_major_news=False)
            .select_related("account", "variant", "item")
            .order_by("-published_at", "-pk"),
            user,
            "account__owning_unit__path",
            "account_id",
        )[:100]
    )


def _created_message(request: HttpRequest, result: propagation.Propagation) -> None:
    due = rules.to_local(result.source.due_at)
    messages.success(
        request,
        _("%(n)d repost task(s) were created for “%(t)s”, due %(d)s.")
        % {"n": len(result.tasks), "t": result.source.title, "d": f"{due:%Y-%m-%d %H:%M}"},
    )
    if result.units_without_targets:
        messages.warning(
            request,
            _("No account reposts for %(u)s: give it an official account or choose its own.")
            % {"u": "、".join(u.name for u in result.units_without_targets)},
        )


def _to_source(result: propagation.Propagation) -> HttpResponse:
    return redirect(f"{reverse('web:publishing_reposts')}?status=all&source={result.source.pk}")


@page_view
def reposts(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    is_hq = _is_hq(user)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    major = MajorNewsForm(
        post if op == "major_news" else None,
        publications=_candidates(user) if is_hq else [],
        initial={"publication": request.GET.get("publication", "")},
    )
    coverage = CoverageForm(post if op == "coverage" else None)
    completing: dict[int, CompleteRepostForm] = {}
    status = 200
    if op:
        status = 400
        try:
            if op == "major_news":
                if major.is_valid():
                    result = propagation.mark_major_news(
                        actor=user, publication=major.cleaned_data["publication"]
                    )
                    _created_message(request, result)
                    return _to_source(result)
            elif op == "coverage":
                if coverage.is_valid():
                    result = propagation.record_coverage(actor=user, **coverage.cleaned_data)
                    _created_message(request, result)
                    return _to_source(result)
            elif op == "complete":
                task_id = request.POST.get("task", "")
                task = (
                    propagation.visible_tasks(user=user)
                    .filter(pk=int(task_id) if task_id.isdigit() else 0)
                    .first()
                )
                if task is None:
                    raise NotFound(_("This repost task does not exist."))
                form = CompleteRepostForm(request.POST, prefix=f"t{task.pk}")
                completing[task.pk] = form
                if form.is_valid():
                    try:
                        propagation.complete_repost(actor=user, task=task, **form.cleaned_data)
                    except PermissionDenied:
                        raise
                    except DomainError as exc:
                        form_error(form, exc)
                    else:
                        messages.success(
                            request,
                            _("The repost on %(a)s was recorded.") % {"a": task.account.name},
                        )
                        return redirect(
                            f"{reverse('web:publishing_reposts')}?{request.GET.urlencode()}"
                        )
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            form_error(coverage if op == "coverage" else major, exc)

    state = request.GET.get("status", "open")
    state = state if state in STATUS_FILTERS else "open"
    units = [
        u
        for u in OrgUnit.objects.filter(kind=UnitKind.BUSINESS_UNIT).order_by("path")
        if can(user, Action.CONTENT_VIEW, u) or is_hq
    ]
    unit_id = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == unit_id), None)
    source_id = request.GET.get("source", "")
    overdue_only = request.GET.get("overdue") == "1"
    tasks = propagation.visible_tasks(
        user=user,
        status=None if state == "all" else state,
        unit=unit,
        overdue=overdue_only or None,
        source=int(source_id) if source_id.isdigit() else None,
    ).order_by("unit__path", "due_at", "pk")
    now = timezone.now()
    groups: dict[int, dict[str, Any]] = {}
    for task in tasks[:500]:
        group = groups.setdefault(task.unit_id, {"unit": task.unit, "tasks": [], "overdue": 0})
        overdue = propagation.is_overdue(task, now)
        group["overdue"] += overdue
        may_complete = task.status == RepostStatus.OPEN and can(
            user, Action.CONTENT_PUBLISH, task.account
        )
        group["tasks"].append(
            {
                "task": task,
                "overdue": overdue,
                "late": task.status == RepostStatus.DONE
                and task.completed_at is not None
                and task.completed_at > task.due_at,
                "form": completing.get(task.pk)
                or (CompleteRepostForm(prefix=f"t{task.pk}") if may_complete else None),
            }
        )
    visible_ids = propagation.visible_tasks(user=user).values("source_id")
    sources = list(
        PropagationSource.objects.filter(pk__in=visible_ids).order_by("-created_at", "-pk")[:10]
    )
    for source in sources:
        counts = propagation.visible_tasks(user=user, source=source.pk)
        source.total = counts.count()
        source.done = counts.filter(status=RepostStatus.DONE).count()
        source.overdue = counts.filter(status=RepostStatus.OPEN, due_at__lt=now).count()
    context = {
        "is_hq": is_hq,
        "major": major,
        "coverage": coverage,
        "has_candidates": bool(major.fields["publication"].objects),
        "open_form": op in ("major_news", "coverage"),
        "op": op,
        "groups": list(groups.values()),
        "sources": sources,
        "units": units,
        "state": state,
        "unit": unit,
        "source_id": source_id,
        "overdue_only": overdue_only,
        "overdue_total": sum(g["overdue"] for g in groups.values()),
    }
    return render(request, "web/publishing/reposts.html", context, status=status)

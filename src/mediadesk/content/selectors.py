"""Reading content and reviews: queues, an item's timeline and the review flow table (REV-4)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.content.models import (
    APPROVING,
    ContentItem,
    DecisionAction,
    ReviewStatus,
    StageDecision,
    WorkflowState,
)
from mediadesk.content.services import may_review
from mediadesk.orgs.models import RoleAssignment
from mediadesk.orgs.permissions import ALL_UNITS, Action, unit_paths_for

#: The seed's 模板2 headers, exactly (export and page).
REVIEW_FLOW_HEADERS = (
    "内容标题",
    "提交日期",
    "一审人（内容策划）",
    "一审意见",
    "二审人（部门经理）",
    "二审意见",
    "三审人（法务）",
    "三审意见",
    "最终结果",
    "审核完成时间",
)


def visible_items(user: Any) -> QuerySet[ContentItem]:
    qs = ContentItem.objects.select_related("owning_unit", "author")
    paths = unit_paths_for(user, Action.CONTENT_VIEW)
    if paths is ALL_UNITS:
        return qs
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(owning_unit__path__startswith=path)
    return qs.filter(condition)


def _latest_rounds() -> QuerySet[WorkflowState]:
    latest = WorkflowState.objects.filter(item=OuterRef("item")).order_by("-pk").values("pk")[:1]
    return WorkflowState.objects.filter(pk=Subquery(latest))


def awaiting_my_review(*, user: Any) -> list[WorkflowState]:
    """Rounds whose current stage ``user`` may act at and has not yet decided."""
    roles = set(
        RoleAssignment.objects.active().filter(user_id=user.pk).values_list("role", flat=True)
    )
    candidates = (
        WorkflowState.objects.filter(status=ReviewStatus.IN_PROGRESS)
        .filter(Q(stage__people=user) | Q(stage__role__in=roles))
        .exclude(item__author=user)
        .select_related("item__owning_unit", "stage", "revision")
        .distinct()
        .order_by("submitted_at", "pk")
    )
    decided = set(
        StageDecision.objects.filter(
            reviewer=user, state__status=ReviewStatus.IN_PROGRESS
        ).values_list("state_id", "stage_id")
    )
    return [
        s
        for s in candidates
        if (s.pk, s.stage_id) not in decided and may_review(user, s.stage, s.item)
    ]


def returned_to_me(*, user: Any) -> QuerySet[WorkflowState]:
    """The author's items whose latest round came back (changes requested, rejected) or was
    superseded by an edit without a new round starting."""
    return (
        _latest_rounds()
        .filter(
            item__author=user,
            status__in=[
                ReviewStatus.CHANGES_REQUESTED,
                ReviewStatus.REJECTED,
                ReviewStatus.SUPERSEDED,
            ],
        )
        .select_related("item")
        .order_by("-completed_at", "-pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # revision / submitted / decision / closed
    who: Any
    summary: str
    detail: str = ""  # the diff for a revision, the opinion for a decision
    obj: Any = None


def timeline(item: ContentItem) -> list[TimelineEntry]:
    """Revisions with their diffs, submissions, each stage's decisions and how rounds closed."""
    entries: list[TimelineEntry] = []
    previous = ""
    for rev in item.revisions.select_related("created_by").order_by("number"):
        diff = "".join(
            difflib.unified_diff(
                previous.splitlines(keepends=True),
                rev.text.splitlines(keepends=True),
                fromfile=f"r{rev.number - 1}" if rev.number > 1 else "",
                tofile=f"r{rev.number}",
            )
        )
        entries.append(
            TimelineEntry(rev.created_at, "revision", rev.created_by, f"r{rev.number}", diff, rev)
        )
        previous = rev.text
    for state in item.reviews.select_related("submitted_by", "revision").order_by("pk"):
        entries.append(
            TimelineEntry(
                state.submitted_at,
                "submitted",
                state.submitted_by,
                _("Submitted revision %(n)d") % {"n": state.revision.number},
                state.override_request,
                state,
            )
        )
        for d in state.decisions.select_related("reviewer", "stage").order_by("pk"):
            entries.append(
                TimelineEntry(
                    d.decided_at,
                    "decision",
                    d.reviewer,
                    f"{d.stage.name}: {d.get_action_display()}",
                    d.opinion,
                    d,
                )
            )
        if state.completed_at:
            entries.append(
                TimelineEntry(
                    state.completed_at,
                    "closed",
                    None,
                    state.get_status_display(),
                    state.override_reason,
                    state,
                )
            )
    order = {"revision": 0, "submitted": 1, "decision": 2, "closed": 3}
    return sorted(entries, key=lambda e: (e.at, order[e.kind], getattr(e.obj, "pk", 0)))


@dataclass(frozen=True)
class ReviewFlowRow:
    """One review round as a row of 模板2."""

    title: str
    submitted: dt.date
    reviewers: tuple[str, str, str]
    opinions: tuple[str, str, str]
    result: str
    completed_at: dt.datetime | None
    state: WorkflowState

    def cells(self) -> list[Any]:
        return [
            self.title,
            self.submitted,
            self.reviewers[0],
            self.opinions[0],
            self.reviewers[1],
            self.opinions[1],
            self.reviewers[2],
            self.opinions[2],
            self.result,
            self.completed_at,
        ]


def _opinion(decision: StageDecision) -> str:
    if decision.opinion:
        return decision.opinion
    if decision.action in APPROVING:
        return _("Approved")
    return decision.get_action_display()


def _result(state: WorkflowState, earlier_returned: bool) -> str:
    if state.status == ReviewStatus.APPROVED:
        return _("Approved after changes") if earlier_returned else _("Approved")
    return str(state.get_status_display())


def review_flow_rows(*, user: Any, unit: Any = None) -> list[ReviewFlowRow]:
    """Every review round the reader may see, newest first, in the columns of 模板2."""
    items = visible_items(user)
    if unit is not None:
        items = items.filter(owning_unit__path__startswith=unit.path)
    states = list(
        WorkflowState.objects.filter(item__in=items)
        .select_related("item")
        .prefetch_related("decisions__reviewer", "decisions__stage")
        .order_by("-submitted_at", "-pk")
    )
    returned = {
        (s.item_id, s.pk)
        for s in states
        if s.status in (ReviewStatus.CHANGES_REQUESTED, ReviewStatus.REJECTED)
    }
    rows = []
    for state in states:
        names: list[list[str]] = [[], [], []]
        opinions: list[list[str]] = [[], [], []]
        for d in state.decisions.all():
            level = min(max(d.stage.level, 1), 3) - 1
            names[level].append(str(d.reviewer))
            opinions[level].append(_opinion(d))
        earlier = any(i == state.item_id and pk < state.pk for i, pk in returned)
        rows.append(
            ReviewFlowRow(
                title=state.item.title,
                submitted=timezone.localtime(state.submitted_at).date(),
                reviewers=tuple("、".join(n) for n in names),  # type: ignore[arg-type]
                opinions=tuple("；".join(o) for o in opinions),  # type: ignore[arg-type]
                result=_result(state, earlier),
                completed_at=state.completed_at,
                state=state,
            )
        )
    return rows


__all__ = [
    "REVIEW_FLOW_HEADERS",
    "DecisionAction",
    "ReviewFlowRow",
    "TimelineEntry",
    "awaiting_my_review",
    "returned_to_me",
    "review_flow_rows",
    "timeline",
    "visible_items",
]

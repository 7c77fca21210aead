"""Reading content and reviews: queues, an item's timeline and the review flow table (REV-4)."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediadesk.content.access import may_read, readable_q
from mediadesk.content.library import licence_state_q
from mediadesk.content.models import (
    APPROVING,
    Asset,
    ContentItem,
    DecisionAction,
    Goal,
    ReviewStatus,
    StageDecision,
    Topic,
    TopicCategory,
    Workflow,
    WorkflowStage,
    WorkflowState,
)
from mediadesk.content.services import approved_fingerprint_matches, may_review
from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.orgs.models import OrgUnit, RoleAssignment
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


# -- items: state, lists, detail ------------------------------------------------------------


class ItemState:
    """An item's state for lists and filters (from its latest review round)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    APPROVED = "approved"

    values = (DRAFT, IN_REVIEW, CHANGES_REQUESTED, REJECTED, APPROVED)
    labels = {
        DRAFT: gettext_lazy("Draft"),
        IN_REVIEW: gettext_lazy("In review"),
        CHANGES_REQUESTED: gettext_lazy("Changes requested"),
        REJECTED: gettext_lazy("Rejected"),
        APPROVED: gettext_lazy("Approved"),
    }


#: Latest round status → item state; no round, or a round superseded by an edit with no new
#: round started (the edit left something for the author to fix), is a draft.
_STATE_OF_STATUS = {
    ReviewStatus.IN_PROGRESS: ItemState.IN_REVIEW,
    ReviewStatus.CHANGES_REQUESTED: ItemState.CHANGES_REQUESTED,
    ReviewStatus.REJECTED: ItemState.REJECTED,
    ReviewStatus.APPROVED: ItemState.APPROVED,
}


def state_of(review_status: str | None) -> str:
    return _STATE_OF_STATUS.get(review_status or "", ItemState.DRAFT)


def with_state(items: QuerySet[ContentItem]) -> QuerySet[ContentItem]:
    """``items`` annotated with their latest round: ``review_status``, ``review_round_id``,
    ``review_stage_id``, ``review_stage_name``, ``review_stage_level``; read the state with
    :func:`state_of` (``item.review_status``)."""
    latest = WorkflowState.objects.filter(item=OuterRef("pk")).order_by("-pk")
    return items.annotate(
        review_status=Subquery(latest.values("status")[:1]),
        review_round_id=Subquery(latest.values("pk")[:1]),
        review_stage_id=Subquery(latest.values("stage_id")[:1]),
        review_stage_name=Subquery(latest.values("stage__name")[:1]),
        review_stage_level=Subquery(latest.values("stage__level")[:1]),
    )


def _state_q(state: str) -> Q:
    if state not in ItemState.values:
        raise ValidationFailed(
            _("Unknown state %(s)s (one of: %(all)s).")
            % {"s": state, "all": ", ".join(ItemState.values)},
            fields={"state": _("invalid")},
        )
    if state == ItemState.DRAFT:
        return Q(review_status__isnull=True) | Q(review_status=ReviewStatus.SUPERSEDED)
    status = next(k for k, v in _STATE_OF_STATUS.items() if v == state)
    return Q(review_status=status)


@dataclass(frozen=True)
class ItemStatus:
    """Where an item stands: its state, the round and stage it is at, whether what it holds
    now is exactly what was approved (the publishing precondition)."""

    state: str
    label: str
    round: WorkflowState | None
    stage: WorkflowStage | None
    approved_matches: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "label": self.label,
            "round": self.round.pk if self.round else None,
            "round_version": self.round.version if self.round else None,
            "round_revision": self.round.revision.number if self.round else None,
            "stage": self.stage.name if self.stage else "",
            "stage_level": self.stage.level if self.stage else None,
            "approved_matches": self.approved_matches,
        }


def item_status(item: ContentItem) -> ItemStatus:
    latest = (
        item.reviews.select_related("stage", "revision").order_by("-pk").first()
        if item.pk
        else None
    )
    state = state_of(latest.status if latest else None)
    return ItemStatus(
        state=state,
        label=str(ItemState.labels[state]),
        round=latest,
        stage=latest.stage if latest and latest.status == ReviewStatus.IN_PROGRESS else None,
        approved_matches=state == ItemState.APPROVED and approved_fingerprint_matches(item),
    )


def current_findings(item: ContentItem) -> list[dict[str, Any]]:
    """The compliance findings of the item's latest round (what its reviewers see)."""
    latest = item.reviews.order_by("-pk").first()
    return list(latest.findings) if latest else []


def list_items(
    *,
    user: Any,
    q: str | None = None,
    unit: OrgUnit | int | None = None,
    goal: Goal | int | None = None,
    topic: Topic | int | None = None,
    backup: bool | None = None,
    state: str | None = None,
    author: Any = None,
    account: Any = None,
) -> QuerySet[ContentItem]:
    """Items ``user`` may see, newest change first, annotated as by :func:`with_state`.

    ``q`` searches titles; ``unit`` includes the units below it; ``state`` is an
    :class:`ItemState` value; ``account`` keeps items with a variant on that account.
    """
    items = with_state(visible_items(user).select_related("goal", "topic"))
    if q:
        items = items.filter(title__icontains=q.strip())
    if unit is not None:
        unit = unit if isinstance(unit, OrgUnit) else OrgUnit.objects.filter(pk=unit).first()
        if unit is None:
            return items.none()
        items = items.filter(owning_unit__path__startswith=unit.path)
    if goal is not None:
        items = items.filter(goal=goal)
    if topic is not None:
        items = items.filter(topic=topic)
    if backup is not None:
        items = items.filter(is_backup=backup)
    if author is not None:
        items = items.filter(author=author)
    if account is not None:
        items = items.filter(variants__account=account).distinct()
    if state:
        items = items.filter(_state_q(state))
    return items.order_by("-updated_at", "-pk")


def get_item(*, user: Any, item_id: int) -> ContentItem:
    """An item ``user`` may see, or :class:`NotFound` (also when they may not see it)."""
    item = (
        visible_items(user)
        .select_related("goal", "topic", "approved_revision")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(_("There is no content %(id)s.") % {"id": item_id})
    return item


def get_round(*, user: Any, round_id: int) -> WorkflowState:
    state = (
        WorkflowState.objects.select_related("item__owning_unit", "stage", "revision")
        .filter(pk=round_id, item__in=visible_items(user))
        .first()
    )
    if state is None:
        raise NotFound(_("There is no review round %(id)s.") % {"id": round_id})
    return state


# -- backup content (CNT-5) -----------------------------------------------------------------


@dataclass(frozen=True)
class BackupGroup:
    """The backup items prepared for one event or crisis, with their states."""

    prepared_for: str
    items: list[ContentItem]

    @property
    def approved(self) -> list[ContentItem]:
        """The ones ready to schedule: approved and unchanged since."""
        return [i for i in self.items if state_of(i.review_status) == ItemState.APPROVED]


def backup_items(
    *, user: Any, unit: OrgUnit | None = None, prepared_for: str | None = None
) -> list[BackupGroup]:
    """Backup content by the event it is prepared for (alphabetical), approved ones first."""
    items = list_items(user=user, unit=unit, backup=True)
    if prepared_for:
        items = items.filter(backup_for__icontains=prepared_for.strip())
    groups: dict[str, list[ContentItem]] = defaultdict(list)
    for item in items:
        groups[item.backup_for].append(item)
    order = {s: n for n, s in enumerate(reversed(ItemState.values))}
    return [
        BackupGroup(name, sorted(rows, key=lambda i: order[state_of(i.review_status)]))
        for name, rows in sorted(groups.items())
    ]


# -- goals and topics -----------------------------------------------------------------------


def _readable(qs: QuerySet, user: Any) -> QuerySet:
    condition = readable_q(user)
    return qs if condition is None else qs.filter(condition)


def list_goals(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    include_archived: bool = False,
    q: str | None = None,
) -> QuerySet[Goal]:
    """Goals ``user`` may read (their units' and those above), with ``item_count`` and
    ``target_exposure_total`` / ``target_interaction_total`` / ``target_conversion_total``
    over the items linked to each that the user may see."""
    goals = _readable(Goal.objects.select_related("owning_unit"), user)
    if unit is not None:
        goals = goals.filter(owning_unit_id__in=unit.ancestor_ids())
    if not include_archived:
        goals = goals.filter(archived=False)
    if q:
        goals = goals.filter(name__icontains=q.strip())
    seen = Q(items__in=visible_items(user))
    return goals.annotate(
        item_count=Count("items", filter=seen, distinct=True),
    )


def get_goal(*, user: Any, goal_id: int) -> Goal:
    goal = Goal.objects.select_related("owning_unit").filter(pk=goal_id).first()
    if goal is None or not may_read(user, goal):
        raise NotFound(_("There is no goal %(id)s.") % {"id": goal_id})
    return goal


@dataclass(frozen=True)
class GoalProgress:
    """A goal with the items working towards it and the sum of their targets."""

    goal: Goal
    items: list[ContentItem]
    planned: dict[str, int] = field(default_factory=dict)  # exposure / interaction / conversion


def goal_with_items(*, user: Any, goal: Goal) -> GoalProgress:
    items = list(list_items(user=user, goal=goal))
    planned = {
        "exposure": sum(i.target_exposure for i in items),
        "interaction": sum(i.target_interaction for i in items),
        "conversion": sum(i.target_conversion for i in items),
    }
    return GoalProgress(goal, items, planned)


def goals_for_unit(unit: OrgUnit) -> QuerySet[Goal]:
    """The goals an item of ``unit`` may link to (form choices): current, of it or above."""
    return Goal.objects.filter(owning_unit_id__in=unit.ancestor_ids(), archived=False)


def topics_for_unit(unit: OrgUnit) -> QuerySet[Topic]:
    return Topic.objects.filter(owning_unit_id__in=unit.ancestor_ids(), archived=False)


def list_topics(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    category: str | None = None,
    include_archived: bool = False,
    q: str | None = None,
) -> QuerySet[Topic]:
    """Topics ``user`` may read, with ``item_count`` (items they may see)."""
    topics = _readable(Topic.objects.select_related("owning_unit"), user)
    if unit is not None:
        topics = topics.filter(owning_unit_id__in=unit.ancestor_ids())
    if category:
        topics = topics.filter(category=category)
    if not include_archived:
        topics = topics.filter(archived=False)
    if q:
        topics = topics.filter(name__icontains=q.strip())
    seen = Q(items__in=visible_items(user))
    return topics.annotate(item_count=Count("items", filter=seen, distinct=True))


def get_topic(*, user: Any, topic_id: int) -> Topic:
    topic = Topic.objects.select_related("owning_unit").filter(pk=topic_id).first()
    if topic is None or not may_read(user, topic):
        raise NotFound(_("There is no topic %(id)s.") % {"id": topic_id})
    return topic


@dataclass(frozen=True)
class TopicMatrixRow:
    """One category of the topic matrix (CNT-2) with its topics and their item counts."""

    category: str
    label: str
    topics: list[Topic]  # each with ``item_count``
    item_count: int


def topic_matrix(*, user: Any, unit: OrgUnit | None = None) -> list[TopicMatrixRow]:
    """Categories (product, brand, activity, service, industry) × current topics."""
    topics = list(list_topics(user=user, unit=unit).order_by("name", "pk"))
    rows = []
    for category in TopicCategory:
        mine = [t for t in topics if t.category == category.value]
        rows.append(
            TopicMatrixRow(
                category.value, str(category.label), mine, sum(t.item_count for t in mine)
            )
        )
    return rows


# -- assets ---------------------------------------------------------------------------------


def list_assets(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    kind: str | None = None,
    licence_state: str | None = None,
    q: str | None = None,
    include_archived: bool = False,
    on: dt.date | None = None,
) -> QuerySet[Asset]:
    """The media library as ``user`` may read it. ``unit`` keeps what that unit may use (its
    own and its ancestors'); ``licence_state`` is a ``library.LicenceState`` value judged on
    the day ``on`` (today)."""
    assets = _readable(Asset.objects.select_related("owning_unit"), user)
    if unit is not None:
        assets = assets.filter(owning_unit_id__in=unit.ancestor_ids())
    if kind:
        assets = assets.filter(kind=kind)
    if licence_state:
        assets = assets.filter(licence_state_q(licence_state, on=on))
    if not include_archived:
        assets = assets.filter(archived=False)
    if q:
        needle = q.strip()
        assets = assets.filter(Q(title__icontains=needle) | Q(source__icontains=needle))
    return assets


def get_asset(*, user: Any, asset_id: int) -> Asset:
    """An asset ``user`` may read (its unit, or a unit below it), else :class:`NotFound`."""
    asset = Asset.objects.select_related("owning_unit").filter(pk=asset_id).first()
    if asset is None or not may_read(user, asset):
        raise NotFound(_("There is no asset %(id)s.") % {"id": asset_id})
    return asset


# -- workflows ------------------------------------------------------------------------------


def list_workflows(*, user: Any, include_inactive: bool = False) -> QuerySet[Workflow]:
    """The default workflow and those of units and accounts ``user`` reads content in."""
    workflows = Workflow.objects.select_related("owning_unit", "account").prefetch_related(
        "stages__people"
    )
    condition = readable_q(user)
    if condition is not None:
        unit_q = readable_q(user, "owning_unit")
        account_q = readable_q(user, "account__owning_unit")
        workflows = workflows.filter(Q(is_default=True) | unit_q | account_q)  # type: ignore[operator]
    if not include_inactive:
        workflows = workflows.filter(active=True)
    return workflows.order_by(
        "-is_default", Coalesce("owning_unit__path", "account__owning_unit__path"), "pk"
    )


def get_workflow(*, user: Any, workflow_id: int) -> Workflow:
    workflow = list_workflows(user=user, include_inactive=True).filter(pk=workflow_id).first()
    if workflow is None:
        raise NotFound(_("There is no workflow %(id)s.") % {"id": workflow_id})
    return workflow


__all__ = [
    "REVIEW_FLOW_HEADERS",
    "BackupGroup",
    "DecisionAction",
    "GoalProgress",
    "ItemState",
    "ItemStatus",
    "ReviewFlowRow",
    "TimelineEntry",
    "TopicMatrixRow",
    "awaiting_my_review",
    "backup_items",
    "current_findings",
    "get_asset",
    "get_goal",
    "get_item",
    "get_round",
    "get_topic",
    "get_workflow",
    "goal_with_items",
    "goals_for_unit",
    "item_status",
    "list_assets",
    "list_goals",
    "list_items",
    "list_topics",
    "list_workflows",
    "returned_to_me",
    "review_flow_rows",
    "state_of",
    "timeline",
    "topic_matrix",
    "topics_for_unit",
    "visible_items",
    "with_state",
]

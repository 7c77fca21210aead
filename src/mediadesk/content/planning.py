"""SMART goals (CNT-1) and the topic matrix (CNT-2).

A goal is a number on a metric by a deadline ("3 days, 500k exposure"), optionally limited to
some platforms; every content item works towards one. A topic is one cell of the matrix
(product, brand, activity, service, industry) with notes on its audience. Both belong to a unit
and serve that unit and the units below it; see :mod:`mediadesk.content.access` for who may
plan. Archiving keeps them on the items that use them but out of the choices for new ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mediadesk.accounts.models import Platform
from mediadesk.audit.services import record_event
from mediadesk.content.access import require_planning, within_reach
from mediadesk.content.models import Goal, GoalMetric, Topic, TopicCategory
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.orgs.models import OrgUnit

GOAL_FIELDS = ("name", "metric", "target", "starts_on", "deadline", "platforms", "notes")
TOPIC_FIELDS = ("name", "category", "audience", "notes")


def _date(value: Any, field: str, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed(
                _("Set a deadline: a SMART goal has a date by which it is met."),
                fields={field: _("required")},
            )
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed(
            _("Dates are written YYYY-MM-DD."), fields={field: _("invalid")}
        ) from exc


def _name(value: Any) -> str:
    name = (value or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(_("The name must be 1–200 characters."), fields={"name": "!"})
    return name


def _clean_goal(values: dict[str, Any], current: Goal | None = None) -> dict[str, Any]:
    merged = {f: getattr(current, f) for f in GOAL_FIELDS} if current else {}
    merged.update(values)
    cleaned = {
        "name": _name(merged.get("name")),
        "notes": (merged.get("notes") or "").strip(),
    }
    metric = merged.get("metric")
    if metric not in GoalMetric.values:
        raise ValidationFailed(
            _("Choose what the goal measures: %(m)s.") % {"m": ", ".join(GoalMetric.values)},
            fields={"metric": _("invalid")},
        )
    cleaned["metric"] = metric
    target = merged.get("target")
    if isinstance(target, bool) or not isinstance(target, int | str):
        target = None
    try:
        target = int(target) if target is not None else None
    except ValueError:
        target = None
    if target is None or target <= 0:
        raise ValidationFailed(
            _("The target is a whole number above zero (e.g. 500000 exposures)."),
            fields={"target": _("invalid")},
        )
    cleaned["target"] = target
    cleaned["starts_on"] = _date(merged.get("starts_on"), "starts_on", required=False)
    cleaned["deadline"] = _date(merged.get("deadline"), "deadline", required=True)
    if cleaned["starts_on"] and cleaned["starts_on"] > cleaned["deadline"]:
        raise ValidationFailed(
            _("The goal starts after its deadline."), fields={"starts_on": _("after deadline")}
        )
    platforms = merged.get("platforms") or []
    if not isinstance(platforms, list | tuple) or any(p not in Platform.values for p in platforms):
        raise ValidationFailed(
            _("Unknown platform in the goal's platforms."), fields={"platforms": _("invalid")}
        )
    cleaned["platforms"] = sorted(set(platforms), key=list(Platform.values).index)
    return cleaned


def _goal_data(goal: Goal) -> dict[str, Any]:
    return {
        "name": goal.name,
        "metric": goal.metric,
        "target": goal.target,
        "starts_on": goal.starts_on.isoformat() if goal.starts_on else None,
        "deadline": goal.deadline.isoformat(),
        "platforms": list(goal.platforms),
        "notes": goal.notes,
        "archived": goal.archived,
    }


@transaction.atomic
def create_goal(
    *,
    actor: Any,
    owning_unit: OrgUnit,
    name: str,
    metric: str,
    target: int,
    deadline: dt.date | str,
    starts_on: dt.date | str | None = None,
    platforms: list[str] | None = None,
    notes: str = "",
) -> Goal:
    """A SMART goal for ``owning_unit`` (and the units below it), audited."""
    require_planning(actor, owning_unit)
    cleaned = _clean_goal(
        {
            "name": name,
            "metric": metric,
            "target": target,
            "deadline": deadline,
            "starts_on": starts_on,
            "platforms": platforms or [],
            "notes": notes,
        }
    )
    goal = Goal.objects.create(owning_unit=owning_unit, created_by=actor, **cleaned)
    record_event(action="content.goal.create", actor=actor, obj=goal, after=_goal_data(goal))
    return goal


@transaction.atomic
def update_goal(*, actor: Any, goal: Goal, **changes: Any) -> Goal:
    """Change a goal's name, metric, target, dates, platforms or notes (audited)."""
    goal = (
        Goal.objects.select_for_update(of=("self",)).select_related("owning_unit").get(pk=goal.pk)
    )
    require_planning(actor, goal)
    _only(changes, GOAL_FIELDS)
    before = _goal_data(goal)
    for field, value in _clean_goal(changes, goal).items():
        setattr(goal, field, value)
    after = _goal_data(goal)
    if after != before:
        goal.save()
        record_event(
            action="content.goal.update",
            actor=actor,
            obj=goal,
            before=_diff(before, after),
            after=_diff(after, before),
        )
    return goal


@transaction.atomic
def archive_goal(*, actor: Any, goal: Goal) -> Goal:
    """Out of the choices for new content; items linked to it keep the link."""
    goal = (
        Goal.objects.select_for_update(of=("self",)).select_related("owning_unit").get(pk=goal.pk)
    )
    require_planning(actor, goal)
    if not goal.archived:
        goal.archived = True
        goal.save(update_fields=["archived"])
        record_event(
            action="content.goal.archive",
            actor=actor,
            obj=goal,
            before={"archived": False},
            after={"archived": True},
        )
    return goal


def _clean_topic(values: dict[str, Any], current: Topic | None = None) -> dict[str, Any]:
    merged = {f: getattr(current, f) for f in TOPIC_FIELDS} if current else {}
    merged.update(values)
    category = merged.get("category")
    if category not in TopicCategory.values:
        raise ValidationFailed(
            _("Choose the topic's category: %(c)s.") % {"c": ", ".join(TopicCategory.values)},
            fields={"category": _("invalid")},
        )
    return {
        "name": _name(merged.get("name")),
        "category": category,
        "audience": (merged.get("audience") or "").strip(),
        "notes": (merged.get("notes") or "").strip(),
    }


def _topic_data(topic: Topic) -> dict[str, Any]:
    return {
        "name": topic.name,
        "category": topic.category,
        "audience": topic.audience,
        "notes": topic.notes,
        "archived": topic.archived,
    }


def _save_topic(topic: Topic) -> None:
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(u)s already has the topic “%(n)s” in this category.")
            % {"u": topic.owning_unit, "n": topic.name},
            fields={"name": _("duplicate")},
        ) from exc


@transaction.atomic
def create_topic(
    *,
    actor: Any,
    owning_unit: OrgUnit,
    name: str,
    category: str,
    audience: str = "",
    notes: str = "",
) -> Topic:
    """A cell of ``owning_unit``'s topic matrix with its audience notes (audited)."""
    require_planning(actor, owning_unit)
    cleaned = _clean_topic(
        {"name": name, "category": category, "audience": audience, "notes": notes}
    )
    topic = Topic(owning_unit=owning_unit, created_by=actor, **cleaned)
    _save_topic(topic)
    record_event(action="content.topic.create", actor=actor, obj=topic, after=_topic_data(topic))
    return topic


@transaction.atomic
def update_topic(*, actor: Any, topic: Topic, **changes: Any) -> Topic:
    topic = (
        Topic.objects.select_for_update(of=("self",)).select_related("owning_unit").get(pk=topic.pk)
    )
    require_planning(actor, topic)
    _only(changes, TOPIC_FIELDS)
    before = _topic_data(topic)
    for field, value in _clean_topic(changes, topic).items():
        setattr(topic, field, value)
    after = _topic_data(topic)
    if after != before:
        _save_topic(topic)
        record_event(
            action="content.topic.update",
            actor=actor,
            obj=topic,
            before=_diff(before, after),
            after=_diff(after, before),
        )
    return topic


@transaction.atomic
def archive_topic(*, actor: Any, topic: Topic) -> Topic:
    topic = (
        Topic.objects.select_for_update(of=("self",)).select_related("owning_unit").get(pk=topic.pk)
    )
    require_planning(actor, topic)
    if not topic.archived:
        topic.archived = True
        topic.save(update_fields=["archived"])
        record_event(
            action="content.topic.archive",
            actor=actor,
            obj=topic,
            before={"archived": False},
            after={"archived": True},
        )
    return topic


# -- what an item may link to ---------------------------------------------------------------


def resolve_goal(value: Goal | int | None, unit: OrgUnit) -> Goal:
    """The goal an item of ``unit`` links to: required, not archived, of the unit or above."""
    pk = value.pk if isinstance(value, Goal) else value
    goal = Goal.objects.filter(pk=pk).first() if pk not in (None, "") else None
    if goal is None:
        raise ValidationFailed(
            _("Link the content to a goal (CNT-1): every item works towards one."),
            fields={"goal": _("required")},
        )
    if goal.archived:
        raise ValidationFailed(
            _("The goal “%(g)s” is archived; choose a current one.") % {"g": goal},
            fields={"goal": _("archived")},
        )
    if not within_reach(goal.owning_unit_id, unit):
        raise ValidationFailed(
            _("The goal “%(g)s” belongs to another unit; choose one of %(u)s or above it.")
            % {"g": goal, "u": unit},
            fields={"goal": _("other unit")},
        )
    return goal


def resolve_topic(value: Topic | int | None, unit: OrgUnit) -> Topic | None:
    """The optional topic of an item of ``unit``: not archived, of the unit or above."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Topic) else value
    topic = Topic.objects.filter(pk=pk).first()  # read afresh: archived since the form opened?
    if topic is None:
        raise ValidationFailed(_("Unknown topic."), fields={"topic": _("invalid")})
    if topic.archived:
        raise ValidationFailed(
            _("The topic “%(t)s” is archived; choose a current one.") % {"t": topic},
            fields={"topic": _("archived")},
        )
    if not within_reach(topic.owning_unit_id, unit):
        raise ValidationFailed(
            _("The topic “%(t)s” belongs to another unit; choose one of %(u)s or above it.")
            % {"t": topic, "u": unit},
            fields={"topic": _("other unit")},
        )
    return topic


def _only(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields=dict.fromkeys(sorted(unknown), _("not editable")),
        )


def _diff(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in one.items() if other.get(k) != v}

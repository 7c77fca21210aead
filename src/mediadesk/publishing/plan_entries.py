"""The publish plan's rows (PUB-1, 模板1): written before the content exists, filled by a
schedule.

Who plans: the seed has the content planner (内容策划, our L1 reviewer) enter approved content in
the plan, and operators plan their own accounts, so any of drafting, publishing or level-1
review on the account (or, for a row naming only a platform, on the unit) lets a person write
the plan. An entry's 状态 is not stored: it follows its publication (see :func:`plan_status`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mediadesk.accounts.models import Platform, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.content.models import ContentItem
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, can
from mediadesk.publishing.models import LIVE_STATES, PlanEntry, PublicationState
from mediadesk.publishing.plan_targets import (
    Targets,
    TargetsInvalid,
    format_targets,
    parse_targets,
)

PLANNING_ACTIONS = (Action.CONTENT_DRAFT, Action.CONTENT_PUBLISH, Action.CONTENT_REVIEW_L1)
PENDING, PUBLISHED, WITHDRAWN = "pending", "published", "withdrawn"
#: 模板1's 状态 column, exactly.
STATUS_ZH = {PENDING: "待发布", PUBLISHED: "已发布", WITHDRAWN: "已撤回"}
EDITABLE = (
    "planned_on",
    "planned_time",
    "account",
    "unit",
    "platform",
    "topic",
    "format",
    "targets",
    "owner",
    "reviewer",
    "notes",
    "item",
)


def plan_status(entry: PlanEntry) -> str:
    """待发布 until the entry's publication is published (已发布) or withdrawn (已撤回)."""
    state = entry.publication.state if entry.publication_id else None
    if state == PublicationState.PUBLISHED:
        return PUBLISHED
    if state == PublicationState.WITHDRAWN:
        return WITHDRAWN
    return PENDING


def may_plan(user: Any, obj: Any) -> bool:
    return any(can(user, action, obj) for action in PLANNING_ACTIONS)


def require_plan(user: Any, obj: Any) -> None:
    if not may_plan(user, obj):
        raise PermissionDenied(
            _("You are not allowed to write the publish plan for %(o)s.") % {"o": obj}
        )


def entry_snapshot(entry: PlanEntry) -> dict[str, Any]:
    return {
        "unit": entry.owning_unit_id,
        "account": entry.account_id,
        "platform": entry.platform,
        "planned_on": str(entry.planned_on),
        "planned_time": f"{entry.planned_time:%H:%M}" if entry.planned_time else "",
        "topic": entry.topic,
        "format": entry.format,
        "targets": entry.targets_text,
        "owner": entry.owner_id,
        "reviewer": entry.reviewer_id,
        "notes": entry.notes,
        "item": entry.item_id,
        "publication": entry.publication_id,
        "version": entry.version,
    }


def _person(value: Any, field: str) -> Any:
    if value is None:
        return None
    if not getattr(value, "is_active", False):
        raise ValidationFailed(
            _("%(p)s is not an active person.") % {"p": value}, fields={field: _("inactive")}
        )
    return value


def clean_plan_fields(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Check one row of the plan (a form, an API call or a sheet row) and return model
    fields; raises :class:`ValidationFailed` naming the field, or PermissionDenied."""
    account = data.get("account")
    unit = data.get("unit")
    platform = (data.get("platform") or "").strip()
    if account is not None and not isinstance(account, SocialAccount):
        raise ValidationFailed(_("Unknown account."), fields={"account": _("invalid")})
    if account is not None:
        if platform and platform != account.platform:
            raise ValidationFailed(
                _("%(a)s is on %(p)s, not on the platform given.")
                % {"a": account.name, "p": account.get_platform_display()},
                fields={"platform": _("does not match the account")},
            )
        if unit is not None and not account.owning_unit.path.startswith(unit.path):
            raise ValidationFailed(
                _("%(a)s does not belong to %(u)s.") % {"a": account.name, "u": unit},
                fields={"unit": _("does not match the account")},
            )
        unit, platform = account.owning_unit, account.platform
    if not isinstance(unit, OrgUnit):
        raise ValidationFailed(
            _("Name the account, or the unit and platform, the post is planned for."),
            fields={"account": _("required")},
        )
    if platform not in Platform.values:
        raise ValidationFailed(_("Unknown platform."), fields={"platform": _("invalid")})
    require_plan(actor, account or unit)
    planned_on = data.get("planned_on")
    if isinstance(planned_on, dt.datetime) or not isinstance(planned_on, dt.date):
        raise ValidationFailed(_("Give the date (YYYY-MM-DD)."), fields={"planned_on": "!"})
    planned_time = data.get("planned_time")
    if planned_time is not None and not isinstance(planned_time, dt.time):
        raise ValidationFailed(_("The time is HH:MM."), fields={"planned_time": _("invalid")})
    topic = (data.get("topic") or "").strip()
    if not topic or len(topic) > 300:
        raise ValidationFailed(
            _("The topic must be 1–300 characters."), fields={"topic": _("required")}
        )
    fmt = (data.get("format") or "").strip()
    if len(fmt) > 100:
        raise ValidationFailed(_("The format is at most 100 characters."), fields={"format": "!"})
    targets = data.get("targets") or ""
    if isinstance(targets, Targets):
        text, parsed = format_targets(targets), targets
    else:
        text = str(targets).strip()
        try:
            parsed = parse_targets(text)
        except TargetsInvalid as exc:
            raise ValidationFailed(
                _("Target figures: “%(p)s” — %(r)s") % {"p": exc.part, "r": exc.reason},
                fields={"targets": exc.reason},
            ) from exc
    if len(text) > 300:
        raise ValidationFailed(_("The target figures are too long."), fields={"targets": "!"})
    item = data.get("item")
    if item is not None:
        if not isinstance(item, ContentItem) or not can(actor, Action.CONTENT_VIEW, item):
            raise ValidationFailed(_("Unknown content item."), fields={"item": _("invalid")})
        if account is not None and not item.variants.filter(account=account).exists():
            raise ValidationFailed(
                _("“%(t)s” has no variant for %(a)s.") % {"t": item.title, "a": account.name},
                fields={"item": _("no variant for the account")},
            )
    return {
        "owning_unit": unit,
        "account": account,
        "platform": platform,
        "planned_on": planned_on,
        "planned_time": planned_time.replace(second=0, microsecond=0) if planned_time else None,
        "topic": topic,
        "format": fmt,
        "targets_text": text,
        **parsed.as_fields(),
        "owner": _person(data.get("owner"), "owner"),
        "reviewer": _person(data.get("reviewer"), "reviewer"),
        "notes": (data.get("notes") or "").strip(),
        "item": item,
    }


@transaction.atomic
def create_plan_entry(*, actor: Any, **data: Any) -> PlanEntry:
    """A new row of the plan. Keywords: ``planned_on``, ``topic``, ``account`` or ``unit`` and
    ``platform``, and optionally ``planned_time``, ``format``, ``targets`` (text such as
    "曝光30万+，互动1万+" or :class:`Targets`), ``owner``, ``reviewer``, ``notes``, ``item``."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields=dict.fromkeys(sorted(unknown), _("unknown")),
        )
    entry = PlanEntry.objects.create(created_by=actor, **clean_plan_fields(actor, data))
    record_event(
        action="publishing.plan.create", actor=actor, obj=entry, after=entry_snapshot(entry)
    )
    return entry


def _current(entry: PlanEntry) -> dict[str, Any]:
    return {
        "planned_on": entry.planned_on,
        "planned_time": entry.planned_time,
        "account": entry.account,
        "unit": entry.owning_unit,
        "platform": entry.platform,
        "topic": entry.topic,
        "format": entry.format,
        "targets": entry.targets_text,
        "owner": entry.owner,
        "reviewer": entry.reviewer,
        "notes": entry.notes,
        "item": entry.item,
    }


def _lock(entry: PlanEntry, version: int) -> PlanEntry:
    locked = (
        PlanEntry.objects.select_for_update(of=("self",))
        .select_related("owning_unit", "account__owning_unit", "publication")
        .get(pk=entry.pk)
    )
    if version != locked.version:
        raise Conflict(_("This plan entry changed since you opened it; reload it."))
    return locked


@transaction.atomic
def update_plan_entry(*, actor: Any, entry: PlanEntry, version: int, **changes: Any) -> PlanEntry:
    """Change a row; ``version`` is the one the person saw. Once a publication fills the row,
    its account and time follow the publication (move the publication instead)."""
    entry = _lock(entry, version)
    require_plan(actor, entry.account or entry.owning_unit)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields=dict.fromkeys(sorted(unknown), _("unknown")),
        )
    filled = entry.publication_id and entry.publication.state in LIVE_STATES
    if filled:
        fixed = {"planned_on", "planned_time", "account", "unit", "platform", "item"}
        current = _current(entry)
        moved = sorted(k for k in fixed & set(changes) if changes[k] != current[k])
        if moved:
            raise Conflict(
                _("Publication #%(p)d fills this row; move or cancel it instead of changing %(f)s.")
                % {"p": entry.publication_id, "f": ", ".join(moved)}
            )
    data = {**_current(entry), **changes}
    if "account" in changes and "unit" not in changes:
        data["unit"] = None if changes["account"] is not None else entry.owning_unit
        if changes["account"] is not None and "platform" not in changes:
            data["platform"] = ""
    fields = clean_plan_fields(actor, data)
    before = entry_snapshot(entry)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.version += 1
    entry.save()
    record_event(
        action="publishing.plan.update",
        actor=actor,
        obj=entry,
        before=before,
        after=entry_snapshot(entry),
    )
    return entry


@transaction.atomic
def delete_plan_entry(*, actor: Any, entry: PlanEntry, version: int) -> None:
    """Remove a row that nothing went out for (cancel its publication first)."""
    entry = _lock(entry, version)
    require_plan(actor, entry.account or entry.owning_unit)
    if entry.publication_id and entry.publication.state in (
        *LIVE_STATES,
        PublicationState.WITHDRAWN,
    ):
        raise Conflict(
            _("Publication #%(p)d belongs to this row; it stays in the plan as its record.")
            % {"p": entry.publication_id}
        )
    record_event(
        action="publishing.plan.delete", actor=actor, obj=entry, before=entry_snapshot(entry)
    )
    entry.delete()

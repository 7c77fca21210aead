"""Configuring review workflows (REV-1, REV-2): a unit's or an account's own ordered stages.

Which workflow reviews an item: an account's own, else the nearest unit's, else the seeded
three-level default (``services.workflow_for``). Each unit and each account has at most one
active workflow. Managing them needs ``settings.manage`` where the workflow sits (the default
one: on the whole group).

Rounds in progress keep their route (the stage ids they walk), so an edit never strands one:
a stage kept by the edit (named by its ``id``) is changed in place — who reviews there and what
they check applies from the next decision on, which is how a stuck round gets a new reviewer;
a stage taken out is deleted when nothing ever referred to it, otherwise retired (rounds that
route through it still walk it; new rounds no longer do).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mediadesk.accounts.models import SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.content.models import (
    ApprovalMode,
    StageDecision,
    Workflow,
    WorkflowStage,
    WorkflowState,
)
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.orgs.models import OrgUnit, Role, User
from mediadesk.orgs.permissions import Action, require

MAX_STAGES = 10
MAX_LEVEL = 9
STAGE_FIELDS = ("name", "level", "role", "mode", "checklist", "is_legal")


def workflow_data(workflow: Workflow) -> dict[str, Any]:
    """The workflow as plain data (audit entries, the API)."""
    return {
        "name": workflow.name,
        "owning_unit": workflow.owning_unit_id,
        "account": workflow.account_id,
        "is_default": workflow.is_default,
        "active": workflow.active,
        "stages": [
            {
                "id": s.pk,
                "order": s.order,
                "name": s.name,
                "level": s.level,
                "role": s.role,
                "people": sorted(p.pk for p in s.people.all()),
                "mode": s.mode,
                "checklist": list(s.checklist),
                "is_legal": s.is_legal,
            }
            for s in workflow.stages.filter(retired=False).order_by("order")
        ],
    }


def _clean_name(name: Any) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("The workflow's name must be 1–100 characters."), fields={"name": _("invalid")}
        )
    return name


def _clean_stage(raw: Any, position: int) -> dict[str, Any]:
    where = f"stages.{position}"
    if not isinstance(raw, dict):
        raise ValidationFailed(_("Each stage is a set of named values."), fields={where: "!"})
    name = raw.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Stage %(n)d needs a name of 1–100 characters.") % {"n": position + 1},
            fields={f"{where}.name": _("invalid")},
        )
    level = raw.get("level", position + 1)
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
        raise ValidationFailed(
            _("Stage %(n)d: the level is a number from 1 to %(max)d.")
            % {"n": position + 1, "max": MAX_LEVEL},
            fields={f"{where}.level": _("invalid")},
        )
    role = raw.get("role") or ""
    if role and role not in Role.values:
        raise ValidationFailed(
            _("Stage %(n)d: unknown role %(r)s.") % {"n": position + 1, "r": role},
            fields={f"{where}.role": _("invalid")},
        )
    people = []
    for person in raw.get("people") or []:
        if isinstance(person, User):
            person = person.pk
        people.append(person)
    found = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=[p for p in people if isinstance(p, int)], is_active=True
        )
    }
    if any(p not in found for p in people):
        raise ValidationFailed(
            _("Stage %(n)d names someone who is not an active person.") % {"n": position + 1},
            fields={f"{where}.people": _("invalid")},
        )
    if not role and not people:
        raise ValidationFailed(
            _("Stage %(n)d needs a role or named reviewers.") % {"n": position + 1},
            fields={f"{where}.role": _("required")},
        )
    mode = raw.get("mode") or ApprovalMode.ANY
    if mode not in ApprovalMode.values:
        raise ValidationFailed(
            _("Stage %(n)d: the mode is “any” or “all”.") % {"n": position + 1},
            fields={f"{where}.mode": _("invalid")},
        )
    checklist = raw.get("checklist") or []
    if not isinstance(checklist, list) or not all(isinstance(c, str) for c in checklist):
        raise ValidationFailed(
            _("Stage %(n)d: the checklist is a list of lines.") % {"n": position + 1},
            fields={f"{where}.checklist": _("invalid")},
        )
    checklist = list(dict.fromkeys(c.strip() for c in checklist if c.strip()))
    if any(len(c) > 200 for c in checklist):
        raise ValidationFailed(
            _("Stage %(n)d: a checklist line is longer than 200 characters.") % {"n": position + 1},
            fields={f"{where}.checklist": _("too long")},
        )
    stage_id = raw.get("id")
    if stage_id is not None and (isinstance(stage_id, bool) or not isinstance(stage_id, int)):
        raise ValidationFailed(
            _("Stage %(n)d: unknown stage id.") % {"n": position + 1},
            fields={f"{where}.id": _("invalid")},
        )
    return {
        "id": stage_id,
        "name": name,
        "level": level,
        "role": role,
        "people": [found[p] for p in people],
        "mode": mode,
        "checklist": checklist,
        "is_legal": bool(raw.get("is_legal", False)),
    }


def _clean_stages(stages: Any) -> list[dict[str, Any]]:
    if not isinstance(stages, list | tuple) or not stages:
        raise ValidationFailed(
            _("A workflow needs at least one stage."), fields={"stages": _("required")}
        )
    if len(stages) > MAX_STAGES:
        raise ValidationFailed(
            _("A workflow has at most %(n)d stages.") % {"n": MAX_STAGES},
            fields={"stages": _("too many")},
        )
    cleaned = [_clean_stage(raw, i) for i, raw in enumerate(stages)]
    ids = [s["id"] for s in cleaned if s["id"] is not None]
    if len(ids) != len(set(ids)):
        raise ValidationFailed(
            _("A stage appears twice in the workflow."), fields={"stages": _("duplicate")}
        )
    return cleaned


def _write_stage(stage: WorkflowStage, spec: dict[str, Any], order: int) -> None:
    stage.order = order
    for name in STAGE_FIELDS:
        setattr(stage, name, spec[name])
    stage.save()
    stage.people.set(spec["people"])


def _guard_active(call: Any) -> Any:
    try:
        with transaction.atomic():
            return call()
    except IntegrityError as exc:
        raise Conflict(
            _(
                "This unit or account already has an active workflow; edit that one or "
                "deactivate it first."
            )
        ) from exc


@transaction.atomic
def create_workflow(
    *,
    actor: Any,
    name: str,
    stages: list[dict[str, Any]],
    owning_unit: OrgUnit | None = None,
    account: SocialAccount | None = None,
) -> Workflow:
    """A workflow for one unit (and the units below it) or for one account (audited).

    Each stage: ``name``, ``level`` (1–9; 模板2 shows levels 1–3), ``role`` (a ``Role``
    value) and/or ``people`` (person ids; named people take precedence over the role),
    ``mode`` (``any``/``all``), ``checklist`` (lines the reviewer ticks), ``is_legal``.
    """
    if (owning_unit is None) == (account is None):
        raise ValidationFailed(
            _("A workflow belongs to one unit or to one account."),
            fields={"owning_unit": _("choose one"), "account": _("choose one")},
        )
    require(actor, Action.SETTINGS_MANAGE, owning_unit or account)
    name = _clean_name(name)
    specs = _clean_stages(stages)
    if any(s["id"] is not None for s in specs):
        raise ValidationFailed(
            _("A new workflow's stages have no ids yet."), fields={"stages": _("invalid")}
        )
    workflow = _guard_active(
        lambda: Workflow.objects.create(name=name, owning_unit=owning_unit, account=account)
    )
    for order, spec in enumerate(specs, start=1):
        _write_stage(WorkflowStage(workflow=workflow), spec, order)
    record_event(
        action="content.workflow.create", actor=actor, obj=workflow, after=workflow_data(workflow)
    )
    return workflow


def _referenced_stage_ids(workflow: Workflow) -> set[int]:
    stage_ids = set(workflow.stages.values_list("pk", flat=True))
    used = set(
        StageDecision.objects.filter(stage_id__in=stage_ids).values_list("stage_id", flat=True)
    )
    rounds = WorkflowState.objects.filter(Q(workflow=workflow) | Q(requires_legal=True))
    for route, current in rounds.values_list("route", "stage_id"):
        used.update(s for s in route or [] if s in stage_ids)
        if current in stage_ids:
            used.add(current)
    return used


@transaction.atomic
def update_workflow(
    *,
    actor: Any,
    workflow: Workflow,
    name: str | None = None,
    stages: list[dict[str, Any]] | None = None,
) -> Workflow:
    """Rename a workflow and/or replace its stages (the whole ordered list; a stage given with
    its ``id`` is kept and changed in place). Rounds in progress keep their route."""
    workflow = (
        Workflow.objects.select_for_update(of=("self",))
        .select_related("owning_unit", "account__owning_unit")
        .get(pk=workflow.pk)
    )
    require(actor, Action.SETTINGS_MANAGE, workflow)
    before = workflow_data(workflow)
    if name is not None:
        workflow.name = _clean_name(name)
        workflow.save(update_fields=["name"])
    if stages is not None:
        specs = _clean_stages(stages)
        current = {s.pk: s for s in workflow.stages.filter(retired=False)}
        unknown = [s["id"] for s in specs if s["id"] is not None and s["id"] not in current]
        if unknown:
            raise ValidationFailed(
                _("Stage %(id)d is not a stage of this workflow.") % {"id": unknown[0]},
                fields={"stages": _("unknown stage")},
            )
        kept = {s["id"] for s in specs if s["id"] is not None}
        referenced = _referenced_stage_ids(workflow)
        for stage_id, stage in current.items():
            if stage_id in kept:
                continue
            if stage_id in referenced:
                stage.retired = True
                stage.save(update_fields=["retired"])
            else:
                stage.delete()
        # Out of the way first, so the new order never collides with the old one.
        for offset, stage_id in enumerate(sorted(kept), start=1):
            WorkflowStage.objects.filter(pk=stage_id).update(order=1000 + offset)
        for order, spec in enumerate(specs, start=1):
            stage = current[spec["id"]] if spec["id"] is not None else None
            _write_stage(stage or WorkflowStage(workflow=workflow), spec, order)
    after = workflow_data(workflow)
    if after != before:
        record_event(
            action="content.workflow.update", actor=actor, obj=workflow, before=before, after=after
        )
    return workflow


@transaction.atomic
def deactivate_workflow(*, actor: Any, workflow: Workflow) -> Workflow:
    """New submissions use the next workflow up (the unit's, then the default); rounds in
    progress finish on their route. The default workflow cannot be deactivated."""
    workflow = (
        Workflow.objects.select_for_update(of=("self",))
        .select_related("owning_unit", "account__owning_unit")
        .get(pk=workflow.pk)
    )
    require(actor, Action.SETTINGS_MANAGE, workflow)
    if workflow.is_default:
        raise ValidationFailed(
            _("The default workflow stays: it reviews whatever has no workflow of its own.")
        )
    if workflow.active:
        workflow.active = False
        workflow.save(update_fields=["active"])
        record_event(
            action="content.workflow.deactivate",
            actor=actor,
            obj=workflow,
            before={"active": True},
            after={"active": False},
        )
    return workflow

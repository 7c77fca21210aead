"""API for planning (PUB-1 … PUB-3, PUB-7): scheduling, the calendar, the 模板1 plan, best times,
frequency rules, warnings, pauses and blackouts, and secondary propagation.

Mounted at ``/api/v1/planning``. Times go in as ISO 8601; one without an offset is local time
(``TIME_ZONE``, Asia/Shanghai); times come out with the local offset (``+08:00``). Each handler
calls the same services as the pages; errors are ``{"code", "message", "fields"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status, UploadedFile

from mediadesk.accounts.models import Platform, SocialAccount
from mediadesk.content.models import ContentItem, Variant
from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.core.pagination import MAX_PAGE_SIZE, page_of
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.orgs.permissions import Action, require
from mediadesk.publishing import (
    plan_entries,
    plan_sheet,
    planning,
    planning_frequency,
    planning_pauses,
    planning_slots,
    propagation,
)
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing import planning_selectors as selectors
from mediadesk.publishing.models import (
    BestTimeSlot,
    BlackoutPeriod,
    FrequencyRule,
    PlanEntry,
    PropagationSource,
    Publication,
    PublishingPause,
    RepostTask,
    SlotKind,
)
from mediadesk.publishing.planning_schemas import (
    BlackoutIn,
    BlackoutOut,
    CalendarFilter,
    CalendarOut,
    CancelIn,
    CompleteIn,
    CoverageIn,
    EffectiveRuleOut,
    ImportOut,
    PauseIn,
    PauseOut,
    PlanEntryIn,
    PlanEntryOut,
    PlanEntryPatch,
    PlanFilter,
    PlanPage,
    PlanPageFilter,
    PublicationOut,
    ReleasedOut,
    RescheduleIn,
    ResumeOut,
    RuleIn,
    RuleOut,
    RulePage,
    RulePatch,
    ScheduleIn,
    ScheduleOut,
    ScopeFilter,
    SlotsIn,
    SlotsOut,
    SourceOut,
    SourcePage,
    SuggestOut,
    TargetsIn,
    TargetsOut,
    TaskOut,
    TaskPage,
    WarningOut,
    WarningsFilter,
)
from mediadesk.publishing.planning_warnings import PlanningWarning, calendar_warnings

router = Router(tags=["planning"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- helpers -----------------------------------------------------------------------------------


def _get(model: Any, pk: int, field: str, label: str) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(f"{label} {pk} does not exist", fields={field: f"no such {label}"})
    return obj


def _page_list(rows: list[Any], *, page: int, page_size: int, serialize: Any) -> dict[str, Any]:
    """The house list shape for rows already in memory (the numbered plan)."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"page must be ≥ 1 and page_size 1–{MAX_PAGE_SIZE}",
            fields={"page_size": f"must be 1–{MAX_PAGE_SIZE}"},
        )
    start = (page - 1) * page_size
    return {
        "items": [serialize(r) for r in rows[start : start + page_size]],
        "total": len(rows),
        "page": page,
        "page_size": page_size,
    }


def _publication(request: HttpRequest, publication_id: int) -> Publication:
    return selectors.get_publication(user=request.auth, publication_id=publication_id)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return rules.to_local(value) if value is not None else None


def _warning(w: PlanningWarning) -> dict[str, Any]:
    return w.as_dict()


def _publication_out(publication: Publication) -> dict[str, Any]:
    entry = PlanEntry.objects.filter(publication=publication).values_list("pk", flat=True).first()
    return {
        "id": publication.pk,
        "variant_id": publication.variant_id,
        "item_id": publication.item_id,
        "account_id": publication.account_id,
        "scheduled_at": _local(publication.scheduled_at),
        "delivery": publication.delivery,
        "state": publication.state,
        "version": publication.version,
        "owner_id": publication.owner_id,
        "scheduled_by_id": publication.scheduled_by_id,
        "notes": publication.notes,
        "released_at": _local(publication.released_at),
        "is_major_news": publication.is_major_news,
        "plan_entry_id": entry,
    }


def _schedule_out(result: planning.ScheduleResult) -> dict[str, Any]:
    return {
        "publication": _publication_out(result.publication),
        "warnings": [_warning(w) for w in result.warnings],
    }


def _name(person: User | None) -> str:
    return (person.display_name or person.username) if person is not None else ""


def _entry_out(entry: PlanEntry, number: int | None = None, status: str | None = None) -> Any:
    status = status or plan_entries.plan_status(entry)
    return {
        "id": entry.pk,
        "number": number,
        "planned_on": entry.planned_on,
        "planned_time": entry.planned_time,
        "unit_id": entry.owning_unit_id,
        "account_id": entry.account_id,
        "account_name": entry.account.name if entry.account_id else "",
        "platform": entry.platform,
        "topic": entry.topic,
        "format": entry.format,
        "targets": entry.targets_text,
        "target_exposure": entry.target_exposure,
        "target_interaction": entry.target_interaction,
        "target_conversion": entry.target_conversion,
        "owner_id": entry.owner_id,
        "owner_name": _name(entry.owner),
        "reviewer_id": entry.reviewer_id,
        "reviewer_name": _name(entry.reviewer),
        "status": status,
        "status_label": plan_entries.STATUS_ZH[status],
        "notes": entry.notes,
        "item_id": entry.item_id,
        "publication_id": entry.publication_id,
        "version": entry.version,
    }


def _scope(request: HttpRequest, filters: ScopeFilter) -> selectors.PlanScope:
    return selectors.resolve_scope(
        user=request.auth, account_id=filters.account, unit_id=filters.unit
    )


def _pause_out(pause: PublishingPause) -> dict[str, Any]:
    return {
        "id": pause.pk,
        "unit_id": pause.unit_id,
        "unit_name": pause.unit.name,
        "reason": pause.reason,
        "started_by_id": pause.started_by_id,
        "started_at": _local(pause.started_at),
        "ended_by_id": pause.ended_by_id,
        "ended_at": _local(pause.ended_at),
    }


def _blackout_out(blackout: BlackoutPeriod) -> dict[str, Any]:
    return {
        "id": blackout.pk,
        "unit_id": blackout.unit_id,
        "starts_at": _local(blackout.starts_at),
        "ends_at": _local(blackout.ends_at),
        "reason": blackout.reason,
        "created_by_id": blackout.created_by_id,
    }


def _task_out(task: RepostTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "source_id": task.source_id,
        "title": task.source.title,
        "reason": task.source.reason,
        "account_id": task.account_id,
        "account_name": task.account.name,
        "unit_id": task.unit_id,
        "due_at": _local(task.due_at),
        "status": task.status,
        "overdue": propagation.is_overdue(task),
        "completed_by_id": task.completed_by_id,
        "completed_at": _local(task.completed_at),
        "repost_url": task.repost_url,
        "repost_post_id": task.repost_post_id,
    }


def _source_out(source: PropagationSource, missing: list[int] | None = None) -> dict[str, Any]:
    return {
        "id": source.pk,
        "reason": source.reason,
        "title": source.title,
        "medium": source.medium,
        "url": source.url,
        "publication_id": source.publication_id,
        "created_by_id": source.created_by_id,
        "created_at": _local(source.created_at),
        "due_at": _local(source.due_at),
        "tasks": [
            _task_out(t) for t in source.tasks.select_related("source", "account").order_by("pk")
        ],
        "units_without_targets": missing or [],
    }


def _slot(slot: BestTimeSlot) -> dict[str, Any]:
    return {
        "weekdays": slot.weekdays,
        "starts": slot.starts,
        "ends": slot.ends,
        "kind": slot.kind,
        "weight": slot.weight,
        "label": slot.label,
    }


# -- scheduling --------------------------------------------------------------------------------


@router.post("/publications", response={201: ScheduleOut})
def schedule(request: HttpRequest, payload: ScheduleIn) -> Status:
    """Schedule an approved variant; refused with 422/409 when it could not go out as
    approved, otherwise the publication with its warnings."""
    variant = Variant.objects.select_related("account").filter(pk=payload.variant_id).first()
    if variant is None:
        raise ValidationFailed(
            f"variant {payload.variant_id} does not exist", fields={"variant_id": "no such"}
        )
    result = planning.schedule_publication(
        actor=request.auth,
        variant=variant,
        at=payload.at,
        delivery=payload.delivery,
        owner=_get(User, payload.owner_id, "owner_id", "person") if payload.owner_id else None,
        notes=payload.notes,
        plan_entry=(
            _get(PlanEntry, payload.plan_entry_id, "plan_entry_id", "plan entry")
            if payload.plan_entry_id
            else None
        ),
    )
    return Status(201, _schedule_out(result))


@router.post("/publications/{publication_id}/reschedule", response=ScheduleOut)
def reschedule(request: HttpRequest, publication_id: int, payload: RescheduleIn) -> Any:
    """Move a waiting publication (drag and drop); ``version`` is the one the page showed."""
    result = planning.reschedule_publication(
        actor=request.auth,
        publication=_publication(request, publication_id),
        at=payload.at,
        version=payload.version,
    )
    return _schedule_out(result)


@router.post("/publications/{publication_id}/cancel", response=PublicationOut)
def cancel(request: HttpRequest, publication_id: int, payload: CancelIn) -> Any:
    publication = planning.cancel_publication(
        actor=request.auth,
        publication=_publication(request, publication_id),
        version=payload.version,
        reason=payload.reason,
    )
    return _publication_out(publication)


@router.get("/accounts/{account_id}/suggest-slot", response=SuggestOut)
def suggest(
    request: HttpRequest,
    account_id: int,
    after: dt.datetime | None = None,
    kind: SlotKind = SlotKind.REGULAR,
) -> dict[str, Any]:
    """The next free best-time slot of the account after ``after`` (default: now)."""
    account = selectors.resolve_scope(user=request.auth, account_id=account_id).account
    suggestion = planning_slots.suggest_slot(account, after or timezone.now(), kind)
    if suggestion is None:
        return {"suggestion": None, "reason": "no free best-time slot (paused, none set, or full)"}
    return {"suggestion": suggestion.as_dict(), "reason": ""}


# -- calendar, warnings, plan ------------------------------------------------------------------


@router.get("/calendar", response=CalendarOut)
def calendar(request: HttpRequest, filters: Query[CalendarFilter]) -> dict[str, Any]:
    """A month (whole weeks, Monday first) or a week of an account, a unit or the group."""
    scope = _scope(request, filters)
    data = selectors.calendar(
        user=request.auth,
        scope=scope,
        view=filters.view,
        anchor=filters.day or rules.local_today(),
    )
    blackouts = {b.pk: b for day in data.days for b in day.blackouts}
    return {
        "view": data.view,
        "scope": scope.kind,
        "scope_label": scope.label(),
        "anchor": data.anchor,
        "start": data.start,
        "end": data.end,
        "days": [
            {
                "day": d.day,
                "in_range": d.in_range,
                "is_today": d.is_today,
                "is_working_day": d.is_working_day,
                "entries": [
                    {**e.__dict__, "warnings": [_warning(w) for w in e.warnings]} for e in d.entries
                ],
                "warnings": [_warning(w) for w in d.warnings],
                "blackout_ids": [b.pk for b in d.blackouts],
            }
            for d in data.days
        ],
        "warnings": [_warning(w) for w in data.warnings],
        "pauses": [_pause_out(p) for p in data.pauses],
        "blackouts": [_blackout_out(b) for b in blackouts.values()],
    }


@router.get("/warnings", response=list[WarningOut])
def warnings(request: HttpRequest, filters: Query[WarningsFilter]) -> list[dict[str, Any]]:
    """Gaps, overloads, quota breaches and held posts between two days (inclusive)."""
    if filters.end < filters.start or (filters.end - filters.start).days > 92:
        raise ValidationFailed(
            "end must be on or after start, at most 92 days later", fields={"end": "invalid"}
        )
    scope = _scope(request, filters)
    accounts = selectors.visible_to(
        SocialAccount.objects.filter(
            pk__in=[a.pk for a in selectors.accounts_in_scope(scope)]
        ).select_related("owning_unit"),
        request.auth,
        "owning_unit__path",
        "pk",
    )
    found = calendar_warnings(
        scope=scope.target, start=filters.start, end=filters.end, accounts=list(accounts)
    )
    return [_warning(w) for w in found]


@router.get("/plan", response=PlanPage)
def plan(request: HttpRequest, filters: Query[PlanPageFilter]) -> dict[str, Any]:
    """模板1 as JSON, numbered (序号) in date order."""
    rows = selectors.plan_table(
        user=request.auth,
        scope=_scope(request, filters),
        start=filters.start,
        end=filters.end,
        platform=filters.platform,
        status=filters.status,
    )
    return _page_list(
        rows,
        page=filters.page,
        page_size=filters.page_size,
        serialize=lambda r: _entry_out(r.entry, r.number, r.status),
    )


@router.get("/plan/export")
def export_plan(request: HttpRequest, filters: Query[PlanFilter]) -> HttpResponse:
    """模板1 as .xlsx with the seed's exact headers (machine columns after them)."""
    rows = selectors.plan_table(
        user=request.auth,
        scope=_scope(request, filters),
        start=filters.start,
        end=filters.end,
        platform=filters.platform,
        status=filters.status,
    )
    response = HttpResponse(plan_sheet.export_plan(actor=request.auth, rows=rows), XLSX)
    response["Content-Disposition"] = 'attachment; filename="publish-plan.xlsx"'
    return response


@router.get("/plan/template")
def plan_template(request: HttpRequest) -> HttpResponse:
    require(request.auth, Action.CONTENT_VIEW)
    response = HttpResponse(plan_sheet.template_workbook(), XLSX)
    response["Content-Disposition"] = 'attachment; filename="publish-plan-template.xlsx"'
    return response


@router.post("/plan/import", response={201: ImportOut})
def import_plan(request: HttpRequest, file: UploadedFile = File(...)) -> Status:
    """Every row or none: a bad row answers 422 with ``fields.rows`` = [{row, column, message}]."""
    if file.size is not None and file.size > plan_sheet.MAX_BYTES:
        raise ValidationFailed("the file is larger than 10 MB", fields={"file": "too large"})
    saved = plan_sheet.import_plan(actor=request.auth, content=file.read())
    return Status(201, {"imported": len(saved)})


def _entry_fields(payload: Schema, *, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    data.pop("version", None)
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key == "account_id":
            fields["account"] = (
                SocialAccount.objects.select_related("owning_unit").filter(pk=value).first()
                if value
                else None
            )
            if value and fields["account"] is None:
                raise ValidationFailed(f"account {value} does not exist", fields={key: "no such"})
        elif key == "unit_id":
            fields["unit"] = _get(OrgUnit, value, key, "unit") if value else None
        elif key in ("owner_id", "reviewer_id"):
            fields[key[:-3]] = _get(User, value, key, "person") if value else None
        elif key == "item_id":
            fields["item"] = _get(ContentItem, value, key, "content item") if value else None
        elif key == "platform":
            fields["platform"] = value or ""
        else:
            fields[key] = value
    return fields


@router.post("/plan", response={201: PlanEntryOut})
def create_entry(request: HttpRequest, payload: PlanEntryIn) -> Status:
    entry = plan_entries.create_plan_entry(
        actor=request.auth, **_entry_fields(payload, partial=False)
    )
    return Status(201, _entry_out(entry))


@router.get("/plan/{entry_id}", response=PlanEntryOut)
def get_entry(request: HttpRequest, entry_id: int) -> Any:
    return _entry_out(selectors.get_plan_entry(user=request.auth, entry_id=entry_id))


@router.patch("/plan/{entry_id}", response=PlanEntryOut)
def update_entry(request: HttpRequest, entry_id: int, payload: PlanEntryPatch) -> Any:
    entry = selectors.get_plan_entry(user=request.auth, entry_id=entry_id)
    entry = plan_entries.update_plan_entry(
        actor=request.auth,
        entry=entry,
        version=payload.version,
        **_entry_fields(payload, partial=True),
    )
    return _entry_out(entry)


@router.delete("/plan/{entry_id}", response={204: None})
def delete_entry(request: HttpRequest, entry_id: int, version: int) -> Status:
    entry = selectors.get_plan_entry(user=request.auth, entry_id=entry_id)
    plan_entries.delete_plan_entry(actor=request.auth, entry=entry, version=version)
    return Status(204, None)


# -- best times and frequency ------------------------------------------------------------------


def _slots_out(account: SocialAccount) -> dict[str, Any]:
    slots = rules.effective_slots(account)
    return {
        "account_id": account.pk,
        "platform": account.platform,
        "own": any(s.account_id for s in slots),
        "slots": [_slot(s) for s in slots],
    }


@router.get("/accounts/{account_id}/best-times", response=SlotsOut)
def account_slots(request: HttpRequest, account_id: int) -> dict[str, Any]:
    account = selectors.resolve_scope(user=request.auth, account_id=account_id).account
    return _slots_out(account)


@router.put("/accounts/{account_id}/best-times", response=SlotsOut)
def set_account_slots(request: HttpRequest, account_id: int, payload: SlotsIn) -> Any:
    """The account's own slots (replacing its platform's); an empty list: the platform's."""
    account = selectors.resolve_scope(user=request.auth, account_id=account_id).account
    planning_slots.set_account_slots(
        actor=request.auth, account=account, slots=[s.dict() for s in payload.slots]
    )
    return _slots_out(account)


@router.delete("/accounts/{account_id}/best-times", response=SlotsOut)
def reset_account_slots(request: HttpRequest, account_id: int) -> Any:
    account = selectors.resolve_scope(user=request.auth, account_id=account_id).account
    planning_slots.set_account_slots(actor=request.auth, account=account, slots=[])
    return _slots_out(account)


@router.get("/platforms/{platform}/best-times", response=SlotsOut)
def platform_slots(request: HttpRequest, platform: Platform) -> dict[str, Any]:
    require(request.auth, Action.CONTENT_VIEW)
    rules.seed_default_planning()
    slots = BestTimeSlot.objects.filter(account__isnull=True, platform=platform)
    return {
        "account_id": None,
        "platform": platform,
        "own": False,
        "slots": [_slot(s) for s in slots],
    }


@router.put("/platforms/{platform}/best-times", response=SlotsOut)
def set_platform_slots(request: HttpRequest, platform: Platform, payload: SlotsIn) -> Any:
    created = planning_slots.set_platform_slots(
        actor=request.auth, platform=platform, slots=[s.dict() for s in payload.slots]
    )
    return {
        "account_id": None,
        "platform": platform,
        "own": False,
        "slots": [_slot(s) for s in created],
    }


@router.get("/frequency-rules", response=RulePage)
def list_rules(
    request: HttpRequest,
    account: int | None = None,
    platform: str | None = None,
    matrix_role: str | None = None,
    defaults: bool | None = None,
    page: int = 1,
    page_size: int = 100,
) -> dict[str, Any]:
    """Rules as stored: per account (those you may see) and the group's defaults."""
    require(request.auth, Action.CONTENT_VIEW)
    rules.seed_default_planning()
    visible = selectors.visible_to(
        SocialAccount.objects.all(), request.auth, "owning_unit__path", "pk"
    )
    qs = FrequencyRule.objects.filter(account__isnull=True) | FrequencyRule.objects.filter(
        account__in=visible
    )
    if account is not None:
        qs = qs.filter(account_id=account)
    if platform:
        qs = qs.filter(platform=platform)
    if matrix_role:
        qs = qs.filter(matrix_role=matrix_role)
    if defaults is not None:
        qs = qs.filter(account__isnull=defaults)
    return page_of(
        qs.order_by("account_id", "platform", "matrix_role", "period", "pk"),
        page=page,
        page_size=page_size,
    )


@router.post("/frequency-rules", response={201: RuleOut})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status:
    data = payload.dict()
    account_id = data.pop("account_id")
    account = (
        selectors.resolve_scope(user=request.auth, account_id=account_id).account
        if account_id
        else None
    )
    rule = planning_frequency.create_frequency_rule(actor=request.auth, account=account, **data)
    return Status(201, rule)


@router.patch("/frequency-rules/{rule_id}", response=RuleOut)
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    rule = FrequencyRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"frequency rule {rule_id} does not exist")
    return planning_frequency.update_frequency_rule(
        actor=request.auth, rule=rule, **payload.dict(exclude_unset=True)
    )


@router.delete("/frequency-rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: int) -> Status:
    rule = FrequencyRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"frequency rule {rule_id} does not exist")
    planning_frequency.delete_frequency_rule(actor=request.auth, rule=rule)
    return Status(204, None)


@router.get("/accounts/{account_id}/frequency", response=list[EffectiveRuleOut])
def account_rules(request: HttpRequest, account_id: int) -> list[dict[str, Any]]:
    """The rules that apply to the account, wherever they come from."""
    account = selectors.resolve_scope(user=request.auth, account_id=account_id).account
    return [r.__dict__ for r in rules.rules_for(account)]


# -- pauses and blackouts ----------------------------------------------------------------------


@router.get("/pauses", response=list[PauseOut])
def list_pauses(request: HttpRequest, open: bool | None = None) -> list[dict[str, Any]]:
    require(request.auth, Action.CONTENT_VIEW)
    qs = selectors.visible_pauses(request.auth)
    if open is not None:
        qs = qs.filter(ended_at__isnull=open)
    return [_pause_out(p) for p in qs[:200]]


@router.post("/pauses", response={201: PauseOut})
def pause(request: HttpRequest, payload: PauseIn) -> Status:
    """Stop publishing for a unit (the group: everything) until resumed."""
    unit = _get(OrgUnit, payload.unit_id, "unit_id", "unit")
    created = planning_pauses.pause_publishing(actor=request.auth, unit=unit, reason=payload.reason)
    return Status(201, _pause_out(created))


@router.post("/pauses/{pause_id}/resume", response=ResumeOut)
def resume(request: HttpRequest, pause_id: int) -> dict[str, Any]:
    found = PublishingPause.objects.select_related("unit").filter(pk=pause_id).first()
    if found is None:
        raise NotFound(f"pause {pause_id} does not exist")
    result = planning_pauses.resume_publishing(actor=request.auth, pause=found)
    return {"pause": _pause_out(result.hold), "released": [p.pk for p in result.publications]}


@router.get("/blackouts", response=list[BlackoutOut])
def list_blackouts(request: HttpRequest, current: bool | None = None) -> list[dict[str, Any]]:
    """Blackouts of units you may see; ``current=true``: those not over yet."""
    require(request.auth, Action.CONTENT_VIEW)
    qs = selectors.visible_blackouts(request.auth)
    if current:
        qs = qs.filter(ends_at__gt=timezone.now())
    return [_blackout_out(b) for b in qs[:500]]


@router.post("/blackouts", response={201: BlackoutOut})
def create_blackout(request: HttpRequest, payload: BlackoutIn) -> Status:
    unit = _get(OrgUnit, payload.unit_id, "unit_id", "unit")
    blackout = planning_pauses.create_blackout(
        actor=request.auth,
        unit=unit,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, _blackout_out(blackout))


@router.delete("/blackouts/{blackout_id}", response=ReleasedOut)
def delete_blackout(request: HttpRequest, blackout_id: int) -> dict[str, Any]:
    blackout = BlackoutPeriod.objects.select_related("unit").filter(pk=blackout_id).first()
    if blackout is None:
        raise NotFound(f"blackout {blackout_id} does not exist")
    result = planning_pauses.delete_blackout(actor=request.auth, blackout=blackout)
    return {"released": [p.pk for p in result.publications]}


# -- secondary propagation ---------------------------------------------------------------------


@router.post("/publications/{publication_id}/major-news", response={201: SourceOut})
def major_news(request: HttpRequest, publication_id: int) -> Status:
    """HQ marks a published post as group major news: each unit's accounts repost it within
    1 working day."""
    result = propagation.mark_major_news(
        actor=request.auth, publication=_publication(request, publication_id)
    )
    return Status(201, _source_out(result.source, [u.pk for u in result.units_without_targets]))


@router.post("/coverage", response={201: SourceOut})
def coverage(request: HttpRequest, payload: CoverageIn) -> Status:
    """HQ records positive coverage by a mainstream medium: each unit reposts it."""
    result = propagation.record_coverage(actor=request.auth, **payload.dict())
    return Status(201, _source_out(result.source, [u.pk for u in result.units_without_targets]))


@router.get("/propagation-sources", response=SourcePage)
def list_sources(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    require(request.auth, Action.CONTENT_VIEW)
    return page_of(
        PropagationSource.objects.order_by("-created_at", "-pk"),
        page=page,
        page_size=page_size,
        serialize=_source_out,
    )


@router.get("/repost-tasks", response=TaskPage)
def list_tasks(
    request: HttpRequest,
    status: str | None = None,
    unit: int | None = None,
    overdue: bool | None = None,
    source: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    qs = propagation.visible_tasks(
        user=request.auth,
        status=status,
        unit=_get(OrgUnit, unit, "unit", "unit") if unit else None,
        overdue=overdue,
        source=source,
    )
    return page_of(qs, page=page, page_size=page_size, serialize=_task_out)


@router.post("/repost-tasks/{task_id}/complete", response=TaskOut)
def complete_task(request: HttpRequest, task_id: int, payload: CompleteIn) -> dict[str, Any]:
    task = RepostTask.objects.select_related("source", "account__owning_unit").filter(pk=task_id)
    found = task.first()
    if found is None:
        raise NotFound(f"repost task {task_id} does not exist")
    require(request.auth, Action.CONTENT_VIEW, found)
    done = propagation.complete_repost(
        actor=request.auth, task=found, url=payload.url, post_id=payload.post_id
    )
    return _task_out(done)


@router.get("/units/{unit_id}/repost-targets", response=TargetsOut)
def get_targets(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    unit = _get(OrgUnit, unit_id, "unit_id", "unit")
    require(request.auth, Action.CONTENT_VIEW, unit)
    accounts, chosen = propagation.targets_for(unit)
    return {"unit_id": unit.pk, "chosen": chosen, "account_ids": [a.pk for a in accounts]}


@router.put("/units/{unit_id}/repost-targets", response=TargetsOut)
def set_targets(request: HttpRequest, unit_id: int, payload: TargetsIn) -> dict[str, Any]:
    """Which accounts repost for the unit; an empty list: back to its official accounts."""
    unit = _get(OrgUnit, unit_id, "unit_id", "unit")
    accounts = list(
        SocialAccount.objects.select_related("owning_unit").filter(pk__in=payload.account_ids)
    )
    if len(accounts) != len(set(payload.account_ids)):
        raise ValidationFailed("unknown account ids", fields={"account_ids": "no such account"})
    propagation.set_targets(actor=request.auth, unit=unit, accounts=accounts)
    accounts, chosen = propagation.targets_for(unit)
    return {"unit_id": unit.pk, "chosen": chosen, "account_ids": [a.pk for a in accounts]}

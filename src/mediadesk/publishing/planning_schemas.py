"""Request and response shapes of the planning API (``planning_api``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from mediadesk.accounts.models import Platform
from mediadesk.publishing.models import DeliveryMode, FrequencyPeriod, SlotKind


class WarningOut(Schema):
    code: str = Field(
        description="outside_best_time, frequency_gap, frequency_overload, quota_breach, "
        "blackout or paused"
    )
    message: str
    account_id: int | None
    period: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    details: dict[str, Any]


class PublicationOut(Schema):
    id: int
    variant_id: int
    item_id: int
    account_id: int
    scheduled_at: dt.datetime
    delivery: str
    state: str
    version: int
    owner_id: int
    scheduled_by_id: int
    notes: str
    released_at: dt.datetime | None
    is_major_news: bool
    plan_entry_id: int | None


class ScheduleOut(Schema):
    publication: PublicationOut
    warnings: list[WarningOut]


class ScheduleIn(Schema):
    variant_id: int
    at: dt.datetime = Field(description="ISO 8601; without an offset it is local time")
    delivery: DeliveryMode | None = Field(
        default=None, description="default: the platform's (API or assisted)"
    )
    owner_id: int | None = None
    notes: str = ""
    plan_entry_id: int | None = None


class RescheduleIn(Schema):
    at: dt.datetime
    version: int


class CancelIn(Schema):
    version: int
    reason: str = ""


class SuggestionOut(Schema):
    at: dt.datetime
    ends: dt.datetime
    slot_id: int
    label: str
    weight: int
    kind: str


class SuggestOut(Schema):
    suggestion: SuggestionOut | None
    reason: str = ""


class EntryOut(Schema):
    kind: str = Field(description="publication or plan")
    id: int
    day: dt.date
    time: dt.time | None
    at: dt.datetime | None
    state: str
    status: str = Field(description="模板1: pending 待发布 / published 已发布 / withdrawn 已撤回")
    status_label: str
    account_id: int | None
    account_name: str
    platform: str
    unit_id: int
    title: str
    delivery: str
    publication_id: int | None
    plan_entry_id: int | None
    item_id: int | None
    version: int
    movable: bool
    warnings: list[WarningOut]


class BlackoutOut(Schema):
    id: int
    unit_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    created_by_id: int


class DayOut(Schema):
    day: dt.date
    in_range: bool
    is_today: bool
    is_working_day: bool
    entries: list[EntryOut]
    warnings: list[WarningOut]
    blackout_ids: list[int]


class PauseOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    reason: str
    started_by_id: int
    started_at: dt.datetime
    ended_by_id: int | None
    ended_at: dt.datetime | None


class CalendarOut(Schema):
    view: str
    scope: str = Field(description="account, unit or group")
    scope_label: str
    anchor: dt.date
    start: dt.date
    end: dt.date
    days: list[DayOut]
    warnings: list[WarningOut]
    pauses: list[PauseOut]
    blackouts: list[BlackoutOut]


class ScopeFilter(Schema):
    account: int | None = None
    unit: int | None = None


class CalendarFilter(ScopeFilter):
    view: str = "month"
    day: dt.date | None = None


class WarningsFilter(ScopeFilter):
    start: dt.date
    end: dt.date


class PlanFilter(ScopeFilter):
    start: dt.date | None = None
    end: dt.date | None = None
    platform: Platform | None = None
    status: str | None = Field(default=None, description="pending, published or withdrawn")


class PlanPageFilter(PlanFilter):
    page: int = 1
    page_size: int = 50


class PlanEntryOut(Schema):
    id: int
    number: int | None = Field(description="模板1 序号 within the listing")
    planned_on: dt.date
    planned_time: dt.time | None
    unit_id: int
    account_id: int | None
    account_name: str
    platform: str
    topic: str
    format: str
    targets: str
    target_exposure: int
    target_interaction: int
    target_conversion: int
    owner_id: int | None
    owner_name: str
    reviewer_id: int | None
    reviewer_name: str
    status: str
    status_label: str
    notes: str
    item_id: int | None
    publication_id: int | None
    version: int


class PlanPage(Schema):
    items: list[PlanEntryOut]
    total: int
    page: int
    page_size: int


class PlanEntryIn(Schema):
    planned_on: dt.date
    topic: str = Field(min_length=1, max_length=300)
    account_id: int | None = None
    unit_id: int | None = None
    platform: Platform | None = None
    planned_time: dt.time | None = None
    format: str = ""
    targets: str = Field(default="", description="as written, e.g. 曝光30万+，互动1万+")
    owner_id: int | None = None
    reviewer_id: int | None = None
    notes: str = ""
    item_id: int | None = None


class PlanEntryPatch(Schema):
    version: int
    planned_on: dt.date | None = None
    topic: str | None = None
    account_id: int | None = None
    unit_id: int | None = None
    platform: Platform | None = None
    planned_time: dt.time | None = None
    format: str | None = None
    targets: str | None = None
    owner_id: int | None = None
    reviewer_id: int | None = None
    notes: str | None = None
    item_id: int | None = None


class ImportOut(Schema):
    imported: int


class SlotIO(Schema):
    weekdays: list[int] = Field(default=[1, 2, 3, 4, 5, 6, 7], description="1 Monday … 7 Sunday")
    starts: dt.time
    ends: dt.time
    kind: SlotKind = SlotKind.REGULAR
    weight: int = Field(default=1, ge=1, le=10)
    label: str = ""


class SlotsIn(Schema):
    slots: list[SlotIO]


class SlotsOut(Schema):
    account_id: int | None
    platform: str
    own: bool = Field(description="True: the account's own slots replace its platform's")
    slots: list[SlotIO]


class RuleOut(Schema):
    id: int
    account_id: int | None
    platform: str
    matrix_role: str
    period: str
    minimum: int
    maximum: int | None
    note: str


class RulePage(Schema):
    items: list[RuleOut]
    total: int
    page: int
    page_size: int


class RuleIn(Schema):
    period: FrequencyPeriod
    account_id: int | None = None
    platform: str = ""
    matrix_role: str = ""
    minimum: int = Field(default=0, ge=0)
    maximum: int | None = Field(default=None, ge=1)
    note: str = ""


class RulePatch(Schema):
    period: FrequencyPeriod | None = None
    minimum: int | None = Field(default=None, ge=0)
    maximum: int | None = Field(default=None, ge=1)
    note: str | None = None


class EffectiveRuleOut(Schema):
    period: str
    minimum: int
    maximum: int | None
    source: str
    note: str
    rule_id: int | None


class PauseIn(Schema):
    unit_id: int
    reason: str = Field(min_length=1)


class ResumeOut(Schema):
    pause: PauseOut
    released: list[int] = Field(description="publications given back to the engine")


class BlackoutIn(Schema):
    unit_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str = Field(min_length=1, max_length=200)


class ReleasedOut(Schema):
    released: list[int]


class CoverageIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    medium: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, max_length=1000)


class TaskOut(Schema):
    id: int
    source_id: int
    title: str
    reason: str
    account_id: int
    account_name: str
    unit_id: int
    due_at: dt.datetime
    status: str
    overdue: bool
    completed_by_id: int | None
    completed_at: dt.datetime | None
    repost_url: str
    repost_post_id: str


class TaskPage(Schema):
    items: list[TaskOut]
    total: int
    page: int
    page_size: int


class SourceOut(Schema):
    id: int
    reason: str
    title: str
    medium: str
    url: str
    publication_id: int | None
    created_by_id: int
    created_at: dt.datetime
    due_at: dt.datetime
    tasks: list[TaskOut]
    units_without_targets: list[int]


class SourcePage(Schema):
    items: list[SourceOut]
    total: int
    page: int
    page_size: int


class CompleteIn(Schema):
    url: str = ""
    post_id: str = ""


class TargetsIn(Schema):
    account_ids: list[int]


class TargetsOut(Schema):
    unit_id: int
    chosen: bool = Field(description="False: the default (the unit's official accounts)")
    account_ids: list[int]

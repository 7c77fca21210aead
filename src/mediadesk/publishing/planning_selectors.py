"""Reading the plan: month and week calendars and the 模板1 table, per account, unit or group.

What a page needs comes ready: days × entries with state, account, platform, local time, title
and warnings; an entry is either a publication (on the calendar with a time) or a plan row no
publication fills yet (planned, maybe without a time). Everything is limited to what the reader
may see (``Action.CONTENT_VIEW``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mediadesk.accounts.models import SocialAccount
from mediadesk.core import workdays
from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.core.models import CalendarDay as CalendarDayOverride
from mediadesk.orgs.models import OrgUnit, UnitKind
from mediadesk.orgs.permissions import (
    ALL_UNITS,
    Action,
    account_ids_for,
    can,
    require,
    unit_paths_for,
)
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import (
    BlackoutPeriod,
    PlanEntry,
    Publication,
    PublicationState,
    PublishingPause,
    SlotKind,
)
from mediadesk.publishing.plan_entries import STATUS_ZH, may_plan, plan_status
from mediadesk.publishing.planning import WAITING_STATES, is_promotion
from mediadesk.publishing.planning_warnings import (
    PlanningWarning,
    accounts_in,
    calendar_warnings,
)

MONTH, WEEK = "month", "week"


def visible_to(qs: QuerySet, user: Any, unit_field: str, account_field: str) -> QuerySet:
    """``qs`` limited to rows under units, or on accounts, where ``user`` may view content."""
    paths = unit_paths_for(user, Action.CONTENT_VIEW)
    if paths is ALL_UNITS:
        return qs
    condition = Q(**{f"{account_field}__in": account_ids_for(user, Action.CONTENT_VIEW)})
    for path in paths:
        condition |= Q(**{f"{unit_field}__startswith": path})
    return qs.filter(condition)


@dataclass(frozen=True)
class PlanScope:
    """Whose plan: one account, a unit and everything below it, or the whole group."""

    account: SocialAccount | None = None
    unit: OrgUnit | None = None

    @property
    def target(self) -> SocialAccount | OrgUnit | None:
        return self.account or self.unit

    @property
    def kind(self) -> str:
        return "account" if self.account else "unit" if self.unit else "group"

    def label(self) -> str:
        if self.account is not None:
            return str(self.account)
        if self.unit is not None:
            return self.unit.name
        group = OrgUnit.objects.filter(kind=UnitKind.GROUP).first()
        return group.name if group else _("the group")


def resolve_scope(
    *, user: Any, account_id: int | None = None, unit_id: int | None = None
) -> PlanScope:
    """The scope of a calendar request, after checking the reader may see it."""
    require(user, Action.CONTENT_VIEW)
    if account_id is not None:
        account = SocialAccount.objects.select_related("owning_unit").filter(pk=account_id).first()
        if account is None:
            raise NotFound(f"account {account_id} does not exist")
        require(user, Action.CONTENT_VIEW, account)
        return PlanScope(account=account)
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(f"unit {unit_id} does not exist")
        require(user, Action.CONTENT_VIEW, unit)
        return PlanScope(unit=unit)
    return PlanScope()


def _publications(user: Any, scope: PlanScope) -> QuerySet[Publication]:
    qs = visible_to(
        Publication.objects.select_related(
            "account__owning_unit", "variant", "item__topic", "owner"
        ),
        user,
        "account__owning_unit__path",
        "account_id",
    )
    if scope.account is not None:
        return qs.filter(account=scope.account)
    if scope.unit is not None:
        return qs.filter(account__owning_unit__path__startswith=scope.unit.path)
    return qs


def plan_entries(user: Any, scope: PlanScope) -> QuerySet[PlanEntry]:
    qs = visible_to(
        PlanEntry.objects.select_related(
            "owning_unit", "account__owning_unit", "owner", "reviewer", "publication", "item"
        ),
        user,
        "owning_unit__path",
        "account_id",
    )
    if scope.account is not None:
        return qs.filter(account=scope.account)
    if scope.unit is not None:
        return qs.filter(owning_unit__path__startswith=scope.unit.path)
    return qs


# -- calendar -------------------------------------------------------------------------------


@dataclass
class CalendarEntry:
    kind: str  # "publication" or "plan"
    id: int
    day: dt.date
    time: dt.time | None
    at: dt.datetime | None  # local, aware; None for a plan row without a time
    state: str  # a publication state, or "planned"
    status: str  # 模板1: pending / published / withdrawn
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
    movable: bool  # a person may drag it (a waiting publication, or a plan row)
    warnings: list[PlanningWarning] = field(default_factory=list)


@dataclass
class CalendarDay:
    day: dt.date
    in_range: bool  # False for the leading / trailing days of a month grid
    is_today: bool
    is_working_day: bool
    entries: list[CalendarEntry] = field(default_factory=list)
    warnings: list[PlanningWarning] = field(default_factory=list)
    blackouts: list[BlackoutPeriod] = field(default_factory=list)


@dataclass
class Calendar:
    view: str
    scope: PlanScope
    anchor: dt.date
    start: dt.date  # first day shown (a Monday)
    end: dt.date  # last day shown (a Sunday)
    days: list[CalendarDay]
    warnings: list[PlanningWarning]
    pauses: list[PublishingPause]

    @property
    def weeks(self) -> list[list[CalendarDay]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]


def calendar_range(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first shown, last shown, first in range, last in range): whole weeks, Monday first."""
    if view == WEEK:
        first, last = rules.period_bounds("week", anchor)
        return first, last, first, last
    if view != MONTH:
        raise ValidationFailed(_("The view is month or week."), fields={"view": _("invalid")})
    month_first, month_last = rules.period_bounds("month", anchor)
    return (
        rules.period_bounds("week", month_first)[0],
        rules.period_bounds("week", month_last)[1],
        month_first,
        month_last,
    )


def _account_warnings(
    warnings: list[PlanningWarning], account_id: int | None, day: dt.date
) -> list[PlanningWarning]:
    return [
        w
        for w in warnings
        if w.account_id == account_id
        and w.code in ("frequency_overload", "quota_breach")
        and w.starts_on is not None
        and w.starts_on <= day <= w.ends_on
    ]


def calendar(*, user: Any, scope: PlanScope, view: str, anchor: dt.date) -> Calendar:
    """A month (whole weeks around it) or a week of ``scope``'s plan and publications."""
    first, last, range_first, range_last = calendar_range(view, anchor)
    lower, upper = rules.day_start(first), rules.day_start(last + dt.timedelta(days=1))
    visible_accounts = visible_to(
        SocialAccount.objects.filter(pk__in=[a.pk for a in accounts_in(scope.target)]),
        user,
        "owning_unit__path",
        "pk",
    ).select_related("owning_unit")
    warnings = calendar_warnings(
        scope=scope.target, start=range_first, end=range_last, accounts=list(visible_accounts)
    )
    slots: dict[int, list[Any]] = {}
    unit_chains: dict[int, set[int]] = {}
    entries: dict[dt.date, list[CalendarEntry]] = defaultdict(list)

    publications = (
        _publications(user, scope)
        .filter(scheduled_at__gte=lower, scheduled_at__lt=upper)
        .exclude(state=PublicationState.CANCELLED)
    )
    plan_of = dict(
        PlanEntry.objects.filter(publication__in=publications).values_list("publication_id", "pk")
    )
    blackouts = list(
        BlackoutPeriod.objects.filter(starts_at__lt=upper, ends_at__gt=lower).select_related("unit")
    )
    pauses = list(PublishingPause.objects.filter(ended_at__isnull=True).select_related("unit"))
    for publication in publications:
        account = publication.account
        local = rules.to_local(publication.scheduled_at)
        if account.pk not in slots:
            slots[account.pk] = rules.effective_slots(account)
            unit_chains[account.pk] = set(account.owning_unit.ancestor_ids())
        chain = unit_chains[account.pk]
        waiting = publication.state in WAITING_STATES
        found: list[PlanningWarning] = []
        if waiting:
            kinds = (
                (SlotKind.REGULAR, SlotKind.PROMOTION)
                if is_promotion(publication.item)
                else (SlotKind.REGULAR,)
            )
            if slots[account.pk] and rules.slot_at(slots[account.pk], local, kinds) is None:
                found.append(
                    PlanningWarning(
                        code="outside_best_time",
                        message=_("%(t)s is outside the best times of %(a)s.")
                        % {"t": f"{local:%H:%M}", "a": account.name},
                        account_id=account.pk,
                    )
                )
            found += _account_warnings(warnings, account.pk, local.date())
            for pause in pauses:
                if pause.unit_id in chain:
                    found.append(
                        PlanningWarning(
                            code="paused",
                            message=_("Paused for %(u)s: %(r)s")
                            % {"u": pause.unit.name, "r": pause.reason},
                            account_id=account.pk,
                            details={"pause": pause.pk},
                        )
                    )
                    break
            for blackout in blackouts:
                if blackout.unit_id in chain and (
                    blackout.starts_at <= publication.scheduled_at < blackout.ends_at
                ):
                    found.append(
                        PlanningWarning(
                            code="blackout",
                            message=_("In the blackout “%(r)s”") % {"r": blackout.reason},
                            account_id=account.pk,
                            details={"blackout": blackout.pk},
                        )
                    )
                    break
        status = {
            PublicationState.PUBLISHED: "published",
            PublicationState.WITHDRAWN: "withdrawn",
        }.get(publication.state, "pending")
        entries[local.date()].append(
            CalendarEntry(
                kind="publication",
                id=publication.pk,
                day=local.date(),
                time=local.time().replace(second=0, microsecond=0),
                at=local,
                state=publication.state,
                status=status,
                status_label=STATUS_ZH[status],
                account_id=account.pk,
                account_name=account.name,
                platform=account.platform,
                unit_id=account.owning_unit_id,
                title=publication.variant.title or publication.item.title,
                delivery=publication.delivery,
                publication_id=publication.pk,
                plan_entry_id=plan_of.get(publication.pk),
                item_id=publication.item_id,
                version=publication.version,
                movable=waiting and can(user, Action.CONTENT_PUBLISH, account),
                warnings=found,
            )
        )

    rows = (
        plan_entries(user, scope)
        .filter(planned_on__gte=first, planned_on__lte=last)
        .filter(Q(publication__isnull=True) | Q(publication__state=PublicationState.CANCELLED))
    )
    for entry in rows:
        at = (
            rules.local_datetime(entry.planned_on, entry.planned_time)
            if entry.planned_time
            else None
        )
        entries[entry.planned_on].append(
            CalendarEntry(
                kind="plan",
                id=entry.pk,
                day=entry.planned_on,
                time=entry.planned_time,
                at=at,
                state="planned",
                status="pending",
                status_label=STATUS_ZH["pending"],
                account_id=entry.account_id,
                account_name=entry.account.name if entry.account_id else "",
                platform=entry.platform,
                unit_id=entry.owning_unit_id,
                title=entry.topic,
                delivery="",
                publication_id=None,
                plan_entry_id=entry.pk,
                item_id=entry.item_id,
                version=entry.version,
                movable=may_plan(user, entry.account or entry.owning_unit),
                warnings=_account_warnings(warnings, entry.account_id, entry.planned_on),
            )
        )

    if scope.target is not None:
        chain = (
            set(scope.account.owning_unit.ancestor_ids())
            if scope.account
            else set(scope.unit.ancestor_ids())
        )
        path = scope.account.owning_unit.path if scope.account else scope.unit.path
        relevant = lambda unit: unit.pk in chain or unit.path.startswith(path)  # noqa: E731
        blackouts = [b for b in blackouts if relevant(b.unit)]
        pauses = [p for p in pauses if relevant(p.unit)]
    today = rules.local_today()
    overrides = dict(
        CalendarDayOverride.objects.filter(date__gte=first, date__lte=last).values_list(
            "date", "kind"
        )
    )
    days = []
    day = first
    while day <= last:
        lo, hi = rules.day_start(day), rules.day_start(day + dt.timedelta(days=1))
        days.append(
            CalendarDay(
                day=day,
                in_range=range_first <= day <= range_last,
                is_today=day == today,
                is_working_day=workdays.is_working_day(day, overrides),
                entries=sorted(
                    entries.get(day, []),
                    key=lambda e: (e.time is None, e.time or dt.time.min, e.kind, e.id),
                ),
                warnings=[w for w in warnings if w.starts_on == day == w.ends_on],
                blackouts=[b for b in blackouts if b.starts_at < hi and b.ends_at > lo],
            )
        )
        day += dt.timedelta(days=1)
    return Calendar(view, scope, anchor, first, last, days, warnings, pauses)


# -- the 模板1 table ------------------------------------------------------------------------


@dataclass
class PlanRow:
    """One row of 模板1 with the machine columns after it."""

    number: int  # 序号
    entry: PlanEntry
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_ZH[self.status]


def plan_table(
    *,
    user: Any,
    scope: PlanScope,
    start: dt.date | None = None,
    end: dt.date | None = None,
    platform: str | None = None,
    status: str | None = None,
) -> list[PlanRow]:
    """The plan's rows in date order, numbered 1…n as 模板1's 序号."""
    qs = plan_entries(user, scope)
    if start is not None:
        qs = qs.filter(planned_on__gte=start)
    if end is not None:
        qs = qs.filter(planned_on__lte=end)
    if platform:
        qs = qs.filter(platform=platform)
    rows = [
        (entry, plan_status(entry)) for entry in qs.order_by("planned_on", "planned_time", "pk")
    ]
    if status:
        if status not in STATUS_ZH:
            raise ValidationFailed(
                _("The status is pending, published or withdrawn."), fields={"status": "!"}
            )
        rows = [r for r in rows if r[1] == status]
    return [PlanRow(n, entry, s) for n, (entry, s) in enumerate(rows, start=1)]


def accounts_in_scope(scope: PlanScope) -> list[SocialAccount]:
    """The active accounts of the scope (before visibility)."""
    return accounts_in(scope.target)


def visible_pauses(user: Any) -> QuerySet[PublishingPause]:
    """Pauses on the units a reader's content lives under, and on the units above them."""
    return _holds_visible(PublishingPause.objects.select_related("unit"), user).order_by(
        "-started_at", "-pk"
    )


def visible_blackouts(user: Any) -> QuerySet[BlackoutPeriod]:
    return _holds_visible(BlackoutPeriod.objects.select_related("unit"), user).order_by(
        "starts_at", "pk"
    )


def _holds_visible(qs: QuerySet, user: Any) -> QuerySet:
    paths = unit_paths_for(user, Action.CONTENT_VIEW)
    if paths is ALL_UNITS:
        return qs
    accounts = SocialAccount.objects.filter(
        pk__in=account_ids_for(user, Action.CONTENT_VIEW)
    ).select_related("owning_unit")
    unit_ids = {uid for a in accounts for uid in a.owning_unit.ancestor_ids()}
    unit_ids |= {int(p) for path in paths for p in path.strip("/").split("/") if p}
    condition = Q(unit_id__in=unit_ids)
    for path in paths:
        condition |= Q(unit__path__startswith=path)
    return qs.filter(condition)


def get_plan_entry(*, user: Any, entry_id: int) -> PlanEntry:
    entry = (
        PlanEntry.objects.select_related(
            "owning_unit", "account__owning_unit", "owner", "reviewer", "publication", "item"
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound(f"plan entry {entry_id} does not exist")
    require(user, Action.CONTENT_VIEW, entry)
    return entry


def get_publication(*, user: Any, publication_id: int) -> Publication:
    publication = (
        Publication.objects.select_related("account__owning_unit", "item", "variant")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None:
        raise NotFound(f"publication {publication_id} does not exist")
    require(user, Action.CONTENT_VIEW, publication)
    return publication

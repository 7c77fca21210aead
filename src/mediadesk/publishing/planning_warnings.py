"""What the calendar warns about (PUB-2, PUB-3): outside the best times, too few or too many
posts for a period, a platform quota breached, a blackout or a pause ahead.

Warnings inform and never refuse, with one exception the scheduling service enforces: a WeChat
mass send beyond its quota is refused, because the platform would refuse it at send time.

A :class:`Ledger` loads the posts of some accounts over a window once, so a month of a whole
group is a handful of queries. A *post* is a publication in a live state (scheduled … published)
or a plan entry of the account that no live publication fills yet: planned posts count, so a
gap warning comes before anyone has written the content.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediadesk.accounts.models import AccountStatus, SocialAccount
from mediadesk.orgs.models import OrgUnit
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import (
    LIVE_STATES,
    BlackoutPeriod,
    DeliveryMode,
    FrequencyPeriod,
    PlanEntry,
    Publication,
    PublicationState,
    PublishingPause,
    SlotKind,
)

#: A mass send that went out and was withdrawn still used its quota.
QUOTA_STATES = (*LIVE_STATES, PublicationState.WITHDRAWN)


@dataclass(frozen=True)
class PlanningWarning:
    """One thing a planner should know. ``code`` is stable for pages and tests:
    ``outside_best_time``, ``frequency_gap``, ``frequency_overload``, ``quota_breach``,
    ``blackout``, ``paused``."""

    code: str
    message: str
    account_id: int | None = None
    period: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "account_id": self.account_id,
            "period": self.period,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "details": self.details,
        }


@dataclass(frozen=True)
class Post:
    day: dt.date
    mass_send: bool
    counts_for_quota: bool
    counts_for_frequency: bool


_PERIOD_NAMES = {
    FrequencyPeriod.DAY: gettext_lazy("a day"),
    FrequencyPeriod.WEEK: gettext_lazy("a week"),
    FrequencyPeriod.MONTH: gettext_lazy("a month"),
}


def _who(account: SocialAccount) -> str:
    """The account as people tell it apart: a group often has one name on every platform."""
    return f"{account.name}（{account.get_platform_display()}）"


def _period_text(period: str, start: dt.date, end: dt.date) -> str:
    return str(start) if start == end else f"{start} – {end}"


class Ledger:
    """The posts of ``accounts`` in every day, week and month touching ``start``…``end``."""

    def __init__(
        self,
        accounts: Iterable[SocialAccount],
        start: dt.date,
        end: dt.date,
        *,
        exclude_publication: int | None = None,
        exclude_plan_entry: int | None = None,
    ):
        self.accounts = {a.pk: a for a in accounts}
        self.first = min(rules.period_bounds(p, start)[0] for p in FrequencyPeriod.values)
        self.last = max(rules.period_bounds(p, end)[1] for p in FrequencyPeriod.values)
        self.posts: dict[int, list[Post]] = defaultdict(list)
        lower = rules.day_start(self.first)
        upper = rules.day_start(self.last + dt.timedelta(days=1))
        publications = Publication.objects.filter(
            account_id__in=self.accounts,
            scheduled_at__gte=lower,
            scheduled_at__lt=upper,
            state__in=QUOTA_STATES,
        )
        if exclude_publication is not None:
            publications = publications.exclude(pk=exclude_publication)
        for account_id, at, delivery, state in publications.values_list(
            "account_id", "scheduled_at", "delivery", "state"
        ):
            self.posts[account_id].append(
                Post(
                    day=rules.to_local(at).date(),
                    mass_send=delivery == DeliveryMode.MASS_SEND,
                    counts_for_quota=True,
                    counts_for_frequency=state in LIVE_STATES,
                )
            )
        entries = PlanEntry.objects.filter(
            account_id__in=self.accounts,
            planned_on__gte=self.first,
            planned_on__lte=self.last,
        ).filter(Q(publication__isnull=True) | ~Q(publication__state__in=LIVE_STATES))
        if exclude_plan_entry is not None:
            entries = entries.exclude(pk=exclude_plan_entry)
        for account_id, day in entries.values_list("account_id", "planned_on"):
            self.posts[account_id].append(Post(day, False, False, True))

    def count(self, account_id: int, start: dt.date, end: dt.date) -> int:
        return sum(
            1 for p in self.posts[account_id] if p.counts_for_frequency and start <= p.day <= end
        )

    def mass_sends(self, account_id: int, start: dt.date, end: dt.date) -> int:
        return sum(
            1
            for p in self.posts[account_id]
            if p.mass_send and p.counts_for_quota and start <= p.day <= end
        )


# -- one slot -------------------------------------------------------------------------------


def quota_breach(
    account: SocialAccount, at: dt.datetime, *, exclude_publication: int | None = None
) -> PlanningWarning | None:
    """The warning a further mass send at ``at`` would breach, if any."""
    quota = rules.mass_send_quota(account)
    if quota is None:
        return None
    day = rules.to_local(at).date()
    ledger = Ledger([account], day, day, exclude_publication=exclude_publication)
    start, end = rules.period_bounds(quota.period, day)
    used = ledger.mass_sends(account.pk, start, end)
    if used + 1 <= quota.limit:
        return None
    return PlanningWarning(
        code="quota_breach",
        message=_("%(a)s: %(q)s, already %(n)d in %(p)s.")
        % {"a": _who(account), "q": quota.label, "n": used, "p": _period_text("", start, end)},
        account_id=account.pk,
        period=quota.period,
        starts_on=start,
        ends_on=end,
        details={"limit": quota.limit, "used": used},
    )


def hold_warnings(account: SocialAccount, at: dt.datetime) -> list[PlanningWarning]:
    """An open pause or a blackout covering ``at`` on the account's unit or above."""
    found = []
    unit_ids = account.owning_unit.ancestor_ids()
    pause = (
        PublishingPause.objects.filter(unit_id__in=unit_ids, ended_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if pause is not None:
        found.append(
            PlanningWarning(
                code="paused",
                message=_("Publishing is paused for %(u)s (%(r)s): the post waits until it ends.")
                % {"u": pause.unit.name, "r": pause.reason},
                account_id=account.pk,
                details={"pause": pause.pk},
            )
        )
    blackout = (
        BlackoutPeriod.objects.filter(unit_id__in=unit_ids, starts_at__lte=at, ends_at__gt=at)
        .select_related("unit")
        .first()
    )
    if blackout is not None:
        found.append(
            PlanningWarning(
                code="blackout",
                message=_("%(t)s falls in the blackout “%(r)s” of %(u)s (until %(e)s).")
                % {
                    "t": f"{rules.to_local(at):%Y-%m-%d %H:%M}",
                    "r": blackout.reason,
                    "u": blackout.unit.name,
                    "e": f"{rules.to_local(blackout.ends_at):%Y-%m-%d %H:%M}",
                },
                account_id=account.pk,
                details={"blackout": blackout.pk},
            )
        )
    return found


def slot_warnings(
    account: SocialAccount,
    at: dt.datetime,
    *,
    promotion: bool = False,
    exclude_publication: int | None = None,
    exclude_plan_entry: int | None = None,
) -> list[PlanningWarning]:
    """What one more post of ``account`` at ``at`` would run into (mass-send quotas aside:
    the caller asks :func:`quota_breach`, which refuses)."""
    found: list[PlanningWarning] = []
    local = rules.to_local(at)
    slots = rules.effective_slots(account)
    kinds = (SlotKind.REGULAR, SlotKind.PROMOTION) if promotion else (SlotKind.REGULAR,)
    if slots and rules.slot_at(slots, at, kinds) is None:
        windows = "、".join(
            f"{s.starts:%H:%M}–{s.ends:%H:%M}"
            for s in rules.slots_on(slots, local.date(), SlotKind.REGULAR)
        )
        found.append(
            PlanningWarning(
                code="outside_best_time",
                message=_("%(t)s is outside the best times of %(a)s (%(w)s).")
                % {"t": f"{local:%H:%M}", "a": _who(account), "w": windows or _("none that day")},
                account_id=account.pk,
            )
        )
    day = local.date()
    ledger = Ledger(
        [account],
        day,
        day,
        exclude_publication=exclude_publication,
        exclude_plan_entry=exclude_plan_entry,
    )
    for rule in rules.rules_for(account):
        if rule.maximum is None:
            continue
        start, end = rules.period_bounds(rule.period, day)
        count = ledger.count(account.pk, start, end) + 1
        if count > rule.maximum:
            found.append(_overload(account, rule, start, end, count))
    found.extend(hold_warnings(account, at))
    return found


def _overload(
    account: SocialAccount, rule: rules.Rule, start: dt.date, end: dt.date, count: int
) -> PlanningWarning:
    return PlanningWarning(
        code="frequency_overload",
        message=_("%(a)s would post %(n)d times in %(p)s; at most %(m)d %(per)s.")
        % {
            "a": _who(account),
            "n": count,
            "p": _period_text(rule.period, start, end),
            "m": rule.maximum,
            "per": _PERIOD_NAMES[rule.period],
        },
        account_id=account.pk,
        period=rule.period,
        starts_on=start,
        ends_on=end,
        details={"count": count, "maximum": rule.maximum, "source": rule.source},
    )


# -- a window of the calendar -------------------------------------------------------------------


def accounts_in(scope: SocialAccount | OrgUnit | None) -> list[SocialAccount]:
    """The active accounts of an account, a unit (and below) or, for None, the whole group."""
    qs = SocialAccount.objects.filter(status=AccountStatus.ACTIVE).select_related("owning_unit")
    if isinstance(scope, SocialAccount):
        qs = qs.filter(pk=scope.pk)
    elif isinstance(scope, OrgUnit):
        qs = qs.filter(owning_unit__path__startswith=scope.path)
    return list(qs)


def calendar_warnings(
    *,
    scope: SocialAccount | OrgUnit | None,
    start: dt.date,
    end: dt.date,
    accounts: list[SocialAccount] | None = None,
) -> list[PlanningWarning]:
    """Gaps (a period below its minimum), overloads (above its maximum) and quota breaches
    of every active account in ``scope``, for every period touching ``start``…``end``; plus
    posts waiting in a blackout or under an open pause. ``accounts`` narrows the scope to
    what the reader may see."""
    accounts = accounts if accounts is not None else accounts_in(scope)
    if not accounts:
        return []
    ledger = Ledger(accounts, start, end)
    book = rules.rules_for_many(accounts)
    found: list[PlanningWarning] = []
    for account in accounts:
        for rule in book[account.pk]:
            for p_start, p_end in rules.periods_overlapping(rule.period, start, end):
                count = ledger.count(account.pk, p_start, p_end)
                if count < rule.minimum:
                    found.append(
                        PlanningWarning(
                            code="frequency_gap",
                            message=_(
                                "%(a)s has %(n)d post(s) planned in %(p)s; at least %(m)d %(per)s."
                            )
                            % {
                                "a": _who(account),
                                "n": count,
                                "p": _period_text(rule.period, p_start, p_end),
                                "m": rule.minimum,
                                "per": _PERIOD_NAMES[rule.period],
                            },
                            account_id=account.pk,
                            period=rule.period,
                            starts_on=p_start,
                            ends_on=p_end,
                            details={
                                "count": count,
                                "minimum": rule.minimum,
                                "source": rule.source,
                            },
                        )
                    )
                elif rule.maximum is not None and count > rule.maximum:
                    found.append(_overload(account, rule, p_start, p_end, count))
        quota = rules.mass_send_quota(account)
        if quota is not None:
            for p_start, p_end in rules.periods_overlapping(quota.period, start, end):
                used = ledger.mass_sends(account.pk, p_start, p_end)
                if used > quota.limit:
                    found.append(
                        PlanningWarning(
                            code="quota_breach",
                            message=_("%(a)s: %(q)s, but %(n)d are scheduled in %(p)s.")
                            % {
                                "a": _who(account),
                                "q": quota.label,
                                "n": used,
                                "p": _period_text(quota.period, p_start, p_end),
                            },
                            account_id=account.pk,
                            period=quota.period,
                            starts_on=p_start,
                            ends_on=p_end,
                            details={"limit": quota.limit, "used": used},
                        )
                    )
    found.extend(_held_ahead(accounts, start, end))
    return found


def _held_ahead(
    accounts: list[SocialAccount], start: dt.date, end: dt.date
) -> list[PlanningWarning]:
    """Scheduled posts in the window that a blackout or an open pause will hold."""
    unit_ids = {uid for a in accounts for uid in a.owning_unit.ancestor_ids()}
    lower, upper = rules.day_start(start), rules.day_start(end + dt.timedelta(days=1))
    pauses = list(
        PublishingPause.objects.filter(unit_id__in=unit_ids, ended_at__isnull=True).select_related(
            "unit"
        )
    )
    blackouts = list(
        BlackoutPeriod.objects.filter(
            unit_id__in=unit_ids, starts_at__lt=upper, ends_at__gt=lower
        ).select_related("unit")
    )
    if not pauses and not blackouts:
        return []
    by_pk = {a.pk: a for a in accounts}
    found = []
    waiting = Publication.objects.filter(
        account_id__in=by_pk,
        state__in=[PublicationState.SCHEDULED, PublicationState.HELD],
        scheduled_at__gte=lower,
        scheduled_at__lt=upper,
    )
    for publication in waiting:
        account = by_pk[publication.account_id]
        chain = set(account.owning_unit.ancestor_ids())
        for pause in pauses:
            if pause.unit_id in chain:
                found.append(
                    PlanningWarning(
                        code="paused",
                        message=_("Publication #%(p)d of %(a)s waits: %(u)s is paused (%(r)s).")
                        % {
                            "p": publication.pk,
                            "a": _who(account),
                            "u": pause.unit.name,
                            "r": pause.reason,
                        },
                        account_id=account.pk,
                        details={"publication": publication.pk, "pause": pause.pk},
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
                        message=_("Publication #%(p)d of %(a)s falls in the blackout “%(r)s”.")
                        % {"p": publication.pk, "a": _who(account), "r": blackout.reason},
                        account_id=account.pk,
                        details={"publication": publication.pk, "blackout": blackout.pk},
                    )
                )
                break
    return found

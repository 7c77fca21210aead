"""Secondary propagation (PUB-7, seed 002 §5.3): group major news and positive coverage by a
mainstream medium are reposted by every business unit's official accounts within 1 working day.

Marking major news or recording coverage is HQ's call for the whole group: it needs
``Action.ACCOUNT_APPROVE`` at the group (HQ communications, who govern all accounts). It creates
one :class:`PropagationSource` and one :class:`RepostTask` per target account of each business
unit, due 1 working day later (weekends, holidays and 调休 counted by ``core.workdays``).

A unit's targets are the accounts it chose (:func:`set_targets`), or by default its *official
accounts*: the active accounts the business unit itself owns (not its departments': the seed
makes the units' 官微 repost and only encourages those below) whose matrix role is group
official or brand. The account that published the news never reposts itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.models import AccountStatus, MatrixRole, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.core import workdays
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import OrgUnit, UnitKind, User
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import (
    PropagationReason,
    PropagationSource,
    PropagationTarget,
    Publication,
    PublicationState,
    RepostStatus,
    RepostTask,
)

OFFICIAL_ROLES = (MatrixRole.GROUP_OFFICIAL, MatrixRole.BRAND)
WORKING_DAYS_TO_REPOST = 1


@dataclass
class Propagation:
    source: PropagationSource
    tasks: list[RepostTask] = field(default_factory=list)
    #: Business units with no account to repost (nobody was asked: HQ should know).
    units_without_targets: list[OrgUnit] = field(default_factory=list)


def repost_due(at: dt.datetime) -> dt.datetime:
    """1 working day after ``at``: the same local time on the next working day; from a day
    off, the end of the next working day (the clock runs on working days only)."""
    local = rules.to_local(at)
    day = local.date()
    following = workdays.add_working_days(day, WORKING_DAYS_TO_REPOST)
    if workdays.is_working_day(day):
        return rules.local_datetime(following, local.time())
    return rules.day_start(following + dt.timedelta(days=1))


def _group() -> OrgUnit:
    group = OrgUnit.objects.filter(kind=UnitKind.GROUP).first()
    if group is None:
        raise ValidationFailed(_("There is no group in the organisation yet."))
    return group


def default_targets(unit: OrgUnit) -> list[SocialAccount]:
    return list(
        SocialAccount.objects.filter(
            owning_unit=unit, status=AccountStatus.ACTIVE, matrix_role__in=OFFICIAL_ROLES
        ).order_by("platform", "name")
    )


def targets_for(unit: OrgUnit) -> tuple[list[SocialAccount], bool]:
    """(accounts, chosen): the unit's chosen active accounts, else its official accounts."""
    chosen = list(
        SocialAccount.objects.filter(
            pk__in=PropagationTarget.objects.filter(unit=unit).values("account_id"),
            status=AccountStatus.ACTIVE,
        ).order_by("platform", "name")
    )
    if PropagationTarget.objects.filter(unit=unit).exists():
        return chosen, True
    return default_targets(unit), False


@transaction.atomic
def set_targets(
    *, actor: Any, unit: OrgUnit, accounts: list[SocialAccount]
) -> list[PropagationTarget]:
    """Choose which accounts repost for ``unit`` (its accounts or its departments'); an empty
    list goes back to the default. Managing the unit's accounts is needed (HQ, its account
    administrator)."""
    require(actor, Action.ACCOUNT_MANAGE, unit)
    if unit.kind != UnitKind.BUSINESS_UNIT:
        raise ValidationFailed(
            _("Repost targets are set per business unit."), fields={"unit": _("not a unit")}
        )
    outside = [a.name for a in accounts if not a.owning_unit.path.startswith(unit.path)]
    if outside:
        raise ValidationFailed(
            _("Not accounts of %(u)s: %(a)s") % {"u": unit.name, "a": "、".join(outside)},
            fields={"accounts": _("outside the unit")},
        )
    before = [t.account_id for t in PropagationTarget.objects.filter(unit=unit)]
    PropagationTarget.objects.filter(unit=unit).delete()
    created = [
        PropagationTarget.objects.create(unit=unit, account=a, created_by=actor)
        for a in {a.pk: a for a in accounts}.values()
    ]
    record_event(
        action="publishing.propagation.targets",
        actor=actor,
        obj=unit,
        before={"accounts": before},
        after={"accounts": [t.account_id for t in created]},
    )
    return created


def _create(
    actor: Any,
    *,
    reason: str,
    title: str,
    url: str = "",
    medium: str = "",
    publication: Publication | None = None,
) -> Propagation:
    now = timezone.now()
    due = repost_due(now)
    source = PropagationSource.objects.create(
        reason=reason,
        publication=publication,
        title=title,
        url=url,
        medium=medium,
        created_by=actor,
        created_at=now,
        due_at=due,
    )
    result = Propagation(source)
    units = OrgUnit.objects.filter(kind=UnitKind.BUSINESS_UNIT).order_by("path")
    for unit in units:
        accounts, _chosen = targets_for(unit)
        accounts = [a for a in accounts if publication is None or a.pk != publication.account_id]
        if not accounts:
            result.units_without_targets.append(unit)
            continue
        for account in accounts:
            result.tasks.append(
                RepostTask.objects.create(source=source, account=account, unit=unit, due_at=due)
            )
    record_event(
        action=f"publishing.propagation.{reason}",
        actor=actor,
        obj=source,
        after={
            "title": title,
            "medium": medium,
            "url": url,
            "publication": publication.pk if publication else None,
            "due_at": due.isoformat(),
            "tasks": [[t.unit_id, t.account_id] for t in result.tasks],
            "units_without_targets": [u.pk for u in result.units_without_targets],
        },
    )
    people = list(User.objects.filter(is_active=True))
    hq = {u.pk for u in people if can(u, Action.ACCOUNT_APPROVE, _group())}
    for task in result.tasks:
        # The unit's people who may publish on the account; HQ hears of overdue tasks instead.
        notify(
            [u for u in people if u.pk not in hq and can(u, Action.CONTENT_PUBLISH, task.account)],
            kind="publishing.repost",
            title=_("Repost “%(t)s” on %(a)s by %(d)s")
            % {
                "t": title,
                "a": task.account.name,
                "d": f"{rules.to_local(due):%Y-%m-%d %H:%M}",
            },
            link="/publishing/reposts/",
            dedupe_key=f"publishing.repost:{task.pk}",
        )
    return result


@transaction.atomic
def mark_major_news(*, actor: Any, publication: Publication) -> Propagation:
    """HQ marks a published post as group major news: every unit reposts it."""
    require(actor, Action.ACCOUNT_APPROVE, _group())
    locked = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("account", "item", "variant")
        .get(pk=publication.pk)
    )
    if locked.is_major_news:
        raise Conflict(_("This publication is already marked as group major news."))
    if locked.state != PublicationState.PUBLISHED:
        raise ValidationFailed(
            _("Only a published post can be reposted (this one is %(s)s).")
            % {"s": locked.get_state_display()},
            fields={"publication": _("not published")},
        )
    Publication.objects.filter(pk=locked.pk).update(is_major_news=True)
    record_event(
        action="publishing.publication.major_news",
        actor=actor,
        obj=locked,
        before={"is_major_news": False},
        after={"is_major_news": True},
    )
    return _create(
        actor,
        reason=PropagationReason.MAJOR_NEWS,
        title=locked.variant.title or locked.item.title,
        url=locked.url,
        medium=locked.account.name,
        publication=locked,
    )


def _clean_url(url: str, *, required: bool) -> str:
    url = (url or "").strip()
    if not url:
        if required:
            raise ValidationFailed(_("Give the link."), fields={"url": _("required")})
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationFailed(
            _("The link must be an http(s) address."), fields={"url": _("invalid")}
        ) from exc
    return url


@transaction.atomic
def record_coverage(*, actor: Any, title: str, medium: str, url: str) -> Propagation:
    """HQ records positive coverage by a mainstream medium: every unit reposts it."""
    require(actor, Action.ACCOUNT_APPROVE, _group())
    title, medium = (title or "").strip(), (medium or "").strip()
    if not title or len(title) > 300:
        raise ValidationFailed(_("The title must be 1–300 characters."), fields={"title": "!"})
    if not medium or len(medium) > 100:
        raise ValidationFailed(_("Name the medium."), fields={"medium": _("required")})
    url = _clean_url(url, required=True)
    return _create(
        actor, reason=PropagationReason.MEDIA_COVERAGE, title=title, url=url, medium=medium
    )


@transaction.atomic
def complete_repost(
    *, actor: Any, task: RepostTask, url: str = "", post_id: str = ""
) -> RepostTask:
    """Record the repost: its link or the platform's post id (at least one)."""
    task = (
        RepostTask.objects.select_for_update(of=("self",))
        .select_related("account__owning_unit")
        .get(pk=task.pk)
    )
    require(actor, Action.CONTENT_PUBLISH, task.account)
    if task.status != RepostStatus.OPEN:
        raise Conflict(_("This repost task is already %(s)s.") % {"s": task.get_status_display()})
    url = _clean_url(url, required=False)
    post_id = (post_id or "").strip()[:200]
    if not url and not post_id:
        raise ValidationFailed(
            _("Give the repost's link or its post id."), fields={"url": _("required")}
        )
    now = timezone.now()
    task.status, task.completed_by, task.completed_at = RepostStatus.DONE, actor, now
    task.repost_url, task.repost_post_id = url, post_id
    task.save()
    record_event(
        action="publishing.repost.complete",
        actor=actor,
        obj=task,
        before={"status": RepostStatus.OPEN},
        after={
            "status": RepostStatus.DONE,
            "url": url,
            "post_id": post_id,
            "late": now > task.due_at,
        },
    )
    return task


def flag_overdue(now: dt.datetime | None = None) -> int:
    """Tell the unit (who may publish on the account) and HQ (account approvers at the group)
    about each open task past its due time, once per task. Returns the tasks flagged."""
    now = now or timezone.now()
    group = OrgUnit.objects.filter(kind=UnitKind.GROUP).first()
    overdue = RepostTask.objects.filter(
        status=RepostStatus.OPEN, due_at__lt=now, overdue_flagged_at__isnull=True
    ).select_related("account__owning_unit", "unit", "source")
    people = list(User.objects.filter(is_active=True))
    hq = [u for u in people if group is not None and can(u, Action.ACCOUNT_APPROVE, group)]
    flagged = 0
    for task in overdue:
        with transaction.atomic():
            claimed = RepostTask.objects.filter(
                pk=task.pk, status=RepostStatus.OPEN, overdue_flagged_at__isnull=True
            ).update(overdue_flagged_at=now)
            if not claimed:
                continue
            unit_people = [u for u in people if can(u, Action.CONTENT_PUBLISH, task.account)]
            notify(
                unit_people + hq,
                kind="publishing.repost.overdue",
                title=_("Overdue repost: “%(t)s” on %(a)s (%(u)s) was due %(d)s")
                % {
                    "t": task.source.title,
                    "a": task.account.name,
                    "u": task.unit.name,
                    "d": f"{rules.to_local(task.due_at):%Y-%m-%d %H:%M}",
                },
                link="/publishing/reposts/",
                dedupe_key=f"publishing.repost.overdue:{task.pk}",
            )
            record_event(
                action="publishing.repost.overdue",
                obj=task,
                after={"due_at": task.due_at.isoformat(), "flagged_at": now.isoformat()},
            )
            flagged += 1
    return flagged


def visible_tasks(
    *,
    user: Any,
    status: str | None = None,
    unit: OrgUnit | None = None,
    overdue: bool | None = None,
    source: int | None = None,
) -> Any:
    """Repost tasks on accounts ``user`` may see, soonest due first."""
    from mediadesk.publishing.planning_selectors import visible_to

    require(user, Action.CONTENT_VIEW)
    qs = visible_to(
        RepostTask.objects.select_related("source", "account", "unit", "completed_by"),
        user,
        "account__owning_unit__path",
        "account_id",
    )
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if source is not None:
        qs = qs.filter(source_id=source)
    if overdue:
        qs = qs.filter(status=RepostStatus.OPEN, due_at__lt=timezone.now())
    return qs.order_by("due_at", "pk")


def is_overdue(task: RepostTask, now: dt.datetime | None = None) -> bool:
    return task.status == RepostStatus.OPEN and task.due_at < (now or timezone.now())

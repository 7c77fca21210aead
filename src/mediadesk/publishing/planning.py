"""Scheduling (PUB-1 … PUB-3): put an approved variant on the calendar, move it, take it off.

Everything up to "due" lives here; the engine (``engine.py``) takes a publication from there.
A schedule is refused, changing nothing, when it could not go out as approved: no right to
publish on the account, the item not approved or changed since, the account not active, a time
in the past, the variant already on the calendar, a mass send where the platform has none or
its quota is used up. Everything else that a planner should weigh — outside the best times,
too many posts, a blackout or pause ahead — comes back as warnings next to the publication.

Moving and cancelling name the ``version`` the person saw and touch only a row still waiting
(``scheduled`` or ``held``), with a conditional update, so a worker claiming it at the same
moment wins cleanly and the person gets :class:`Conflict`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.models import AccountStatus, SocialAccount
from mediadesk.audit.services import record_event
from mediadesk.content.models import (
    APPROVING,
    ContentFormat,
    ContentItem,
    ReviewStatus,
    StageDecision,
    TopicCategory,
    Variant,
)
from mediadesk.content.services import approved_fingerprint_matches
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import (
    LIVE_STATES,
    DeliveryMode,
    PlanEntry,
    Publication,
    PublicationState,
)
from mediadesk.publishing.plan_targets import Targets, format_targets
from mediadesk.publishing.planning_warnings import PlanningWarning, quota_breach, slot_warnings

#: "Publish now" sends a time a moment ago by the time it arrives; older than this is the past.
PAST_GRACE = dt.timedelta(minutes=1)
#: States a person may still move or cancel: nothing has been sent yet.
WAITING_STATES = (PublicationState.SCHEDULED, PublicationState.HELD)


@dataclass
class ScheduleResult:
    publication: Publication
    warnings: list[PlanningWarning] = field(default_factory=list)


def default_delivery(account: SocialAccount) -> str:
    """Assisted where the product has no publishing API for the platform, else the API."""
    if account.platform in rules.ASSISTED_PLATFORMS:
        return DeliveryMode.ASSISTED
    return DeliveryMode.PUBLISH


def publication_snapshot(publication: Publication) -> dict[str, Any]:
    return {
        "variant": publication.variant_id,
        "item": publication.item_id,
        "account": publication.account_id,
        "scheduled_at": publication.scheduled_at.isoformat(),
        "scheduled_local": f"{rules.to_local(publication.scheduled_at):%Y-%m-%d %H:%M}",
        "delivery": publication.delivery,
        "state": publication.state,
        "version": publication.version,
        "owner": publication.owner_id,
        "approved_fingerprint": publication.approved_fingerprint,
    }


def is_promotion(item: ContentItem) -> bool:
    """Activity content (活动类: sales, lotteries) may use the daytime promotion slots."""
    return bool(item.topic_id and item.topic.category == TopicCategory.ACTIVITY)


def _clean_delivery(account: SocialAccount, delivery: str | None) -> str:
    if delivery in (None, ""):
        return default_delivery(account)
    if delivery not in DeliveryMode.values:
        raise ValidationFailed(_("Unknown delivery mode."), fields={"delivery": _("invalid")})
    if delivery == DeliveryMode.MASS_SEND and not account.is_wechat:
        raise ValidationFailed(
            _("Only WeChat Official Accounts have mass send (群发); %(a)s is on %(p)s.")
            % {"a": account.name, "p": account.get_platform_display()},
            fields={"delivery": _("not available on this platform")},
        )
    if account.platform in rules.ASSISTED_PLATFORMS:
        return DeliveryMode.ASSISTED  # no API: a person posts it, whatever was asked
    return delivery


def _clean_time(at: dt.datetime) -> dt.datetime:
    if not isinstance(at, dt.datetime):
        raise ValidationFailed(_("Give a date and time."), fields={"at": _("required")})
    at = rules.aware(at)
    if at < timezone.now() - PAST_GRACE:
        raise ValidationFailed(
            _("%(t)s is in the past; choose a later time.")
            % {"t": f"{rules.to_local(at):%Y-%m-%d %H:%M}"},
            fields={"at": _("in the past")},
        )
    return at


def _check_approved(item: ContentItem) -> None:
    if not item.approved_fingerprint:
        raise ValidationFailed(
            _("“%(t)s” is not approved; it can be scheduled once its review is complete.")
            % {"t": item.title},
            fields={"item": _("not approved")},
            code="not_approved",
        )
    if not approved_fingerprint_matches(item):
        raise ValidationFailed(
            _("“%(t)s” changed after its approval; it must be reviewed again (REV-3).")
            % {"t": item.title},
            fields={"item": _("changed since approval")},
            code="approval_stale",
        )


def _check_account(account: SocialAccount) -> None:
    if account.status != AccountStatus.ACTIVE:
        raise ValidationFailed(
            _("%(a)s is not active (%(s)s); nothing can be scheduled on it.")
            % {"a": account.name, "s": account.get_status_display()},
            fields={"account": _("not active")},
            code="account_inactive",
        )


def _check_quota(
    account: SocialAccount, at: dt.datetime, delivery: str, exclude: int | None = None
) -> None:
    if delivery != DeliveryMode.MASS_SEND:
        return
    breach = quota_breach(account, at, exclude_publication=exclude)
    if breach is not None:
        raise ValidationFailed(
            _("No mass send left: %(m)s") % {"m": breach.message},
            fields={"at": _("mass-send quota used up"), "quota": breach.as_dict()},
            code="quota_exceeded",
        )


def _check_owner(owner: Any, account: SocialAccount) -> None:
    if not (getattr(owner, "is_active", False) and can(owner, Action.CONTENT_PUBLISH, account)):
        raise ValidationFailed(
            _("The owner must be someone who may publish on %(a)s.") % {"a": account.name},
            fields={"owner": _("may not publish on this account")},
        )


def _lock_plan_entry(plan_entry: PlanEntry, account: SocialAccount) -> PlanEntry:
    entry = (
        PlanEntry.objects.select_for_update(of=("self",))
        .select_related("publication")
        .get(pk=plan_entry.pk)
    )
    if entry.account_id and entry.account_id != account.pk:
        raise ValidationFailed(
            _("The plan entry is for another account; this variant goes out on %(a)s.")
            % {"a": account.name},
            fields={"plan_entry": _("another account")},
        )
    if entry.platform and entry.platform != account.platform:
        raise ValidationFailed(
            _("The plan entry is for %(p)s; %(a)s is on another platform.")
            % {"p": entry.platform, "a": account.name},
            fields={"plan_entry": _("another platform")},
        )
    if not account.owning_unit.path.startswith(entry.owning_unit.path):
        raise ValidationFailed(
            _("The plan entry belongs to another unit than %(a)s.") % {"a": account.name},
            fields={"plan_entry": _("another unit")},
        )
    if entry.publication is not None and entry.publication.state in LIVE_STATES:
        raise Conflict(
            _("The plan entry is already filled by publication #%(p)d.")
            % {"p": entry.publication_id}
        )
    return entry


def _fill_plan_entry(actor: Any, entry: PlanEntry, publication: Publication) -> None:
    local = rules.to_local(publication.scheduled_at)
    before = {
        "publication": entry.publication_id,
        "item": entry.item_id,
        "account": entry.account_id,
        "planned_on": str(entry.planned_on),
        "planned_time": str(entry.planned_time or ""),
    }
    entry.publication = publication
    entry.item_id = publication.item_id
    entry.account_id = publication.account_id
    entry.planned_on, entry.planned_time = local.date(), local.time().replace(microsecond=0)
    entry.version += 1
    entry.save()
    record_event(
        action="publishing.plan.fill",
        actor=actor,
        obj=entry,
        before=before,
        after={
            "publication": publication.pk,
            "item": publication.item_id,
            "account": publication.account_id,
            "planned_on": str(entry.planned_on),
            "planned_time": str(entry.planned_time),
        },
    )


#: 模板1's 内容形式 for an item's format (data, like the sheet's headers: always Chinese).
FORMAT_ZH = {
    ContentFormat.ARTICLE: "图文",
    ContentFormat.IMAGE_TEXT: "图片+文字",
    ContentFormat.ARTICLE_VIDEO: "图文+视频",
    ContentFormat.SHORT_VIDEO: "短视频",
    ContentFormat.VIDEO: "视频",
    ContentFormat.TEXT: "文字",
    ContentFormat.LIVE: "直播",
}


def _plan_row_for(actor: Any, publication: Publication) -> PlanEntry:
    """A publication scheduled without a plan row gets one (the seed: approved content is
    entered in the plan), so the plan table lists everything that goes out."""
    item = publication.item
    decision = (
        StageDecision.objects.filter(
            state__item=item, state__status=ReviewStatus.APPROVED, action__in=list(APPROVING)
        )
        .select_related("reviewer")
        .order_by("-pk")
        .first()
    )
    local = rules.to_local(publication.scheduled_at)
    entry = PlanEntry.objects.create(
        owning_unit=publication.account.owning_unit,
        account=publication.account,
        platform=publication.account.platform,
        planned_on=local.date(),
        planned_time=local.time().replace(second=0, microsecond=0),
        topic=item.title,
        format=FORMAT_ZH.get(item.format, ""),
        targets_text=format_targets(
            Targets(item.target_exposure, item.target_interaction, item.target_conversion)
        ),
        target_exposure=item.target_exposure,
        target_interaction=item.target_interaction,
        target_conversion=item.target_conversion,
        owner=publication.owner,
        reviewer=decision.reviewer if decision is not None else None,
        notes=publication.notes,
        item=item,
        publication=publication,
        created_by=actor,
    )
    record_event(
        action="publishing.plan.create",
        actor=actor,
        obj=entry,
        after={"publication": publication.pk, "item": item.pk, "automatic": True},
    )
    return entry


@transaction.atomic
def schedule_publication(
    *,
    actor: Any,
    variant: Variant,
    at: dt.datetime,
    delivery: str | None = None,
    owner: Any = None,
    notes: str = "",
    plan_entry: PlanEntry | None = None,
) -> ScheduleResult:
    """Put an approved variant on its account's calendar at ``at`` (a naive time is local).

    ``delivery`` defaults to the platform's way (the API, or assisted publishing where there
    is none); ``mass_send`` is WeChat's 群发 and counts against its quota. ``plan_entry`` is the
    row of the publish plan this fills; without one, a row is added to the plan. Returns the
    publication and the warnings.
    """
    variant = (
        Variant.objects.select_for_update(of=("self",))
        .select_related("item__owning_unit", "item__topic", "account__owning_unit")
        .get(pk=variant.pk)
    )
    account, item = variant.account, variant.item
    require(actor, Action.CONTENT_PUBLISH, account)
    entry = _lock_plan_entry(plan_entry, account) if plan_entry is not None else None
    _check_account(account)
    _check_approved(item)
    at = _clean_time(at)
    delivery = _clean_delivery(account, delivery)
    owner = owner or actor
    _check_owner(owner, account)
    live = variant.publications.filter(state__in=LIVE_STATES).first()
    if live is not None:
        raise Conflict(
            _("This variant is already on the calendar (publication #%(p)d, %(s)s).")
            % {"p": live.pk, "s": live.get_state_display()}
        )
    _check_quota(account, at, delivery)
    warnings = slot_warnings(
        account,
        at,
        promotion=is_promotion(item),
        exclude_plan_entry=entry.pk if entry is not None else None,
    )
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                variant=variant,
                item=item,
                account=account,
                scheduled_at=at,
                delivery=delivery,
                state=PublicationState.SCHEDULED,
                approved_fingerprint=item.approved_fingerprint,
                idempotency_key=uuid.uuid4().hex,
                owner=owner,
                scheduled_by=actor,
                notes=(notes or "").strip(),
            )
    except IntegrityError as exc:  # another schedule of the same variant won the race
        raise Conflict(_("This variant was scheduled by someone else just now.")) from exc
    record_event(
        action="publishing.publication.schedule",
        actor=actor,
        obj=publication,
        after={
            **publication_snapshot(publication),
            "warnings": [w.code for w in warnings],
            "plan_entry": entry.pk if entry is not None else None,
        },
    )
    if entry is not None:
        _fill_plan_entry(actor, entry, publication)
    else:
        _plan_row_for(actor, publication)
    if owner.pk != actor.pk:
        notify(
            [owner],
            kind="publishing.owner",
            title=_("You own “%(t)s” on %(a)s at %(at)s")
            % {
                "t": item.title,
                "a": account.name,
                "at": f"{rules.to_local(at):%Y-%m-%d %H:%M}",
            },
            link=f"/publishing/publications/{publication.pk}/",
            dedupe_key=f"publishing.owner:{publication.pk}",
        )
    return ScheduleResult(publication, warnings)


def _lock_waiting(publication: Publication, version: int) -> Publication:
    locked = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("account__owning_unit", "item__topic", "variant")
        .get(pk=publication.pk)
    )
    if locked.state not in WAITING_STATES:
        raise Conflict(
            _("Publication #%(p)d is %(s)s; only a waiting post can be changed.")
            % {"p": locked.pk, "s": locked.get_state_display()}
        )
    if version != locked.version:
        raise Conflict(_("This publication changed since you opened it; reload it."))
    return locked


def _update_waiting(locked: Publication, version: int, **changes: Any) -> Publication:
    updated = Publication.objects.filter(
        pk=locked.pk, version=version, state__in=WAITING_STATES
    ).update(version=version + 1, updated_at=timezone.now(), **changes)
    if not updated:  # the row lock makes this unreachable on PostgreSQL; kept for SQLite
        raise Conflict(_("This publication changed since you opened it; reload it."))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def reschedule_publication(
    *, actor: Any, publication: Publication, at: dt.datetime, version: int
) -> ScheduleResult:
    """Move a waiting post to ``at`` (dragging it on the calendar), checked as a new schedule:
    the item must still be approved as it stands, the account active, the time ahead, the
    quota free. A held post moved to a new time waits for that time again."""
    locked = _lock_waiting(publication, version)
    account, item = locked.account, locked.item
    require(actor, Action.CONTENT_PUBLISH, account)
    _check_account(account)
    _check_approved(item)
    at = _clean_time(at)
    _check_quota(account, at, locked.delivery, exclude=locked.pk)
    warnings = slot_warnings(
        account, at, promotion=is_promotion(item), exclude_publication=locked.pk
    )
    before = publication_snapshot(locked)
    locked = _update_waiting(
        locked,
        version,
        scheduled_at=at,
        state=PublicationState.SCHEDULED,
        released_at=None,
        approved_fingerprint=item.approved_fingerprint,
    )
    record_event(
        action="publishing.publication.reschedule",
        actor=actor,
        obj=locked,
        before=before,
        after={**publication_snapshot(locked), "warnings": [w.code for w in warnings]},
    )
    entry = PlanEntry.objects.select_for_update().filter(publication=locked).first()
    if entry is not None:
        _fill_plan_entry(actor, entry, locked)
    return ScheduleResult(locked, warnings)


@transaction.atomic
def cancel_publication(
    *, actor: Any, publication: Publication, version: int, reason: str = ""
) -> Publication:
    """Take a waiting post off the calendar. Its plan entry, if any, is 待发布 again and can
    be filled by another schedule."""
    locked = _lock_waiting(publication, version)
    require(actor, Action.CONTENT_PUBLISH, locked.account)
    before = publication_snapshot(locked)
    locked = _update_waiting(locked, version, state=PublicationState.CANCELLED)
    record_event(
        action="publishing.publication.cancel",
        actor=actor,
        obj=locked,
        before=before,
        after={**publication_snapshot(locked), "reason": (reason or "").strip()},
    )
    return locked

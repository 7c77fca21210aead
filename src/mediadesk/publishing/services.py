"""What people do with publications once the engine has them (PUB-4 … PUB-6).

* resolve a *possibly published* post — "it is out, here is the link" or "it is not out,
  schedule it again at …" (never decided by the engine: it does not repost on a guess);
* retry a failed or missed one, explicitly, at a chosen time;
* confirm an assisted post with the link of what a person published in the app;
* request the withdrawal of a published post, which *someone else* holding the withdraw
  permission on the account approves (then it is carried out as a job) or rejects.

Each function checks permission itself, names the ``version`` the person saw (a stale page gets
:class:`Conflict` and changes nothing) and writes its audit entry in the same transaction.
Scheduling, rescheduling and cancelling belong to the planner (``publishing.planning``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.audit.services import record_event
from mediadesk.content.services import approved_fingerprint_matches
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.jobs.services import enqueue
from mediadesk.orgs.models import RoleAssignment, User
from mediadesk.orgs.permissions import ROLE_ACTIONS, Action, can, require
from mediadesk.platforms.bindings import connector_for
from mediadesk.platforms.connectors.errors import ConnectorError, NotSupported
from mediadesk.platforms.connectors.values import (
    CreatedPost,
    PostState,
    PublishResult,
    PublishState,
)
from mediadesk.publishing import engine
from mediadesk.publishing.models import (
    AttemptOutcome,
    Publication,
    PublicationState,
    PublishAttempt,
    WithdrawalRequest,
    WithdrawalStatus,
)

S = PublicationState
#: A time chosen for a new attempt may lie this little in the past (the form was slow).
PAST_TOLERANCE = timedelta(minutes=1)


def _locked(publication: Publication | int) -> Publication:
    pk = publication if isinstance(publication, int) else publication.pk
    return (
        Publication.objects.select_for_update(of=("self",))
        .select_related("account__owning_unit", "item", "variant", "owner")
        .get(pk=pk)
    )


def _check_version(pub: Publication, version: int | None) -> None:
    if version is not None and version != pub.version:
        raise Conflict(_("This publication changed since you opened it; reload it."))


def _snapshot(pub: Publication) -> dict[str, Any]:
    return {
        "state": pub.state,
        "version": pub.version,
        "scheduled_at": pub.scheduled_at,
        "url": pub.url,
        "error": pub.error,
    }


def _clean_url(url: str, field: str = "url") -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Give the link of the published post (an http(s) address)."),
            fields={field: _("invalid")},
        ) from exc
    if len(url) > 1000:
        raise ValidationFailed(_("The link is too long."), fields={field: _("too long")})
    return url


def _clean_time(value: datetime | None, field: str = "scheduled_at") -> datetime:
    if value is None:
        raise ValidationFailed(_("Choose when it should go out."), fields={field: _("required")})
    if timezone.is_naive(value):
        raise ValidationFailed(
            _("The time must carry its time zone."), fields={field: _("invalid")}
        )
    if value < timezone.now() - PAST_TOLERANCE:
        raise ValidationFailed(
            _("The time must not lie in the past."), fields={field: _("in the past")}
        )
    return value


def _note(pub: Publication, actor: Any, message: str, details: dict[str, Any]) -> None:
    now = timezone.now()
    PublishAttempt.objects.create(
        publication=pub,
        operation="confirm",
        outcome=AttemptOutcome.OK,
        started_at=now,
        finished_at=now,
        worker=f"person:{actor.pk}",
        message=message,
        details=details,
    )


def _to_published(pub: Publication, actor: Any, url: str, *, how: str, post_id: str = "") -> None:
    now = timezone.now()
    pub.state = S.PUBLISHED
    pub.url = url
    pub.platform_post_id = post_id or pub.platform_post_id
    pub.published_at = now
    pub.verified_at = now
    pub.verification = {
        "ok": True,
        "live": None,
        "problems": [],
        "note": how,
        "confirmed_by": actor.pk,
    }
    pub.claimed_by = ""
    pub.next_check_at = None
    pub.error = ""
    pub.error_code = ""


def _save(pub: Publication, expected: int, *fields: str) -> None:
    """Write ``fields`` and the next version, only at the version the lock saw."""
    pub.version = expected + 1
    values = {name: getattr(pub, name) for name in (*fields, "version")}
    values["updated_at"] = timezone.now()
    try:
        with transaction.atomic():
            done = Publication.objects.filter(pk=pub.pk, version=expected).update(**values)
    except IntegrityError as exc:
        raise Conflict(
            _("This content already has a live publication; cancel or finish that one first.")
        ) from exc
    if not done:
        raise Conflict(_("This publication changed since you opened it; reload it."))


# -- possibly published ---------------------------------------------------------------------------


@transaction.atomic
def resolve_possibly_published(
    *,
    actor: Any,
    publication: Publication,
    version: int,
    published: bool,
    url: str = "",
    scheduled_at: datetime | None = None,
) -> Publication:
    """A person checked the account: ``published`` with its ``url``, or not out — then it is
    scheduled again at ``scheduled_at`` (explicitly; nothing is sent again by itself)."""
    pub = _locked(publication)
    require(actor, Action.CONTENT_PUBLISH, pub.account)
    _check_version(pub, version)
    if pub.state != S.POSSIBLY_PUBLISHED:
        raise Conflict(
            _("Only a possibly published post can be resolved (this one is %(s)s).")
            % {"s": pub.get_state_display()}
        )
    before = _snapshot(pub)
    if published:
        link = _clean_url(url)
        _to_published(pub, actor, link, how=_("A person found the post on the platform."))
        _save(
            pub,
            version,
            "state",
            "url",
            "platform_post_id",
            "published_at",
            "verified_at",
            "verification",
            "claimed_by",
            "next_check_at",
            "error",
            "error_code",
        )
        _note(pub, actor, _("Confirmed as published by a person."), {"url": link})
        action = "publishing.publication.resolved_published"
    else:
        when = _clean_time(scheduled_at)
        _back_to_scheduled(pub, when, new_key=False)
        _save(pub, version, *RESCHEDULE_FIELDS)
        _note(pub, actor, _("A person found it was not published; scheduled again."), {})
        action = "publishing.publication.resolved_not_published"
    record_event(action=action, actor=actor, obj=pub, before=before, after=_snapshot(pub))
    return pub


RESCHEDULE_FIELDS = (
    "state",
    "scheduled_at",
    "released_at",
    "claimed_by",
    "claimed_at",
    "next_check_at",
    "attempts",
    "error",
    "error_code",
    "platform_data",
    "platform_draft_id",
    "platform_job_id",
    "platform_post_id",
    "platform_thread_id",
    "url",
    "submitted_at",
    "idempotency_key",
)


def _back_to_scheduled(pub: Publication, when: datetime, *, new_key: bool) -> None:
    pub.state = S.SCHEDULED
    pub.scheduled_at = when
    pub.released_at = None
    pub.claimed_by = ""
    pub.claimed_at = None
    pub.next_check_at = None
    pub.attempts = 0
    pub.error = ""
    pub.error_code = ""
    pub.platform_data = {}
    pub.platform_draft_id = ""
    pub.platform_job_id = ""
    pub.platform_post_id = ""
    pub.platform_thread_id = ""
    pub.url = ""
    pub.submitted_at = None
    if new_key:
        # A failed WeChat mass send keeps its job under the old key; a new try needs a new one.
        pub.idempotency_key = uuid.uuid4().hex


# -- failed or missed ------------------------------------------------------------------------------


@transaction.atomic
def retry_publication(
    *, actor: Any, publication: Publication, version: int, scheduled_at: datetime | None = None
) -> Publication:
    """Try a failed or missed post again at ``scheduled_at`` (now when not given): it goes
    through every check again, with the approval it was scheduled on."""
    pub = _locked(publication)
    require(actor, Action.CONTENT_PUBLISH, pub.account)
    _check_version(pub, version)
    if pub.state not in (S.FAILED, S.MISSED):
        raise Conflict(
            _("Only a failed or missed post can be retried (this one is %(s)s).")
            % {"s": pub.get_state_display()}
        )
    item = pub.item
    if item.approved_fingerprint != pub.approved_fingerprint or not approved_fingerprint_matches(
        item
    ):
        raise ValidationFailed(
            _(
                "The content changed since this post was approved; have it approved again and "
                "schedule it anew."
            ),
            fields={"item": _("changed after approval")},
        )
    before = _snapshot(pub)
    when = timezone.now() if scheduled_at is None else _clean_time(scheduled_at)
    _back_to_scheduled(pub, when, new_key=True)
    _save(pub, version, *RESCHEDULE_FIELDS)
    record_event(
        action="publishing.publication.retried",
        actor=actor,
        obj=pub,
        before=before,
        after=_snapshot(pub),
    )
    return pub


# -- assisted publishing ---------------------------------------------------------------------------


@transaction.atomic
def confirm_assisted(
    *, actor: Any, publication: Publication, url: str, version: int | None = None
) -> Publication:
    """A person published the prepared post in the app: record its link (checked to be a
    post on that platform)."""
    pub = _locked(publication)
    require(actor, Action.CONTENT_PUBLISH, pub.account)
    _check_version(pub, version)
    if pub.state != S.AWAITING_PERSON:
        raise Conflict(
            _("Only a post waiting for a person can be confirmed (this one is %(s)s).")
            % {"s": pub.get_state_display()}
        )
    link = _clean_url(url)
    created = CreatedPost(
        platform=pub.account.platform,
        state=PostState.AWAITING_PERSON,
        job_id=pub.platform_job_id,
        draft_id=pub.platform_draft_id,
    )
    try:
        with connector_for(pub.account) as connector:
            result = connector.confirm(created, link)
    except NotSupported:
        # An API platform that could not take this post (a Weibo #topic#, say): a person
        # posted it in the app; its link is what we can record.
        result = PublishResult(PublishState.PUBLISHED, urls=(link,))
    except ConnectorError as exc:
        raise ValidationFailed(exc.message, fields={"url": exc.message}) from exc
    before = _snapshot(pub)
    expected = pub.version
    _to_published(
        pub,
        actor,
        (result.urls[0] if result.urls else link)[:1000],
        how=_("Published by a person in the app; its link was recorded."),
        post_id=result.post_id,
    )
    _save(
        pub,
        expected,
        "state",
        "url",
        "platform_post_id",
        "published_at",
        "verified_at",
        "verification",
        "claimed_by",
        "next_check_at",
        "error",
        "error_code",
    )
    _note(pub, actor, _("Published by a person; link recorded."), {"url": pub.url})
    record_event(
        action="publishing.publication.confirmed",
        actor=actor,
        obj=pub,
        before=before,
        after=_snapshot(pub),
    )
    return pub


# -- withdrawal (PUB-6) ------------------------------------------------------------------------


def withdraw_approvers(pub: Publication) -> list[User]:
    """Who may approve withdrawing ``pub``: holders of the withdraw permission on its account."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.CONTENT_WITHDRAW in actions]
    account = pub.account
    user_ids = (
        RoleAssignment.objects.active()
        .filter(role__in=roles)
        .filter(Q(org_unit_id__in=account.owning_unit.ancestor_ids()) | Q(account=account))
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def _request_snapshot(request: WithdrawalRequest) -> dict[str, Any]:
    return {
        "status": request.status,
        "publication": request.publication_id,
        "reason": request.reason,
        "comment": request.comment,
        "error": request.error,
    }


@transaction.atomic
def request_withdrawal(*, actor: Any, publication: Publication, reason: str) -> WithdrawalRequest:
    """Ask for a published post to be taken down; someone else must approve it."""
    pub = _locked(publication)
    if not (
        can(actor, Action.CONTENT_PUBLISH, pub.account)
        or can(actor, Action.CONTENT_WITHDRAW, pub.account)
    ):
        require(actor, Action.CONTENT_WITHDRAW, pub.account)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why the post should be withdrawn."), fields={"reason": _("required")}
        )
    if pub.state != S.PUBLISHED:
        raise Conflict(
            _("Only a published post can be withdrawn (this one is %(s)s).")
            % {"s": pub.get_state_display()}
        )
    try:
        with transaction.atomic():
            request = WithdrawalRequest.objects.create(
                publication=pub, reason=reason[:2000], requested_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(_("A withdrawal of this post is already under way.")) from exc
    record_event(
        action="publishing.withdrawal.request",
        actor=actor,
        obj=request,
        after=_request_snapshot(request),
    )
    notify(
        [p for p in withdraw_approvers(pub) if p.pk != actor.pk],
        kind="publishing.withdraw_requested",
        title=_("Approve withdrawing “%(t)s” on %(a)s?")
        % {"t": pub.item.title, "a": pub.account.name},
        body=reason,
        link=f"/publishing/publications/{pub.pk}/",
        dedupe_key=f"publishing:withdraw:{request.pk}:requested",
    )
    return request


def _locked_request(request: WithdrawalRequest | int) -> WithdrawalRequest:
    pk = request if isinstance(request, int) else request.pk
    return (
        WithdrawalRequest.objects.select_for_update(of=("self",))
        .select_related("publication__account__owning_unit", "publication__item", "requested_by")
        .get(pk=pk)
    )


@transaction.atomic
def decide_withdrawal(
    *, actor: Any, request: WithdrawalRequest, approve: bool, comment: str = ""
) -> WithdrawalRequest:
    """Approve (the withdrawal is then carried out as a job) or reject a pending request.
    The requester cannot decide their own request (ORG-3)."""
    request = _locked_request(request)
    pub = request.publication
    require(actor, Action.CONTENT_WITHDRAW, pub.account)
    if actor.pk == request.requested_by_id:
        raise PermissionDenied(_("Someone else must decide on your own withdrawal request."))
    if request.status != WithdrawalStatus.PENDING:
        raise Conflict(
            _("This request was already decided (%(s)s).") % {"s": request.get_status_display()}
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationFailed(
            _("Say why the withdrawal is rejected."), fields={"comment": _("required")}
        )
    before = _request_snapshot(request)
    now = timezone.now()
    request.status = WithdrawalStatus.APPROVED if approve else WithdrawalStatus.REJECTED
    request.decided_by = actor
    request.decided_at = now
    request.comment = comment[:2000]
    request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    record_event(
        action="publishing.withdrawal.approve" if approve else "publishing.withdrawal.reject",
        actor=actor,
        obj=request,
        before=before,
        after=_request_snapshot(request),
    )
    if approve:
        _queue_withdrawal(request)
    else:
        notify(
            [request.requested_by],
            kind="publishing.withdraw_rejected",
            title=_("Withdrawing “%(t)s” was rejected") % {"t": pub.item.title},
            body=comment,
            link=f"/publishing/publications/{pub.pk}/",
            dedupe_key=f"publishing:withdraw:{request.pk}:rejected",
        )
    return request


def _queue_withdrawal(request: WithdrawalRequest) -> None:
    # No dedupe key: the job acts only on an approved request, and withdrawing is idempotent.
    enqueue(engine.WITHDRAW_TASK, {"request": request.pk, "attempt": 1})


@transaction.atomic
def retry_withdrawal(*, actor: Any, request: WithdrawalRequest) -> WithdrawalRequest:
    """Carry out an approved withdrawal that failed once more (the approval stands)."""
    request = _locked_request(request)
    pub = request.publication
    require(actor, Action.CONTENT_WITHDRAW, pub.account)
    if request.status != WithdrawalStatus.FAILED:
        raise Conflict(_("Only a failed withdrawal can be retried."))
    if pub.state != S.PUBLISHED:
        raise Conflict(_("The post is no longer published."))
    before = _request_snapshot(request)
    request.status = WithdrawalStatus.APPROVED
    request.error = ""
    try:
        with transaction.atomic():
            request.save(update_fields=["status", "error"])
    except IntegrityError as exc:
        raise Conflict(_("Another withdrawal of this post is already under way.")) from exc
    record_event(
        action="publishing.withdrawal.retry",
        actor=actor,
        obj=request,
        before=before,
        after=_request_snapshot(request),
    )
    _queue_withdrawal(request)
    return request

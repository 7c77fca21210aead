"""The exactly-once publishing engine (PUB-4, PUB-5): from "due" to "published", or to a state
a person can act on.

A publication is a state machine on its database row (design notes). Every move is a
conditional UPDATE on the row's ``version``, so a duplicated job, a second worker or a recovery
racing a slow worker can never act twice on the same state::

    scheduled ─claim─▶ claimed ─checks─▶ submitting ─create─▶ submitted ─result─▶ published
        ▲                 │                  │   ▲                                   │
        └── stale claim ──┘   held / missed / failed   retry / reconcile      verify (PUB-5)
                                             └──▶ possibly_published (a person decides)

* **Claim** (:func:`dispatch_due`): due ``scheduled`` rows are taken in batches under a lock
  (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, one ``UPDATE … RETURNING`` on SQLite) and
  moved to ``claimed``; the send job of each is inserted in the same transaction, so it exists
  exactly when the claim committed and no worker can see it earlier.
* **Send** (:func:`advance` on a claimed row): the approval, the owner's permission, the
  account, pauses and lateness are checked again; then the row moves to ``submitting`` and the
  attempt is recorded *before* the create call, and the platform's ids are stored right after
  it, before any follow-up call. No database lock is held across an HTTP call: the worker holds
  a *lease* (``claimed_by`` = its token, ``claimed_at`` refreshed before every platform call)
  and every write is conditional on it.
* **Failures**: transient errors are retried with exponential backoff and jitter (a quota
  until its reset); a create that may have reached the platform is first looked up with
  ``reconcile`` — found: adopted; not found: sent again; undetermined: asked again for a while,
  then ``possibly_published`` for a person. Never an automatic repost on a guess.
* **Crash safety** (:func:`sweep`): a ``claimed`` row whose claim went stale goes back to
  ``scheduled`` (nothing was sent); a ``submitting`` row whose lease went stale is reconciled
  with the platform before anything else; a follow-up whose job was lost is queued again.
* **Results**: polling ``publish_result`` with backoff, or a WeChat push (``PlatformEvent``),
  whichever comes first; then the check after publishing (:func:`advance` on a published row).

The job functions in ``tasks.py`` only call :func:`dispatch_due`, :func:`advance`,
:func:`sweep`, :func:`consume_events` and :func:`run_withdrawal`; the embedded thread pool and
Celery workers run them alike.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mediadesk.accounts.models import AccountStatus
from mediadesk.audit.services import record_event
from mediadesk.content.services import approved_fingerprint_matches
from mediadesk.core.notifications import notify
from mediadesk.jobs.models import Job
from mediadesk.jobs.services import enqueue
from mediadesk.orgs.permissions import Action, can
from mediadesk.platforms import events as platform_events
from mediadesk.platforms.bindings import connector_for
from mediadesk.platforms.connectors import Connector, Retry
from mediadesk.platforms.connectors.errors import (
    AssistedPublishingNeeded,
    ConnectorError,
    InvalidContent,
    MediaUnknown,
    NotAuthorised,
    NotSupported,
    PlatformRejected,
    PlatformUnavailable,
    QuotaReached,
    TokenExpired,
)
from mediadesk.platforms.connectors.values import (
    CreatedPost,
    Delivery,
    PostRef,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    ReconcileOutcome,
)
from mediadesk.platforms.messages import said
from mediadesk.platforms.models import EventKind
from mediadesk.publishing import posts
from mediadesk.publishing.holds import active_hold
from mediadesk.publishing.models import (
    AttemptOutcome,
    Publication,
    PublicationState,
    PublishAttempt,
    WithdrawalRequest,
    WithdrawalStatus,
)

log = logging.getLogger("mediadesk.publishing")

ADVANCE_TASK = "publishing.advance"
WITHDRAW_TASK = "publishing.withdraw"
S = PublicationState
CLAIM_BATCH = 500
#: Never poll an asynchronous result less often than this, nor for longer than a day.
POLL_CAP_SECONDS = 1800.0
RESULT_WINDOW = timedelta(hours=24)
VERIFY_TRIES = 3
VERIFY_SUFFIX = ":verify{}"  # the job key of a verification's retry N (1 … VERIFY_TRIES - 1)
WITHDRAW_TRIES = 3
#: WeChat: the draft is already being published (a submit we did not hear back from).
ALREADY_PUBLISHING = 53501

# platform_data["create"]: where the create stands, for whoever picks the row up next.
CREATE_PENDING = "pending"  # no create call made yet (uploads may be under way)
CREATE_RETRY = "retry"  # the last create certainly did not reach the platform
CREATE_STARTED = "started"  # a create call may have reached it: reconcile before anything


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def max_lateness() -> timedelta:
    return timedelta(seconds=_setting("MEDIADESK_PUBLISH_MAX_LATENESS_SECONDS", 600))


def claim_timeout() -> timedelta:
    return timedelta(seconds=_setting("MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS", 300))


def backoff(attempt: int, base: float, cap: float = 600.0) -> float:
    """base·2^(attempt-1), capped, plus up to 20 % jitter (retries after an outage spread)."""
    delay = min(base * 2 ** max(attempt - 1, 0), cap)
    return delay * (1 + random.random() * 0.2)


def deadline(pub: Publication) -> datetime:
    """The latest moment the post may still go out: its time, or the end of the hold that
    kept it, plus the allowed lateness."""
    start = pub.scheduled_at
    if pub.released_at is not None and pub.released_at > start:
        start = pub.released_at
    return start + max_lateness()


def _key(pk: int, version: int, suffix: str = "") -> str:
    return f"publishing:{pk}:v{version}{suffix}"


def schedule_advance(pub: Publication, run_at: datetime | None = None, suffix: str = "") -> None:
    """Queue the next step of ``pub`` at its current version (inside the caller's transaction,
    so the job exists exactly when the state change committed). One ``INSERT … ON CONFLICT DO
    NOTHING``: the key makes a second queueing of the same step a no-op."""
    Job.objects.bulk_create(
        [
            Job(
                name=ADVANCE_TASK,
                payload={"publication": pub.pk, "version": pub.version},
                run_at=run_at or timezone.now(),
                max_attempts=3,
                dedupe_key=_key(pub.pk, pub.version, suffix),
            )
        ],
        ignore_conflicts=True,
    )


# -- small helpers on the row -------------------------------------------------------------------


def _related() -> Any:
    return Publication.objects.select_related(
        "account__owning_unit", "variant__item", "variant__cover", "item", "owner"
    )


def _locked(pk: int, *, for_send: bool = False) -> Publication | None:
    """The row, locked until the end of the transaction where the database can (PostgreSQL);
    every write is conditional on the version anyway, which is what SQLite relies on.

    ``for_send``: with what the send-time checks and the post need, and no more (each joined
    table costs CPU on every post); the variant's item is the publication's own.
    """
    if for_send:
        qs = Publication.objects.select_related("account__owning_unit", "variant", "item", "owner")
    else:
        qs = _related()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    pub = qs.filter(pk=pk).first()
    if for_send and pub is not None and pub.variant.item_id == pub.item_id:
        pub.variant.item = pub.item
    return pub


def _locked_row(pk: int) -> Publication:
    """Only the row's own columns, locked (no joins): for re-checking state and version."""
    qs = Publication.objects.all()
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return qs.get(pk=pk)


def _transition(pub: Publication, _where: dict[str, Any] | None = None, **fields: Any) -> bool:
    """Apply ``fields`` and bump the version if the row is still at ``pub.version`` (and
    matches ``_where``)."""
    fields["version"] = pub.version + 1
    fields["updated_at"] = timezone.now()
    rows = Publication.objects.filter(pk=pub.pk, version=pub.version, **(_where or {}))
    done = rows.update(**fields)
    if done:
        for name, value in fields.items():
            setattr(pub, name, value)
    return bool(done)


def _attempt(
    pub: Publication,
    operation: str,
    outcome: str,
    *,
    started_at: datetime | None = None,
    error: ConnectorError | None = None,
    message: str = "",
    details: dict[str, Any] | None = None,
    worker: str = "",
    finished: bool = True,
) -> PublishAttempt:
    now = timezone.now()
    return PublishAttempt.objects.create(
        publication_id=pub.pk,
        operation=operation,
        outcome=outcome,
        started_at=started_at or now,
        finished_at=now if finished else None,
        worker=worker[:200],
        error_code=_raw_code(error),
        message=message or (error.message if error is not None else ""),
        details=details or {},
    )


def _finish_attempt(
    attempt: PublishAttempt,
    outcome: str,
    *,
    error: ConnectorError | None = None,
    message: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome,
        finished_at=timezone.now(),
        error_code=_raw_code(error),
        message=message or (error.message if error is not None else ""),
        details={**(attempt.details or {}), **(details or {})},
    )


def _raw_code(error: ConnectorError | None) -> str:
    if error is None:
        return ""
    if error.raw_code is not None:
        return f"{error.platform or ''} {error.raw_code}".strip()[:60]
    return error.code[:60]


def _audit(pub: Publication, action: str, before_state: str, **after: Any) -> None:
    record_event(
        action=f"publishing.publication.{action}",
        actor=None,
        obj=pub,
        before={"state": before_state},
        after={"state": pub.state, "version": pub.version, **after},
    )


def _tell_owner(pub: Publication, kind: str, title: str, body: str = "") -> None:
    notify(
        [pub.owner],
        kind=f"publishing.{kind}",
        title=title,
        body=body,
        link=f"/publishing/publications/{pub.pk}/",
        dedupe_key=f"publishing:{pub.pk}:{kind}:{pub.version}",
    )


def _platform(pub: Publication) -> str:
    return str(pub.account.get_platform_display())


def explain(error: ConnectorError, pub: Publication) -> str:
    """A reason a person understands (translated), with the platform's own words after it."""
    platform = _platform(pub)
    detail = error.message  # in the reader's language (the platforms app's catalogue)
    if isinstance(error, AssistedPublishingNeeded):
        text = _("%(p)s's API cannot publish this post; publish it in the app.") % {"p": platform}
    elif isinstance(error, posts.MediaMissing):
        text = _("A file of the post is missing; replace it in the media library.")
    elif isinstance(error, InvalidContent):
        text = _("The post breaks a rule of %(p)s; change it and have it approved again.") % {
            "p": platform
        }
    elif isinstance(error, TokenExpired):
        text = _("The authorisation of %(a)s on %(p)s has expired; reconnect the account.") % {
            "a": pub.account.name,
            "p": platform,
        }
    elif isinstance(error, NotAuthorised):
        text = _("%(p)s does not let %(a)s do this (permission, verification or whitelist).") % {
            "p": platform,
            "a": pub.account.name,
        }
    elif isinstance(error, NotSupported):
        text = _("This cannot be done through %(p)s's API.") % {"p": platform}
    elif isinstance(error, QuotaReached):
        text = _("A limit of %(p)s is used up.") % {"p": platform}
    elif isinstance(error, PlatformUnavailable):
        text = _("%(p)s did not answer properly.") % {"p": platform}
    elif isinstance(error, PlatformRejected):
        text = _("%(p)s refused the post.") % {"p": platform}
    else:
        text = _("The connection to %(p)s is not usable.") % {"p": platform}
    if not detail:
        return text
    return _("%(reason)s (%(detail)s)") % {"reason": text, "detail": detail}


# -- claiming ---------------------------------------------------------------------------------


def dispatch_due(*, now: datetime | None = None, batch: int = CLAIM_BATCH, worker: str = "") -> int:
    """Claim every due ``scheduled`` publication and queue its send job; returns how many.

    Concurrent dispatchers get disjoint rows. The jobs are inserted in the claim's transaction.
    """
    now = now or timezone.now()
    worker = worker or "dispatcher"
    total = 0
    while True:
        with transaction.atomic():
            claimed = _claim(now, batch, worker)
            if claimed:
                jobs = [
                    Job(
                        name=ADVANCE_TASK,
                        payload={"publication": pk, "version": version},
                        run_at=now,
                        max_attempts=3,
                        dedupe_key=_key(pk, version),
                    )
                    for pk, version in claimed
                ]
                Job.objects.bulk_create(jobs, ignore_conflicts=True)
        total += len(claimed)
        if len(claimed) < batch:
            return total


def _claim(now: datetime, limit: int, worker: str) -> list[tuple[int, int]]:
    """(id, new version) of up to ``limit`` due rows, moved to ``claimed``."""
    due = Publication.objects.filter(state=S.SCHEDULED, scheduled_at__lte=now).order_by(
        "scheduled_at", "id"
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = list(due.select_for_update(skip_locked=True).values_list("id", "version")[:limit])
        if not rows:
            return []
        Publication.objects.filter(id__in=[r[0] for r in rows], state=S.SCHEDULED).update(
            state=S.CLAIMED,
            version=F("version") + 1,
            claimed_by=worker[:200],
            claimed_at=now,
            next_check_at=None,
            updated_at=now,
        )
        return [(pk, version + 1) for pk, version in rows]
    # SQLite: one UPDATE … RETURNING is atomic, so no second writer interleaves.
    table = Publication._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"UPDATE {table} SET state = %s, version = version + 1, claimed_by = %s, "  # noqa: S608
        "claimed_at = %s, next_check_at = NULL, updated_at = %s WHERE state = %s AND id IN "
        f"(SELECT id FROM {table} WHERE state = %s AND scheduled_at <= %s "
        "ORDER BY scheduled_at, id LIMIT %s) RETURNING id, version"
    )
    params = [S.CLAIMED, worker[:200], adapt(now), adapt(now), S.SCHEDULED, S.SCHEDULED]
    params += [adapt(now), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


# -- the one entry point of the send / follow-up jobs ------------------------------------------


def advance(publication_id: int, version: int) -> dict[str, Any]:
    """Take the next step of a publication that is still at ``version``; anything else (a
    duplicate message, a step somebody else took) is skipped.

    The row is read once with its account, which is all a poll or a verification needs
    (item and owner are loaded if an outcome needs them); a send reads it again, with what
    its checks need (account, item, variant, owner), under the row's lock, and takes its
    lease in that transaction.
    """
    pub = (
        Publication.objects.select_related("account__owning_unit")  # audit scope
        .filter(pk=publication_id)
        .first()
    )
    if pub is None or pub.version != version:
        return {"skipped": "stale", "publication": publication_id}
    if not (pub.state == S.CLAIMED or (pub.state == S.SUBMITTING and not pub.claimed_by)):
        if pub.state == S.SUBMITTED:
            return _poll(pub)
        if pub.state == S.PUBLISHED and pub.verified_at is None:
            return _verify(pub)
        return {"skipped": pub.state, "publication": publication_id}
    now = timezone.now()
    with transaction.atomic():
        pub = _locked(publication_id, for_send=True)
        if pub is None or pub.version != version:
            return {"skipped": "stale", "publication": publication_id}
        sending = pub.state == S.CLAIMED or (pub.state == S.SUBMITTING and not pub.claimed_by)
        if pub.state == S.CLAIMED:
            refusal = _refusal(pub, now)
            if refusal is not None:
                return _refuse(pub, refusal)
            lease = _take_lease(pub, from_state=S.CLAIMED)
            reconcile_first = False
        elif sending:
            # A submitting row nobody holds: a retry that is due, a reconciliation to repeat,
            # or a row whose worker died (the recovery queued it).
            mode = (pub.platform_data or {}).get("create") or CREATE_PENDING
            lease = _take_lease(pub, from_state=S.SUBMITTING)
            reconcile_first = mode == CREATE_STARTED
    if not sending or lease is None:
        return {"skipped": "raced", "publication": publication_id}
    return _send(lease, reconcile_first=reconcile_first)


# -- send-time checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    state: str
    code: str
    message: str


def _refusal(pub: Publication, now: datetime) -> Refusal | None:
    hold = active_hold(pub.account, now)
    if hold is not None:
        what = _("a publishing pause") if hold.kind == "pause" else _("a blackout period")
        return Refusal(
            S.HELD, f"held_{hold.kind}", _("Held by %(w)s: %(r)s") % {"w": what, "r": hold.reason}
        )
    limit = deadline(pub)
    if now > limit:
        late = int((now - limit + max_lateness()).total_seconds() // 60)
        return Refusal(
            S.MISSED,
            "late",
            _(
                "Not sent: it was %(m)d minutes past its time, more than the %(l)d minutes "
                "allowed. Schedule it again if it should still go out."
            )
            % {"m": late, "l": int(max_lateness().total_seconds() // 60)},
        )
    account = pub.account
    if account.status != AccountStatus.ACTIVE:
        return Refusal(
            S.FAILED,
            "account_inactive",
            _("The account %(a)s is no longer active (%(s)s).")
            % {"a": account.name, "s": account.get_status_display()},
        )
    if not can(pub.owner, Action.CONTENT_PUBLISH, account):
        return Refusal(
            S.FAILED,
            "not_permitted",
            _("%(p)s may no longer publish on %(a)s.")
            % {"p": pub.owner.get_full_name() or pub.owner.username, "a": account.name},
        )
    item = pub.item
    if item.approved_fingerprint != pub.approved_fingerprint or not approved_fingerprint_matches(
        item, fresh=True
    ):
        return Refusal(
            S.FAILED,
            "content_changed",
            _(
                "The content changed after it was approved (or its approval was withdrawn); it "
                "must be reviewed again before it can go out."
            ),
        )
    problem = posts.licence_problem(pub.variant, timezone.localdate(now))
    if problem:
        return Refusal(S.FAILED, "asset_licence", problem)
    return None


def _refuse(pub: Publication, refusal: Refusal) -> dict[str, Any]:
    before = pub.state
    fields: dict[str, Any] = {
        "state": refusal.state,
        "claimed_by": "",
        "claimed_at": None,
        "next_check_at": None,
        "error_code": refusal.code,
        "error": refusal.message,
    }
    if not _transition(pub, **fields):
        return {"skipped": "raced", "publication": pub.pk}
    _attempt(
        pub,
        "check",
        AttemptOutcome.REFUSED,
        message=refusal.message,
        details={"code": refusal.code},
    )
    if refusal.state != S.HELD:
        _audit(pub, refusal.state, before, reason=refusal.message)
    if refusal.state == S.MISSED:
        _tell_owner(
            pub,
            "missed",
            _("“%(t)s” on %(a)s was not published: too late")
            % {"t": pub.item.title, "a": pub.account.name},
            refusal.message,
        )
    elif refusal.state == S.FAILED:
        _tell_owner(
            pub,
            "failed",
            _("“%(t)s” on %(a)s was not published") % {"t": pub.item.title, "a": pub.account.name},
            refusal.message,
        )
    return {"publication": pub.pk, "state": refusal.state}


# -- the lease a worker holds while it talks to the platform -----------------------------------


class LostLease(Exception):
    """Another worker (or the recovery) took the publication over: stop, call nothing."""


class Lease:
    """``claimed_by`` = token while a worker owns a submitting row; refreshed (with
    ``claimed_at``) before each platform call, every write conditional on it."""

    def __init__(self, pub: Publication, token: str) -> None:
        self.pub = pub
        self.token = token

    def _mine(self) -> Any:
        return Publication.objects.filter(
            pk=self.pub.pk, version=self.pub.version, claimed_by=self.token, state=S.SUBMITTING
        )

    def refresh(self, **fields: Any) -> None:
        now = timezone.now()
        if not self._mine().update(claimed_at=now, updated_at=now, **fields):
            raise LostLease(self.pub.pk)
        self.pub.claimed_at = now
        for name, value in fields.items():
            setattr(self.pub, name, value)

    def save_uploads(self, uploads: dict[str, Any]) -> None:
        self.refresh(platform_data={**(self.pub.platform_data or {}), "uploads": uploads})

    def begin_create(self, post: PostRequest) -> PublishAttempt:
        """Mark the create as started and record the attempt, in one transaction, before the
        call: whoever finds this row later knows to reconcile first."""
        now = timezone.now()
        data = {**(self.pub.platform_data or {}), "create": CREATE_STARTED}
        data["attempted_at"] = now.isoformat()
        with transaction.atomic():
            self.refresh(platform_data=data, attempts=self.pub.attempts + 1)
            return _attempt(
                self.pub,
                "create",
                AttemptOutcome.UNKNOWN,
                started_at=now,
                worker=self.token,
                finished=False,
                message=_("Sending to the platform…"),
                details={"try": self.pub.attempts, "draft_id": post.platform_draft_id},
            )


def _take_lease(pub: Publication, *, from_state: str) -> Lease | None:
    token = uuid.uuid4().hex
    now = timezone.now()
    fields: dict[str, Any] = {
        "state": S.SUBMITTING,
        "claimed_by": token,
        "claimed_at": now,
        "next_check_at": None,
    }
    if from_state == S.CLAIMED:
        fields["platform_data"] = {**(pub.platform_data or {}), "create": CREATE_PENDING}
    if not _transition(pub, **fields):
        return None
    return Lease(pub, token)


# -- sending -----------------------------------------------------------------------------------


def _attempted_at(pub: Publication) -> datetime | None:
    value = (pub.platform_data or {}).get("attempted_at")
    return parse_datetime(value) if isinstance(value, str) else None


def _partial(pub: Publication) -> CreatedPost | None:
    if not (pub.platform_draft_id or pub.platform_job_id or pub.platform_post_id):
        return None
    state = PostState.SUBMITTED if (pub.platform_job_id or pub.platform_post_id) else None
    return CreatedPost(
        platform=pub.account.platform,
        state=state or PostState.DRAFTED,
        delivery=_delivery(pub),
        job_id=pub.platform_job_id,
        post_id=pub.platform_post_id,
        thread_id=pub.platform_thread_id,
        draft_id=pub.platform_draft_id,
        url=pub.url,
    )


def _delivery(pub: Publication) -> Delivery:
    return Delivery.MASS_SEND if pub.delivery == "mass_send" else Delivery.PUBLISH


def _send(lease: Lease, *, reconcile_first: bool = False) -> dict[str, Any]:
    pub = lease.pub
    try:
        connector = connector_for(pub.account)
    except ConnectorError as exc:
        return _give_up(lease, exc, operation="create")
    try:
        with connector:
            post = posts.build(pub, connector, save=lease.save_uploads)
            if reconcile_first:
                if connector.create_retry_safety(post) == Retry.IDEMPOTENT:
                    return _create(lease, connector, post)  # the platform dedupes a resend
                return _reconcile(lease, connector, post)
            return _create(lease, connector, post)
    except LostLease:
        log.warning("publication %s: lease lost, another worker took over", pub.pk)
        return {"skipped": "lease_lost", "publication": pub.pk}
    except ConnectorError as exc:
        # A failed upload (idempotent) or the connector refusing the post before sending.
        return _after_failure(lease, exc, post=None, attempt=None, connector=None)


def _create(lease: Lease, connector: Connector, post: PostRequest) -> dict[str, Any]:
    pub = lease.pub
    now = timezone.now()
    if now > deadline(pub):
        return _too_late(lease, _("The platform could not be reached in time."))
    if pub.attempts >= int(_setting("MEDIADESK_PUBLISH_MAX_ATTEMPTS", 6)):
        return _exhausted(lease, None)
    attempt = lease.begin_create(post)
    try:
        created = connector.create_post(post)
    except ConnectorError as exc:
        return _after_failure(lease, exc, post=post, attempt=attempt, connector=connector)
    return _adopt(lease, created, None, attempt=attempt, how="create")


def _after_failure(
    lease: Lease,
    exc: ConnectorError,
    *,
    post: PostRequest | None,
    attempt: PublishAttempt | None,
    connector: Connector | None,
) -> dict[str, Any]:
    pub = lease.pub
    drafted = exc.partial is not None and bool(exc.partial.draft_id)
    if isinstance(exc, MediaUnknown) and attempt and post and connector and not drafted:
        if not (pub.platform_data or {}).get("media_refreshed"):
            return _upload_again(lease, connector, exc, attempt)
    if drafted and not pub.platform_draft_id:
        # A draft made before the failure: keep its id before anything else.
        lease.refresh(platform_draft_id=exc.partial.draft_id)
    reached = isinstance(exc, PlatformUnavailable) and exc.may_have_reached
    reached = reached or (isinstance(exc, PlatformRejected) and exc.raw_code == ALREADY_PUBLISHING)
    if attempt is not None:
        outcome = AttemptOutcome.UNKNOWN if reached else AttemptOutcome.TRANSIENT
        if _permanent(exc):
            outcome = AttemptOutcome.PERMANENT
        _finish_attempt(attempt, outcome, error=exc)
    if isinstance(exc, AssistedPublishingNeeded) and post is not None:
        return _to_person(lease, post, None, reason=explain(exc, pub))
    if _permanent(exc):
        return _give_up(lease, exc, operation="create" if attempt is None else "")
    if reached and post is not None and connector is not None:
        if connector.create_retry_safety(post) == Retry.IDEMPOTENT:
            return _retry_later(lease, exc, mode=CREATE_STARTED)
        return _reconcile(lease, connector, post)
    return _retry_later(lease, exc, mode=CREATE_RETRY if attempt is not None else CREATE_PENDING)


def _upload_again(
    lease: Lease, connector: Connector, exc: ConnectorError, attempt: PublishAttempt
) -> dict[str, Any]:
    """The platform no longer knows a file the post named, most likely an earlier upload
    reused from the account's library and since deleted in the platform's back office: upload
    the files again and send once more, right away. Once per publication; a second refusal
    fails the post as any invalid post does. Nothing was created (the draft call failed)."""
    pub = lease.pub
    _finish_attempt(
        attempt,
        AttemptOutcome.TRANSIENT,
        error=exc,
        message=_("%(p)s no longer knows a file of the post; uploading it again.")
        % {"p": _platform(pub)},
    )
    posts.forget_uploads(pub)
    data = {**(pub.platform_data or {}), "create": CREATE_RETRY, "media_refreshed": True}
    lease.refresh(platform_data=data)
    return _create(lease, connector, posts.build(pub, connector, save=lease.save_uploads))


def _permanent(exc: ConnectorError) -> bool:
    if isinstance(exc, PlatformRejected) and exc.raw_code == ALREADY_PUBLISHING:
        return False
    return isinstance(exc, InvalidContent | NotAuthorised | NotSupported | PlatformRejected) or (
        not isinstance(exc, PlatformUnavailable | QuotaReached | TokenExpired)
    )


def _retry_later(lease: Lease, exc: ConnectorError, *, mode: str) -> dict[str, Any]:
    pub = lease.pub
    now = timezone.now()
    if mode != CREATE_STARTED and pub.attempts >= int(
        _setting("MEDIADESK_PUBLISH_MAX_ATTEMPTS", 6)
    ):
        return _exhausted(lease, exc)
    base = _setting("MEDIADESK_PUBLISH_RETRY_BASE_SECONDS", 5)
    delay = backoff(max(pub.attempts, 1), base)
    if isinstance(exc, QuotaReached) and exc.reset_at is not None:
        delay = max(delay, (exc.reset_at - now).total_seconds() + random.random() * base)
    run_at = now + timedelta(seconds=delay)
    if run_at > deadline(pub) and mode != CREATE_STARTED:
        return _too_late(lease, explain(exc, pub), exc)
    data = {**(pub.platform_data or {}), "create": mode, "last_error": exc.message[:500]}
    with transaction.atomic():
        if not _transition(
            pub,
            claimed_by="",
            next_check_at=run_at,
            platform_data=data,
            error_code=_raw_code(exc),
            error=explain(exc, pub),
        ):
            raise LostLease(pub.pk)
        schedule_advance(pub, run_at)
    return {"publication": pub.pk, "retry_at": run_at.isoformat()}


# -- reconciling ---------------------------------------------------------------------------------


def _reconcile(lease: Lease, connector: Connector, post: PostRequest) -> dict[str, Any]:
    pub = lease.pub
    started = timezone.now()
    attempted_at = _attempted_at(pub)
    lease.refresh()
    try:
        found = connector.reconcile(post, _partial(pub), attempted_at=attempted_at)
    except ConnectorError as exc:
        _attempt(pub, "reconcile", AttemptOutcome.TRANSIENT, started_at=started, error=exc)
        return _reconcile_later(lease, note=exc.message, exc=exc)
    if found.outcome == ReconcileOutcome.FOUND:
        _attempt(
            pub,
            "reconcile",
            AttemptOutcome.FOUND,
            started_at=started,
            message=found.note,
            details=_ids(found.created),
        )
        created = found.created or _partial(pub)
        assert created is not None
        return _adopt(lease, created, found.result, attempt=None, how="reconcile")
    if found.outcome == ReconcileOutcome.NOT_FOUND:
        _attempt(
            pub,
            "reconcile",
            AttemptOutcome.NOT_FOUND,
            started_at=started,
            message=found.note,
            details=_ids(found.created),
        )
        draft = found.created.draft_id if found.created is not None else ""
        if draft and draft != pub.platform_draft_id:
            lease.refresh(platform_draft_id=draft)
        return _create(
            lease, connector, replace(post, platform_draft_id=draft or post.platform_draft_id)
        )
    _attempt(pub, "reconcile", AttemptOutcome.UNKNOWN, started_at=started, message=found.note)
    return _reconcile_later(lease, note=found.note)


def _reconcile_later(
    lease: Lease, *, note: str, exc: ConnectorError | None = None
) -> dict[str, Any]:
    """Ask the platform again later; after the reconcile window a person decides."""
    pub = lease.pub
    now = timezone.now()
    since = _attempted_at(pub) or now
    window = timedelta(seconds=_setting("MEDIADESK_PUBLISH_RECONCILE_WINDOW_SECONDS", 900))
    checks = int((pub.platform_data or {}).get("reconciles") or 0) + 1
    if now - since >= window:
        return _possibly_published(lease, note)
    base = _setting("MEDIADESK_PUBLISH_RETRY_BASE_SECONDS", 5)
    run_at = min(now + timedelta(seconds=backoff(checks, base, cap=300)), since + window)
    data = {**(pub.platform_data or {}), "create": CREATE_STARTED, "reconciles": checks}
    with transaction.atomic():
        if not _transition(
            pub,
            claimed_by="",
            next_check_at=run_at,
            platform_data=data,
            error_code=_raw_code(exc),
            error=_("Waiting to learn from the platform whether the post went out: %(n)s")
            % {"n": note},
        ):
            raise LostLease(pub.pk)
        schedule_advance(pub, run_at)
    return {"publication": pub.pk, "reconcile_at": run_at.isoformat()}


def _possibly_published(lease: Lease, note: str) -> dict[str, Any]:
    pub = lease.pub
    before = pub.state
    message = _(
        "The platform cannot tell whether this post went out. Check the account: if it is "
        "out, record its link; if not, schedule it again. It will not be sent again by itself."
    )
    with transaction.atomic():
        if not _transition(
            pub,
            state=S.POSSIBLY_PUBLISHED,
            claimed_by="",
            claimed_at=None,
            next_check_at=None,
            error_code="undetermined",
            error=f"{message} ({note})" if note else message,
        ):
            raise LostLease(pub.pk)
        _audit(pub, "possibly_published", before, note=note)
        _tell_owner(
            pub,
            "possibly_published",
            _("“%(t)s” on %(a)s may or may not be out: please check")
            % {"t": pub.item.title, "a": pub.account.name},
            pub.error,
        )
    return {"publication": pub.pk, "state": pub.state}


def _ids(created: CreatedPost | None) -> dict[str, Any]:
    if created is None:
        return {}
    return {
        k: v
        for k, v in (
            ("job_id", created.job_id),
            ("post_id", created.post_id),
            ("draft_id", created.draft_id),
            ("thread_id", created.thread_id),
            ("url", created.url),
            ("duplicate", created.duplicate or None),
        )
        if v
    }


# -- outcomes ------------------------------------------------------------------------------------


def _adopt(
    lease: Lease,
    created: CreatedPost,
    result: PublishResult | None,
    *,
    attempt: PublishAttempt | None,
    how: str,
) -> dict[str, Any]:
    """Store what the platform said — ids first — and move on accordingly."""
    pub = lease.pub
    now = timezone.now()
    with transaction.atomic():
        if attempt is not None:
            _finish_attempt(
                attempt,
                AttemptOutcome.OK,
                message=_("The platform accepted the post.")
                if not created.duplicate
                else _("The platform recognised the resend and returned the first send."),
                details=_ids(created),
            )
        plain = created.state not in (
            PostState.AWAITING_PERSON,
            PostState.PUBLISHED,
            PostState.DRAFTED,
        ) and (result is None or result.state == PublishState.PENDING)
        if plain and _submitted(lease, created, now):
            return {"publication": pub.pk, "state": pub.state}
        current = _locked_row(pub.pk)
        mine = current.version == pub.version and current.claimed_by == lease.token
        if not mine:
            # Another worker took over after this one went silent for longer than the claim
            # timeout; its reconciliation decides. Keep the ids where it will look.
            if current.state == S.SUBMITTING and not current.platform_job_id:
                Publication.objects.filter(pk=pub.pk, version=current.version).update(
                    platform_job_id=created.job_id,
                    platform_post_id=created.post_id or current.platform_post_id,
                    platform_draft_id=created.draft_id or current.platform_draft_id,
                    platform_thread_id=created.thread_id or current.platform_thread_id,
                )
            log.warning("publication %s: result arrived after a takeover", pub.pk)
            return {"skipped": "lease_lost", "publication": pub.pk}
        ids = _adopted_ids(pub, created)
        if created.state == PostState.AWAITING_PERSON:
            return _to_person(lease, None, created, reason="", fields=ids)
        if result is not None and result.state != PublishState.PENDING:
            _transition(pub, **ids)
            return _apply_result(pub, result, source=how)
        if created.state == PostState.PUBLISHED:
            _transition(
                pub,
                **ids,
                state=S.PUBLISHED,
                url=created.url[:1000],
                published_at=now,
                submitted_at=pub.submitted_at or now,
                next_check_at=now + _verify_delay(),
            )
            _published_side_effects(pub, S.SUBMITTING, how)
            return {"publication": pub.pk, "state": pub.state}
        if created.state == PostState.DRAFTED:
            # Only a draft exists: send it (again) at the next step.
            data = {**(pub.platform_data or {}), "create": CREATE_RETRY}
            _transition(pub, **ids, platform_data=data, next_check_at=now)
            schedule_advance(pub, now)
            return {"publication": pub.pk, "state": pub.state}
        if _submitted(lease, created, now):
            return {"publication": pub.pk, "state": pub.state}
        raise LostLease(pub.pk)  # cannot happen: the row is locked and was ours


def _adopted_ids(pub: Publication, created: CreatedPost) -> dict[str, Any]:
    return {
        "platform_job_id": created.job_id or pub.platform_job_id,
        "platform_post_id": created.post_id or pub.platform_post_id,
        "platform_draft_id": created.draft_id or pub.platform_draft_id,
        "platform_thread_id": created.thread_id or pub.platform_thread_id,
        "claimed_by": "",
        "error_code": "",
        "error": "",
    }


def _submitted(lease: Lease, created: CreatedPost, now: datetime) -> bool:
    """The platform took the post and reports the outcome later: store its ids, move to
    ``submitted`` and queue the first poll — in one UPDATE that only matches while the lease
    is still this worker's (the caller's transaction). False: it is not (a takeover)."""
    pub = lease.pub
    first = now + timedelta(seconds=_setting("MEDIADESK_PUBLISH_POLL_SECONDS", 5))
    if not _transition(
        pub,
        _where={"claimed_by": lease.token},
        **_adopted_ids(pub, created),
        state=S.SUBMITTED,
        submitted_at=now,
        claimed_at=None,
        next_check_at=first,
        platform_data={**(pub.platform_data or {}), "create": "done", "polls": 0},
    ):
        return False
    schedule_advance(pub, first)
    return True


def _verify_delay() -> timedelta:
    return timedelta(seconds=_setting("MEDIADESK_PUBLISH_VERIFY_AFTER_SECONDS", 600))


def _published_side_effects(pub: Publication, before: str, how: str) -> None:
    schedule_advance(pub, pub.next_check_at)
    _audit(pub, "published", before, url=pub.url, post_id=pub.platform_post_id, via=how)  # last


def _to_person(
    lease: Lease,
    post: PostRequest | None,
    created: CreatedPost | None,
    *,
    reason: str,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assisted publishing: keep the package and ask the owner to post it in the app."""
    pub = lease.pub
    package = created.package if created is not None else None
    title = post.title if post is not None else getattr(package, "title", "")
    text = post.text if post is not None else getattr(package, "text", "")
    data = {**(pub.platform_data or {}), "package": posts.package_data(pub, title, text, package)}
    if reason:
        data["package"]["reason"] = reason
    with transaction.atomic():
        changes = {
            **(fields or {}),
            "state": S.AWAITING_PERSON,
            "claimed_by": "",
            "claimed_at": None,
            "next_check_at": None,
            "platform_data": data,
        }
        if not _transition(pub, **changes):
            raise LostLease(pub.pk)
        _attempt(
            pub,
            "create",
            AttemptOutcome.OK,
            message=reason or _("Prepared for a person to publish in the app."),
            details={"package_id": data["package"].get("package_id", "")},
        )
        _tell_owner(
            pub,
            "awaiting_person",
            _("Publish “%(t)s” on %(a)s in the app, then record its link")
            % {"t": pub.item.title, "a": pub.account.name},
            data["package"]["instructions"],
        )
    return {"publication": pub.pk, "state": pub.state}


def _give_up(lease: Lease, exc: ConnectorError, *, operation: str) -> dict[str, Any]:
    pub = lease.pub
    reason = explain(exc, pub)
    with transaction.atomic():
        if not _transition(
            pub,
            state=S.FAILED,
            claimed_by="",
            claimed_at=None,
            next_check_at=None,
            error_code=_raw_code(exc) or exc.code[:60],
            error=reason,
        ):
            raise LostLease(pub.pk)
        if operation:
            _attempt(pub, operation, AttemptOutcome.PERMANENT, error=exc)
        _audit(pub, "failed", S.SUBMITTING, reason=reason, code=pub.error_code)
        _tell_owner(
            pub,
            "failed",
            _("“%(t)s” on %(a)s was not published") % {"t": pub.item.title, "a": pub.account.name},
            reason,
        )
    return {"publication": pub.pk, "state": pub.state}


def _exhausted(lease: Lease, exc: ConnectorError | None) -> dict[str, Any]:
    pub = lease.pub
    last = exc.message if exc is not None else str((pub.platform_data or {}).get("last_error", ""))
    reason = _("Gave up after %(n)d attempts; the platform kept failing: %(e)s") % {
        "n": pub.attempts,
        "e": last,
    }
    with transaction.atomic():
        if not _transition(
            pub,
            state=S.FAILED,
            claimed_by="",
            claimed_at=None,
            next_check_at=None,
            error_code=_raw_code(exc) or "retries_exhausted",
            error=reason,
        ):
            raise LostLease(pub.pk)
        _audit(pub, "failed", S.SUBMITTING, reason=reason)
        _tell_owner(
            pub,
            "failed",
            _("“%(t)s” on %(a)s was not published") % {"t": pub.item.title, "a": pub.account.name},
            reason,
        )
    return {"publication": pub.pk, "state": pub.state}


def _too_late(lease: Lease, why: str, exc: ConnectorError | None = None) -> dict[str, Any]:
    pub = lease.pub
    reason = _(
        "Not sent: the allowed lateness ran out before the platform took the post (%(w)s). "
        "Schedule it again if it should still go out."
    ) % {"w": why}
    with transaction.atomic():
        if not _transition(
            pub,
            state=S.MISSED,
            claimed_by="",
            claimed_at=None,
            next_check_at=None,
            error_code=_raw_code(exc) or "late",
            error=reason,
        ):
            raise LostLease(pub.pk)
        _attempt(pub, "check", AttemptOutcome.REFUSED, message=reason, error=exc)
        _audit(pub, "missed", S.SUBMITTING, reason=reason)
        _tell_owner(
            pub,
            "missed",
            _("“%(t)s” on %(a)s was not published: too late")
            % {"t": pub.item.title, "a": pub.account.name},
            reason,
        )
    return {"publication": pub.pk, "state": pub.state}


# -- asynchronous results (polling and pushes) ---------------------------------------------------


def _created_of(pub: Publication) -> CreatedPost:
    return CreatedPost(
        platform=pub.account.platform,
        state=PostState.SUBMITTED,
        delivery=_delivery(pub),
        job_id=pub.platform_job_id,
        post_id=pub.platform_post_id,
        thread_id=pub.platform_thread_id,
        draft_id=pub.platform_draft_id,
        url=pub.url,
    )


def _poll(pub: Publication) -> dict[str, Any]:
    started = timezone.now()
    try:
        with connector_for(pub.account) as connector:
            result = connector.publish_result(_created_of(pub))
    except ConnectorError as exc:
        _attempt(pub, "result", AttemptOutcome.TRANSIENT, started_at=started, error=exc)
        with transaction.atomic():
            return _poll_later(pub, started)
    _attempt(
        pub,
        "result",
        AttemptOutcome.OK,
        started_at=started,
        message=said(result.reason) or _result_word(result.state),
        details={"state": str(result.state), "urls": list(result.urls)},
    )
    with transaction.atomic():
        return _apply_result(pub, result, source="poll")


def _result_word(state: PublishState) -> str:
    words = {
        PublishState.PENDING: _("Still being published."),
        PublishState.PUBLISHED: _("Published."),
        PublishState.FAILED: _("Not published."),
        PublishState.REMOVED: _("Removed after publishing."),
    }
    return str(words.get(state, state))


def _poll_later(pub: Publication, now: datetime) -> dict[str, Any]:
    if pub.submitted_at is not None and now - pub.submitted_at > RESULT_WINDOW:
        lease = Lease(pub, pub.claimed_by)
        return _possibly_published(lease, _("The platform never reported the outcome."))
    polls = int((pub.platform_data or {}).get("polls") or 0) + 1
    base = _setting("MEDIADESK_PUBLISH_POLL_SECONDS", 5)
    run_at = now + timedelta(seconds=backoff(polls, base, cap=POLL_CAP_SECONDS))
    data = {**(pub.platform_data or {}), "polls": polls}
    if _transition(pub, next_check_at=run_at, platform_data=data):
        schedule_advance(pub, run_at)
    return {"publication": pub.pk, "poll_at": run_at.isoformat()}


def _apply_result(pub: Publication, result: PublishResult, *, source: str) -> dict[str, Any]:
    """A submitted post's outcome, from a poll or a push (caller holds a transaction)."""
    now = timezone.now()
    before = pub.state
    if result.state == PublishState.PENDING:
        return _poll_later(pub, now)
    urls = [u for u in result.urls if u]
    data = {**(pub.platform_data or {}), "urls": urls or (pub.platform_data or {}).get("urls", [])}
    ids = {
        "platform_post_id": result.post_id or pub.platform_post_id,
        "platform_thread_id": result.thread_id or pub.platform_thread_id,
        "url": (urls[0] if urls else pub.url)[:1000],
        "platform_data": data,
    }
    if result.state == PublishState.FAILED:
        reason = _("%(p)s did not publish the post: %(r)s") % {
            "p": _platform(pub),
            "r": said(result.reason) or _("no reason given"),
        }
        code = (
            result.raw.get("publish_status", result.raw.get("msg_status", "")) if result.raw else ""
        )
        if not _transition(
            pub,
            **ids,
            state=S.FAILED,
            claimed_by="",
            next_check_at=None,
            error_code=f"{_platform(pub)} {code}".strip()[:60],
            error=reason,
        ):
            return {"skipped": "raced", "publication": pub.pk}
        _audit(pub, "failed", before, reason=reason)
        _tell_owner(
            pub,
            "failed",
            _("“%(t)s” on %(a)s was not published") % {"t": pub.item.title, "a": pub.account.name},
            reason,
        )
        return {"publication": pub.pk, "state": pub.state}
    fields: dict[str, Any] = {
        **ids,
        "state": S.PUBLISHED,
        "claimed_by": "",
        "published_at": pub.published_at or now,
        "next_check_at": now + _verify_delay(),
    }
    if result.state == PublishState.REMOVED:
        # It went out and was taken down before we looked: published, with the problem shown.
        problem = said(result.reason) or _("The post was removed.")
        fields["verification"] = {"ok": False, "live": False, "problems": [problem]}
        fields["verified_at"] = now
        fields["next_check_at"] = None
    if not _transition(pub, **fields):
        return {"skipped": "raced", "publication": pub.pk}
    if result.state == PublishState.REMOVED:
        _tell_owner(
            pub,
            "verify_problem",
            _("“%(t)s” on %(a)s is no longer visible")
            % {"t": pub.item.title, "a": pub.account.name},
            pub.verification["problems"][0],
        )
    else:
        schedule_advance(pub, pub.next_check_at)
    # Last before the commit: appending to the audit chain locks its head row until then,
    # and every worker's posts queue for it.
    _audit(pub, "published", before, url=pub.url, post_id=pub.platform_post_id, via=source)
    return {"publication": pub.pk, "state": pub.state}


def consume_events(*, limit: int = 500) -> int:
    """Apply WeChat's PUBLISHJOBFINISH / MASSSENDJOBFINISH pushes to their publications."""
    applied = 0
    young = timezone.now() - timedelta(minutes=10)
    for kind in (EventKind.PUBLISH_FINISHED, EventKind.MASS_SEND_FINISHED):
        for event in platform_events.unconsumed(kind)[:limit]:
            data = event.data or {}
            job_id = (
                data.get("publish_id") if kind == EventKind.PUBLISH_FINISHED else data.get("msg_id")
            )
            pub = (
                _related()
                .filter(account_id=event.account_id, platform_job_id=str(job_id or ""))
                .exclude(platform_job_id="")
                .order_by("-pk")
                .first()
            )
            if pub is None:
                if event.received_at > young:
                    continue  # the push may have overtaken our own write of the job id
                platform_events.mark_consumed(event)
                continue
            if not platform_events.mark_consumed(event):
                continue
            result = _event_result(kind, data, pub)
            with transaction.atomic():
                current = _locked(pub.pk)
                assert current is not None
                if current.state == S.SUBMITTED:
                    _attempt(
                        current,
                        "result",
                        AttemptOutcome.OK,
                        message=_("WeChat reported the outcome (push)."),
                        details={"event": event.pk, "state": str(result.state)},
                    )
                    _apply_result(current, result, source="push")
                    applied += 1
                elif current.state == S.PUBLISHED and not current.url and result.urls:
                    Publication.objects.filter(pk=current.pk, version=current.version).update(
                        url=result.urls[0][:1000],
                        platform_data={**(current.platform_data or {}), "urls": list(result.urls)},
                    )
    return applied


def _event_result(kind: str, data: dict[str, Any], pub: Publication) -> PublishResult:
    if kind == EventKind.PUBLISH_FINISHED:
        from mediadesk.platforms.connectors.wechat_lookup import publish_result

        body = {
            "publish_status": data.get("publish_status", 1),
            "article_id": data.get("article_id", ""),
            "article_detail": {"item": [{"article_url": u} for u in data.get("article_urls", [])]},
            "fail_idx": data.get("fail_idx", []),
        }
        return publish_result(body, pub.platform_thread_id)
    status = str(data.get("status") or "").lower()
    urls = tuple(u for u in data.get("article_urls", []) if u)
    if status == "send success":
        return PublishResult(PublishState.PUBLISHED, urls=urls, thread_id=pub.platform_thread_id)
    if status.startswith(("send fail", "err")):
        return PublishResult(
            PublishState.FAILED, reason=_("WeChat could not send it (%(s)s).") % {"s": status}
        )
    return PublishResult(PublishState.PENDING)


# -- the check after publishing (PUB-5) ---------------------------------------------------------


def _verify(pub: Publication) -> dict[str, Any]:
    pk, version = pub.pk, pub.version
    started = timezone.now()
    try:
        with connector_for(pub.account) as connector:
            report = _check_live(pub, connector)
    except ConnectorError as exc:
        _attempt(pub, "verify", AttemptOutcome.TRANSIENT, started_at=started, error=exc)
        tries = int((pub.platform_data or {}).get("verify_tries") or 0) + 1
        if tries < VERIFY_TRIES and not isinstance(exc, NotSupported):
            run_at = started + timedelta(seconds=backoff(tries, 60))
            data = {**(pub.platform_data or {}), "verify_tries": tries}
            with transaction.atomic():
                if Publication.objects.filter(pk=pk, version=version).update(
                    platform_data=data, next_check_at=run_at
                ):
                    schedule_advance(pub, run_at, suffix=VERIFY_SUFFIX.format(tries))
            return {"publication": pk, "verify_at": run_at.isoformat()}
        report = {
            "ok": False,
            "live": None,
            "problems": [_("The post could not be checked: %(e)s") % {"e": explain(exc, pub)}],
        }
    report["checked_at"] = timezone.now().isoformat()
    outcome = AttemptOutcome.OK if report["ok"] else AttemptOutcome.PERMANENT
    with transaction.atomic():
        if not Publication.objects.filter(pk=pk, version=version, verified_at=None).update(
            verified_at=timezone.now(), verification=report, next_check_at=None
        ):
            return {"skipped": "raced", "publication": pk}
        _attempt(
            pub,
            "verify",
            outcome,
            started_at=started,
            message="; ".join(report["problems"]) or _("The post is live and shows its images."),
            details=report,
        )
        if not report["ok"]:
            _tell_owner(
                pub,
                "verify_problem",
                _("“%(t)s” on %(a)s has a problem after publishing")
                % {"t": pub.item.title, "a": pub.account.name},
                "\n".join(report["problems"]),
            )
    return {"publication": pk, "verified": report["ok"]}


def _check_live(pub: Publication, connector: Connector) -> dict[str, Any]:
    """Is it still there, and (WeChat articles) does it show the images we uploaded?"""
    problems: list[str] = []
    report: dict[str, Any] = {"live": True}
    if connector.assisted:
        return {
            "ok": True,
            "live": None,
            "problems": [],
            "note": _("Published by a person; its link was recorded when it was confirmed."),
        }
    result = connector.publish_result(_created_of(pub))
    if result.state != PublishState.PUBLISHED:
        report["live"] = False
        problems.append(
            said(result.reason)
            or _("The platform no longer shows the post (%(s)s).") % {"s": result.state}
        )
    uploads = (pub.platform_data or {}).get("uploads") or {}
    expected = list((uploads.get("body") or {}).values())
    cover = (uploads.get("cover") or {}).get("media_id", "")
    published_article = getattr(connector, "published_article", None)
    if (
        report["live"]
        and published_article is not None
        and pub.delivery != "mass_send"
        and pub.platform_post_id
    ):
        items = published_article(pub.platform_post_id)
        live = [i for i in items if not i.get("is_deleted")]
        content = "".join(str(i.get("content") or "") for i in live)
        missing = [url for url in expected if url not in content]
        report["images"] = {"expected": len(expected), "missing": missing}
        if not live:
            report["live"] = False
            problems.append(_("The article was deleted."))
        if missing:
            problems.append(
                _("%(n)d of the article's %(t)d images are not shown.")
                % {"n": len(missing), "t": len(expected)}
            )
        if cover:
            shown = any(str(i.get("thumb_media_id") or "") == cover for i in live)
            report["cover"] = shown
            if not shown:
                problems.append(_("The article does not show its cover."))
    report["ok"] = not problems
    report["problems"] = problems
    return report


# -- recovery ------------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Recover what dead workers and lost jobs left behind; safe to run anywhere, any time."""
    now = now or timezone.now()
    cutoff = now - claim_timeout()
    # A stale claim whose send job still waits in the queue (a backlog, not a death) keeps its
    # place; one whose job is gone or finished goes back to "scheduled".
    released = (
        Publication.objects.filter(state=S.CLAIMED, claimed_at__lt=cutoff)
        .exclude(Exists(_live_job(OuterRef("pk"), OuterRef("version"))))
        .update(
            state=S.SCHEDULED,
            version=F("version") + 1,
            claimed_by="",
            claimed_at=None,
            updated_at=now,
        )
    )
    if released:
        log.warning("%s claimed publication(s) went stale and are scheduled again", released)
    taken = 0
    stale = Publication.objects.filter(state=S.SUBMITTING, claimed_at__lt=cutoff).exclude(
        claimed_by=""
    )
    for pub in stale.only("pk", "version", "claimed_by"):
        worker = pub.claimed_by
        with transaction.atomic():
            if _transition(pub, claimed_by="", next_check_at=now):
                _attempt(
                    pub,
                    "check",
                    AttemptOutcome.UNKNOWN,
                    message=_(
                        "The worker sending this post stopped responding; the platform will be "
                        "asked what happened before anything is sent."
                    ),
                    details={"worker": worker},
                )
                schedule_advance(pub, now)
                taken += 1
    lost = 0
    # Rows waiting for a follow-up long past its time whose job is gone, in one query: in a
    # backlog (10,000 posts due at once) thousands wait with their jobs queued, and asking
    # about each, every tick, cost more than the publishing.
    waiting = Publication.objects.filter(
        Q(state=S.SUBMITTING, claimed_by="")
        | Q(state=S.SUBMITTED)
        | Q(state=S.PUBLISHED, verified_at__isnull=True),
        next_check_at__lt=cutoff,
    ).exclude(Exists(_live_job(OuterRef("pk"), OuterRef("version"), follow_ups=True)))
    for pub in waiting.only("pk", "version", "next_check_at"):
        with transaction.atomic():
            if _transition(pub, next_check_at=now):
                schedule_advance(pub, now)
                lost += 1
    return {"released": released, "taken_over": taken, "requeued": lost}


def _live_job(pk: Any, version: Any, *, follow_ups: bool = False) -> Any:
    """Queued or running jobs of publication ``pk`` at ``version`` (by their key); with
    ``follow_ups``, the verification retries too (``…:verifyN``, exact keys: index lookups)."""
    key = Concat(
        Value("publishing:"),
        Cast(pk, CharField()),
        Value(":v"),
        Cast(version, CharField()),
        output_field=CharField(),
    )
    match = Q(dedupe_key=key)
    if follow_ups:
        for tries in range(1, VERIFY_TRIES):
            suffix = Value(VERIFY_SUFFIX.format(tries))
            match |= Q(dedupe_key=Concat(key, suffix, output_field=CharField()))
    return Job.objects.filter(match, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])


def tick() -> dict[str, int]:
    """The periodic pass: recover, take up pushes, claim what is due."""
    report = sweep()
    report["events"] = consume_events()
    report["claimed"] = dispatch_due()
    return report


# -- withdrawal (PUB-6): carried out once approved ----------------------------------------------


def run_withdrawal(request_id: int, attempt: int = 1) -> dict[str, Any]:
    request = (
        WithdrawalRequest.objects.select_related(
            "publication__account__owning_unit", "publication__item", "requested_by", "decided_by"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status != WithdrawalStatus.APPROVED:
        return {"skipped": "not approved", "request": request_id}
    pub = request.publication
    started = timezone.now()
    ref = PostRef(
        post_id=pub.platform_post_id,
        job_id=pub.platform_job_id,
        thread_id=pub.platform_thread_id,
        delivery=_delivery(pub),
    )
    try:
        with connector_for(pub.account) as connector:
            connector.withdraw(ref)
    except ConnectorError as exc:
        _attempt(pub, "withdraw", AttemptOutcome.TRANSIENT, started_at=started, error=exc)
        transient = isinstance(exc, PlatformUnavailable | QuotaReached)
        if transient and attempt < WITHDRAW_TRIES:
            run_at = timezone.now() + timedelta(seconds=backoff(attempt, 10))
            enqueue(WITHDRAW_TASK, {"request": request_id, "attempt": attempt + 1}, run_at=run_at)
            return {"request": request_id, "retry_at": run_at.isoformat()}
        reason = explain(exc, pub)
        with transaction.atomic():
            WithdrawalRequest.objects.filter(
                pk=request_id, status=WithdrawalStatus.APPROVED
            ).update(status=WithdrawalStatus.FAILED, error=reason)
            record_event(
                action="publishing.withdrawal.failed",
                actor=None,
                obj=request,
                before={"status": WithdrawalStatus.APPROVED},
                after={"status": WithdrawalStatus.FAILED, "error": reason},
            )
            notify(
                [p for p in (request.requested_by, request.decided_by) if p is not None],
                kind="publishing.withdraw_failed",
                title=_("Withdrawing “%(t)s” on %(a)s failed")
                % {"t": pub.item.title, "a": pub.account.name},
                body=reason,
                link=f"/publishing/publications/{pub.pk}/",
                dedupe_key=f"publishing:withdraw:{request_id}:failed:{attempt}:{started.timestamp()}",
            )
        return {"request": request_id, "status": WithdrawalStatus.FAILED}
    now = timezone.now()
    with transaction.atomic():
        _attempt(pub, "withdraw", AttemptOutcome.OK, started_at=started, message=_("Withdrawn."))
        WithdrawalRequest.objects.filter(pk=request_id, status=WithdrawalStatus.APPROVED).update(
            status=WithdrawalStatus.DONE, done_at=now, error=""
        )
        current = _locked(pub.pk)
        assert current is not None
        before = current.state
        if current.state == S.PUBLISHED:
            _transition(current, state=S.WITHDRAWN, withdrawn_at=now, next_check_at=None)
            _audit(current, "withdrawn", before, request=request_id)
        notify(
            [request.requested_by],
            kind="publishing.withdrawn",
            title=_("“%(t)s” on %(a)s was withdrawn")
            % {"t": pub.item.title, "a": pub.account.name},
            link=f"/publishing/publications/{pub.pk}/",
            dedupe_key=f"publishing:withdraw:{request_id}:done",
        )
    return {"request": request_id, "status": WithdrawalStatus.DONE}

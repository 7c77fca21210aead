"""The calendar and exactly-once publishing (PUB-1 … PUB-7).

A :class:`Publication` is one scheduled going-out of one content variant on its account: a row
moving through explicit states (design notes, "Publishing: a state machine on a database row").
Every call to the platform leaves a :class:`PublishAttempt`; the platform's ids are stored on the
row before any follow-up call, so a worker killed at any point leaves enough to find out what
happened instead of posting again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediadesk.orgs.models import OrgUnit


class PublicationState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    #: Due during a publishing pause or a blackout: waits, nothing is lost.
    HELD = "held", _("Held (paused)")
    CLAIMED = "claimed", _("Claimed")
    SUBMITTING = "submitting", _("Submitting")
    #: The platform took it and gave a job id; the outcome comes later (WeChat freepublish).
    SUBMITTED = "submitted", _("Submitted")
    #: Assisted publishing: a person must post it in the app and record the link.
    AWAITING_PERSON = "awaiting_person", _("Awaiting a person")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    #: The platform cannot tell whether it went out; a person resolves it, never a repost.
    POSSIBLY_PUBLISHED = "possibly_published", _("Possibly published")
    #: Later than the allowed lateness: not sent, the owner is told.
    MISSED = "missed", _("Missed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")


#: States in which a publication still occupies its variant (at most one per variant).
LIVE_STATES = (
    PublicationState.SCHEDULED,
    PublicationState.HELD,
    PublicationState.CLAIMED,
    PublicationState.SUBMITTING,
    PublicationState.SUBMITTED,
    PublicationState.AWAITING_PERSON,
    PublicationState.PUBLISHED,
    PublicationState.POSSIBLY_PUBLISHED,
)
#: States a worker may be in the middle of.
IN_FLIGHT_STATES = (
    PublicationState.CLAIMED,
    PublicationState.SUBMITTING,
    PublicationState.SUBMITTED,
)


class DeliveryMode(models.TextChoices):
    #: WeChat 发布 / the platform's ordinary publishing API.
    PUBLISH = "publish", _("Publish through the API")
    #: WeChat 群发: pushed to followers, limited by quota.
    MASS_SEND = "mass_send", _("Mass send (WeChat)")
    #: A person posts it in the app; the product prepares the package and records the link.
    ASSISTED = "assisted", _("Assisted (a person posts it)")


class Publication(models.Model):
    """One content variant going out on its account at a time."""

    variant = models.ForeignKey(
        "content.Variant", on_delete=models.PROTECT, related_name="publications"
    )
    item = models.ForeignKey(
        "content.ContentItem", on_delete=models.PROTECT, related_name="publications"
    )
    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="publications"
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), db_index=True)
    delivery = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryMode.choices, default=DeliveryMode.PUBLISH
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.SCHEDULED,
    )
    #: Bumped by every transition; a change names the version it was made on.
    version = models.PositiveIntegerField(default=1)
    #: The approval this publication rests on; at send time the item must still match it.
    approved_fingerprint = models.CharField(max_length=64)
    #: Stable per publication: WeChat's ``clientmsgid`` on a mass send, our key elsewhere.
    idempotency_key = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_publications",
        verbose_name=_("owner"),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    # -- what the platform said (stored before any follow-up call) ---------------------------
    platform_draft_id = models.CharField(max_length=200, blank=True)
    platform_job_id = models.CharField(max_length=200, blank=True)
    platform_post_id = models.CharField(max_length=200, blank=True)
    platform_thread_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    #: The assisted package, or the raw parts of the result a person may need.
    platform_data = models.JSONField(default=dict, blank=True)
    # -- the worker's bookkeeping ------------------------------------------------------------
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: When the engine should next look at this row (a retry, a result poll); NULL: at its time.
    next_check_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    #: Set when a hold ends, so lateness counts from the resumption rather than the slot.
    released_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error = models.TextField(blank=True)
    # -- after publishing (PUB-5) and secondary propagation (PUB-7) ---------------------------
    verified_at = models.DateTimeField(null=True, blank=True)
    verification = models.JSONField(default=dict, blank=True)
    is_major_news = models.BooleanField(_("group major news"), default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant"],
                condition=Q(state__in=[s.value for s in LIVE_STATES]),
                name="publication_one_live_per_variant",
            )
        ]
        indexes = [
            models.Index(
                fields=["scheduled_at", "id"],
                condition=Q(state="scheduled"),
                name="publication_due_idx",
            ),
            models.Index(
                fields=["next_check_at"],
                condition=Q(state__in=["claimed", "submitting", "submitted"]),
                name="publication_followup_idx",
            ),
            models.Index(fields=["account", "scheduled_at"], name="publication_account_idx"),
        ]

    def __str__(self) -> str:
        return f"publication #{self.pk} ({self.state})"


class AttemptOutcome(models.TextChoices):
    OK = "ok", _("Succeeded")
    TRANSIENT = "transient", _("Temporary failure, will retry")
    PERMANENT = "permanent", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")
    FOUND = "found", _("Found on the platform")
    NOT_FOUND = "not_found", _("Not found on the platform")
    REFUSED = "refused", _("Refused before sending")


class PublishAttempt(models.Model):
    """One call (or refusal) on the way out, kept and shown on the publication (PUB-4)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attempt_log"
    )
    #: create, result, reconcile, verify, withdraw, confirm, check (a refusal before sending)
    operation = models.CharField(max_length=20)
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["publication_id", "started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.operation} {self.outcome}"


class PlatformUpload(models.Model):
    """A library file already on an account's platform: a WeChat permanent image (its
    ``media_id``) or an article image (its URL).

    The next post with the same file on the same account uses it instead of uploading again:
    each upload is a call on the way out, and WeChat caps an account's permanent images at
    100,000, so a cover uploaded anew for every post would fill the account's library. A
    platform that reports the media id unknown (deleted in its back office) gets the file
    uploaded afresh once (``posts.forget_uploads``). Keyed by the file's SHA-256 as well, so
    a replaced file is never taken for the old one.
    """

    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.CASCADE, related_name="+"
    )
    asset = models.ForeignKey("content.Asset", on_delete=models.CASCADE, related_name="+")
    #: The connector's ``MediaKind`` value it was uploaded as (image, article_image).
    kind = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    media_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "asset", "kind", "sha256"], name="platform_upload_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.asset_id}:{self.kind}"


class WithdrawalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved, withdrawing")
    DONE = "done", _("Withdrawn")
    FAILED = "failed", _("Withdrawal failed")
    REJECTED = "rejected", _("Rejected")


class WithdrawalRequest(models.Model):
    """Taking a published post down needs someone else's approval (PUB-6, ORG-3)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="withdrawals"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=WithdrawalStatus.choices, default=WithdrawalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication"],
                condition=Q(status__in=["pending", "approved"]),
                name="withdrawal_one_open_per_publication",
            )
        ]

    def __str__(self) -> str:
        return f"withdrawal #{self.pk} of publication {self.publication_id}"


# -- planning: pauses, blackouts, best times, frequency (PUB-2, PUB-3) -----------------------


class PublishingPause(models.Model):
    """Stop everything (PUB-3): a group-wide or unit-wide pause for a crisis. Open while
    ``ended_at`` is empty; due posts under it are held, and go out after it ends."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="publishing_pauses")
    reason = models.TextField(_("reason"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(ended_at__isnull=True), name="pause_one_open_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"pause of {self.unit} since {self.started_at:%Y-%m-%d %H:%M}"


class BlackoutPeriod(models.Model):
    """A period in which a unit (and everything below it) publishes nothing (PUB-3)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.reason


class SlotKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    PROMOTION = "promotion", _("Promotion")


class BestTimeSlot(models.Model):
    """A good time to post (PUB-2): seeded per platform, overridden per account.

    ``weekdays`` are ISO numbers (1 Monday … 7 Sunday); times are local (the account's time
    zone, Asia/Shanghai by default). A higher ``weight`` is preferred (Weibo's Wednesday and
    Thursday evenings).
    """

    platform = models.CharField(_("platform"), max_length=30, blank=True)
    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="best_time_slots",
    )
    weekdays = models.JSONField(_("weekdays"), default=list)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    kind = models.CharField(max_length=10, choices=SlotKind.choices, default=SlotKind.REGULAR)
    weight = models.PositiveSmallIntegerField(default=1)
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["platform", "account_id", "starts", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(platform="") ^ Q(account__isnull=True),
                name="slot_platform_xor_account",
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="slot_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform or self.account_id} {self.starts:%H:%M}-{self.ends:%H:%M}"


class FrequencyPeriod(models.TextChoices):
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class FrequencyRule(models.Model):
    """How often an account should post (PUB-3): at least ``minimum`` and at most ``maximum``
    per period. Set on an account, or as the default of a platform or matrix role."""

    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="frequency_rules",
    )
    platform = models.CharField(max_length=30, blank=True)
    matrix_role = models.CharField(max_length=30, blank=True)
    period = models.CharField(max_length=5, choices=FrequencyPeriod.choices)
    minimum = models.PositiveIntegerField(_("at least"), default=0)
    maximum = models.PositiveIntegerField(_("at most"), null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["account_id", "platform", "matrix_role", "period", "pk"]

    def __str__(self) -> str:
        return f"{self.minimum}–{self.maximum or '∞'} {self.period}"


# -- secondary propagation (PUB-7) ------------------------------------------------------------


class PropagationReason(models.TextChoices):
    MAJOR_NEWS = "major_news", _("Group major news")
    MEDIA_COVERAGE = "media_coverage", _("Positive coverage by a mainstream medium")


class PropagationSource(models.Model):
    """Something every business unit must repost within one working day."""

    reason = models.CharField(max_length=20, choices=PropagationReason.choices)
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    medium = models.CharField(_("medium"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class RepostStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class RepostTask(models.Model):
    """One account's repost of a propagation source; overdue when open past ``due_at``."""

    source = models.ForeignKey(PropagationSource, on_delete=models.CASCADE, related_name="tasks")
    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="repost_tasks"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="repost_tasks")
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=RepostStatus.choices, default=RepostStatus.OPEN
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    repost_url = models.URLField(max_length=1000, blank=True)
    repost_post_id = models.CharField(max_length=200, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "account"], name="repost_once_per_account")
        ]

    def __str__(self) -> str:
        return f"repost of {self.source_id} on {self.account_id}"


# -- the publish plan (PUB-1) and who reposts for a unit (PUB-7) ------------------------------


class PlanEntry(models.Model):
    """One row of the publish plan, the seed's 模板1 (PUB-1).

    Planners write the plan before the content exists, so an entry names a day (and optionally
    a time), an account or only a platform, a topic, a format and target figures. Scheduling an
    approved item can fill it: the entry then links the item and its :class:`Publication`, and
    its 状态 follows that publication (待发布 until published or withdrawn), so the engine never
    has to know that plans exist.
    """

    owning_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="plan_entries", verbose_name=_("unit")
    )
    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_entries",
        verbose_name=_("account"),
    )
    #: A ``Platform`` value; the account's platform when an account is set.
    platform = models.CharField(_("platform"), max_length=30)
    planned_on = models.DateField(_("date"), db_index=True)
    #: Local time (``TIME_ZONE``); empty while only the day is planned.
    planned_time = models.TimeField(_("time"), null=True, blank=True)
    # 主题 of the publish plan (模板1), not the topic matrix's 选题 that content items use.
    topic = models.CharField(pgettext_lazy("publish plan", "topic"), max_length=300)
    format = models.CharField(_("format"), max_length=100, blank=True)
    #: The target figures as the planner wrote them ("曝光30万+，互动1万+") …
    targets_text = models.CharField(_("target figures"), max_length=300, blank=True)
    #: … and parsed (万 = 10,000), for 模板3's comparison with the actual figures.
    target_exposure = models.PositiveBigIntegerField(_("target exposure"), default=0)
    target_interaction = models.PositiveBigIntegerField(_("target interaction"), default=0)
    target_conversion = models.PositiveBigIntegerField(_("target conversion"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    notes = models.TextField(_("notes"), blank=True)
    item = models.ForeignKey(
        "content.ContentItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_entries",
    )
    publication = models.OneToOneField(
        Publication,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_entry",
    )
    #: Bumped by every change; an edit names the version it was made on.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["planned_on", "planned_time", "pk"]
        indexes = [
            models.Index(fields=["owning_unit", "planned_on"], name="planentry_unit_day_idx")
        ]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.topic}"


class PropagationTarget(models.Model):
    """An account that reposts for its business unit (PUB-7), when the unit chose its own.

    Without rows for a unit, its targets are the defaults of ``propagation.default_targets``.
    """

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="propagation_targets")
    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "account"], name="propagation_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.account_id}"

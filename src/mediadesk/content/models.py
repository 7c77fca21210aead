"""Goals, topics, assets, content items with per-account variants and revisions, and review
workflows as data.

(CNT-1 … CNT-5, REV-1 … REV-4.) A :class:`Workflow` is an ordered list of stages; each submission
of an item starts one :class:`WorkflowState` (a review round) that walks those stages on one
:class:`Revision`. Decisions are kept per round, so the whole history stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediadesk.orgs.models import OrgUnit


class GoalMetric(models.TextChoices):
    EXPOSURE = "exposure", _("Exposure")
    INTERACTION = "interaction", _("Interaction")
    CONVERSION = "conversion", _("Conversion")
    FOLLOWERS = "followers", _("New followers")


class Goal(models.Model):
    """A SMART goal (CNT-1): a metric, a number, a deadline, the platforms it counts on."""

    owning_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="content_goals", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(_("metric"), max_length=20, choices=GoalMetric.choices)
    target = models.PositiveBigIntegerField(_("target"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    #: ``Platform`` values the goal counts on; empty means every platform.
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["archived", "deadline", "pk"]

    def __str__(self) -> str:
        return self.name


class TopicCategory(models.TextChoices):
    PRODUCT = "product", _("Product")
    BRAND = "brand", _("Brand")
    ACTIVITY = "activity", _("Activity")
    SERVICE = "service", _("Service")
    INDUSTRY = "industry", _("Industry")


class Topic(models.Model):
    """One cell of the topic matrix (CNT-2): what the content is about and for whom."""

    owning_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="content_topics", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=TopicCategory.choices)
    audience = models.TextField(_("audience"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["archived", "category", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owning_unit", "category", "name"], name="topic_unique_per_unit"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AssetKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    MUSIC = "music", _("Music")
    FONT = "font", _("Font")


class LicenceKind(models.TextChoices):
    OWN = "own", _("Own work")
    PURCHASED = "purchased", _("Purchased licence")
    LICENSED = "licensed", _("Licensed by the owner")
    FREE = "free", _("Free for commercial use")
    UNKNOWN = "unknown", _("Licence unknown")


class Asset(models.Model):
    """A file of the media library (CNT-4) with where it came from and until when it may be used.

    An asset with an unknown licence, an expired licence, or people pictured without their
    consent blocks the submission of any content that uses it.
    """

    owning_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assets", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AssetKind.choices)
    file = models.FileField(_("file"), upload_to="assets/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    licence = models.CharField(
        _("licence"), max_length=12, choices=LicenceKind.choices, default=LicenceKind.UNKNOWN
    )
    licence_note = models.TextField(_("licence details"), blank=True)
    #: The last day the licence covers; empty means it does not expire.
    licensed_until = models.DateField(_("licensed until"), null=True, blank=True)
    #: Names of the people recognisable in it (portrait rights).
    people_pictured = models.JSONField(_("people pictured"), default=list, blank=True)
    portrait_consent = models.BooleanField(_("portrait consent obtained"), default=False)
    consent_note = models.TextField(_("consent details"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ContentFormat(models.TextChoices):
    """模板1's 内容形式."""

    ARTICLE = "article", _("Article")
    IMAGE_TEXT = "image_text", _("Pictures and text")
    ARTICLE_VIDEO = "article_video", _("Article with video")
    SHORT_VIDEO = "short_video", _("Short video")
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text")
    LIVE = "live", _("Live stream")


class ContentItem(models.Model):
    """One piece of content; what goes out on each account is one of its variants."""

    title = models.CharField(_("title"), max_length=200)
    owning_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="content_items", verbose_name=_("unit")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_content"
    )
    goal = models.ForeignKey(
        Goal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("goal"),
    )
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("topic"),
    )
    format = models.CharField(
        _("format"), max_length=20, choices=ContentFormat.choices, default=ContentFormat.ARTICLE
    )
    notes = models.TextField(_("notes"), blank=True)
    #: Backup content (CNT-5): a prepared alternative for a hot event or a crisis, kept ready.
    is_backup = models.BooleanField(_("backup content"), default=False)
    backup_for = models.CharField(_("prepared for"), max_length=200, blank=True)
    target_exposure = models.PositiveIntegerField(_("target exposure"), default=0)
    target_interaction = models.PositiveIntegerField(_("target interaction"), default=0)
    target_conversion = models.PositiveIntegerField(_("target conversion"), default=0)
    #: The number of the latest revision; every saved change adds one.
    revision_number = models.PositiveIntegerField(default=0)
    #: SHA-256 of what the last completed review approved (REV-3); "" when nothing stands.
    approved_fingerprint = models.CharField(max_length=64, blank=True)
    approved_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Variant(models.Model):
    """What the item says on one target account (CNT-3). ``body`` is sanitised HTML."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    account = models.ForeignKey(
        "accounts.SocialAccount", on_delete=models.PROTECT, related_name="content_variants"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    digest = models.CharField(_("digest"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    original_url = models.URLField(_("read-original link"), max_length=500, blank=True)
    #: Media-library asset ids, in order; part of the fingerprint.
    media = models.JSONField(default=list, blank=True)
    cover = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Platform specifics that go out with the post (Douyin shopping-cart link, WeChat author,
    #: comments open …); part of the fingerprint.
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["item_id", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "account"], name="variant_one_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.account_id}"


class Revision(models.Model):
    """A snapshot of an item as saved; ``text`` is a plain rendering used for diffs."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    text = models.TextField()
    fingerprint = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.item} r{self.number}"


class Workflow(models.Model):
    """A review workflow: the default one, or one owned by a unit or by one account."""

    name = models.CharField(_("name"), max_length=100)
    owning_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="workflows"
    )
    account = models.ForeignKey(
        "accounts.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflows",
    )
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="workflow_one_default"
            ),
            # One active workflow per unit and per account, so which one applies is never a
            # matter of row order.
            models.UniqueConstraint(
                fields=["owning_unit"],
                condition=Q(active=True, owning_unit__isnull=False),
                name="workflow_one_active_per_unit",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(active=True, account__isnull=False),
                name="workflow_one_active_per_account",
            ),
            models.CheckConstraint(
                condition=~(Q(owning_unit__isnull=False) & Q(account__isnull=False)),
                name="workflow_unit_or_account",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalMode(models.TextChoices):
    ANY = "any", _("Any one of them")
    ALL = "all", _("All of them")


class WorkflowStage(models.Model):
    """One step of a workflow: who may act (a role, or named people) and what they check."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    role = models.CharField(_("role"), max_length=30, blank=True)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    mode = models.CharField(max_length=5, choices=ApprovalMode.choices, default=ApprovalMode.ANY)
    checklist = models.JSONField(default=list, blank=True)
    #: The legal / PR stage: special-industry content always passes it (CMP-5) and only it may
    #: override a blocking compliance finding, with a written reason.
    is_legal = models.BooleanField(default=False)
    #: Taken out of the workflow by an edit while review rounds still name it in their route:
    #: those rounds walk it to the end; new rounds no longer meet it.
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["workflow_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "order"],
                condition=Q(retired=False),
                name="stage_unique_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.workflow} · {self.name}"


class ReviewStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    #: The item changed during or after the review, which no longer counts (REV-3).
    SUPERSEDED = "superseded", _("Superseded by an edit")


class WorkflowState(models.Model):
    """One review round of one revision of an item through a workflow."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="reviews")
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="reviews")
    #: The stages this round walks, in order (the workflow's, plus the legal stage when forced).
    route = models.JSONField(default=list)
    stage = models.ForeignKey(
        WorkflowStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.IN_PROGRESS
    )
    #: Bumped by every transition; a decision names the version it was made on.
    version = models.PositiveIntegerField(default=1)
    findings = models.JSONField(default=list, blank=True)
    requires_legal = models.BooleanField(default=False)
    #: The author's explanation for a blocking finding; the legal stage decides on it.
    override_request = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["item_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="in_progress"),
                name="workflowstate_one_running_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_status_display()}"

    @property
    def has_blocking_findings(self) -> bool:
        return any(f.get("severity") == "block" for f in self.findings)


class DecisionAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_COMMENT = "approve_with_comment", _("Approve with comment")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")


APPROVING = {DecisionAction.APPROVE, DecisionAction.APPROVE_WITH_COMMENT}


class StageDecision(models.Model):
    """One reviewer's decision at one stage of one round (REV-2)."""

    state = models.ForeignKey(WorkflowState, on_delete=models.CASCADE, related_name="decisions")
    stage = models.ForeignKey(WorkflowStage, on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions"
    )
    action = models.CharField(max_length=25, choices=DecisionAction.choices)
    opinion = models.TextField(blank=True)
    checklist = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "stage", "reviewer"], name="decision_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.get_action_display()}"

"""The account matrix (ACC-1 … ACC-7): registry, applications, filings, profiles, credentials."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediadesk.orgs.models import OrgUnit


class Platform(models.TextChoices):
    WECHAT_SERVICE = "wechat_service", _("WeChat service account")
    WECHAT_SUBSCRIPTION = "wechat_subscription", _("WeChat subscription account")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    ZHIHU = "zhihu", _("Zhihu")
    BILIBILI = "bilibili", _("Bilibili")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    WEBSITE = "website", _("Website")


WECHAT_PLATFORMS = {Platform.WECHAT_SERVICE, Platform.WECHAT_SUBSCRIPTION}


class MatrixRole(models.TextChoices):
    GROUP_OFFICIAL = "group_official", _("Group official")
    LEADER = "leader", _("Leader")
    BRAND = "brand", _("Brand")
    PRODUCT = "product", _("Product")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    RECRUITMENT = "recruitment", _("Recruitment")
    CAMPAIGN = "campaign", _("Campaign")
    MASCOT = "mascot", _("Mascot")
    CORPORATE_UNIVERSITY = "corporate_university", _("Corporate university")


class AccountStatus(models.TextChoices):
    APPLYING = "applying", _("Applying")
    ACTIVE = "active", _("Active")
    STOPPED = "stopped_updating", _("Stopped updating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VERIFIED = "verified", _("Verified")
    EXPIRED = "expired", _("Verification lapsed")


class SocialAccount(models.Model):
    platform = models.CharField(_("platform"), max_length=30, choices=Platform.choices)
    platform_account_id = models.CharField(
        _("platform account id"),
        max_length=100,
        blank=True,
        help_text=_("WeChat original id / AppID, Weibo uid, Douyin open id …"),
    )
    name = models.CharField(_("name"), max_length=100)
    owning_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("owning unit")
    )
    matrix_role = models.CharField(_("matrix role"), max_length=30, choices=MatrixRole.choices)
    function_positioning = models.TextField(_("function positioning"), blank=True)
    content_positioning = models.TextField(_("content positioning"), blank=True)
    target_posts_per_week = models.PositiveIntegerField(_("target posts per week"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.APPLYING
    )
    verification_status = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verification_expires_on = models.DateField(_("verification expires on"), null=True, blank=True)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    admin_wechat_id = models.CharField(_("administrator WeChat ID"), max_length=100, blank=True)
    bound_phone = models.CharField(_("bound phone"), max_length=30, blank=True)
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_accounts",
        verbose_name=_("responsible person"),
    )
    bio = models.TextField(_("bio"), blank=True)
    avatar = models.BinaryField(_("avatar"), null=True, blank=True, editable=True)
    avatar_hash = models.CharField(max_length=16, blank=True)
    wechat_menu = models.JSONField(_("WeChat menu"), null=True, blank=True)
    wechat_menu_fetched_at = models.DateTimeField(null=True, blank=True)
    name_exception = models.CharField(
        _("approved naming exception"),
        max_length=300,
        blank=True,
        help_text=_("Why this account may deviate from “brand + unit name”, as approved by HQ."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owning_unit__path", "platform", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_account_id"],
                condition=~Q(platform_account_id=""),
                name="account_unique_platform_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_platform_display()}）"

    @property
    def is_wechat(self) -> bool:
        return self.platform in WECHAT_PLATFORMS


class AccountLink(models.Model):
    """Cross-account linkage (ACC-7): accounts that promote each other."""

    source = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="links_in")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="accountlink_unique"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="accountlink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class ApplicationKind(models.TextChoices):
    OPEN = "open", _("Opening a new account")
    CHANGE = "change", _("Change of name or function")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccountApplication(models.Model):
    """An application to HQ (ACC-2), or a change of name / function re-running it (ACC-3)."""

    kind = models.CharField(
        max_length=10, choices=ApplicationKind.choices, default=ApplicationKind.OPEN
    )
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="applications"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="account_applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    revision = models.PositiveIntegerField(default=1)
    # the nine points of ACC-2
    necessity = models.TextField(_("necessity"), blank=True)
    feasibility = models.TextField(_("feasibility"), blank=True)
    type_reason = models.TextField(_("account type and why"), blank=True)
    positioning = models.TextField(_("function and content positioning"), blank=True)
    publishing_frequency = models.TextField(_("publishing frequency"), blank=True)
    layout = models.TextField(_("layout"), blank=True)
    operating_team = models.TextField(_("operating team and people"), blank=True)
    review_flow = models.TextField(_("review-and-publish flow"), blank=True)
    technical_support = models.TextField(_("technical support"), blank=True)
    # for a change application: the proposed values
    changes = models.JSONField(default=dict, blank=True)
    feedback = models.TextField(_("HQ feedback"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account.name}"


class ApplicationEvent(models.Model):
    """One step of an application's history, for its timeline."""

    application = models.ForeignKey(
        AccountApplication, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(
        max_length=20
    )  # submitted, returned, resubmitted, approved, withdrawn
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField()
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} r{self.revision}"


class FilingKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    CLOSURE = "closure", _("Closing the account")
    STOP_UPDATING = "stop_updating", _("Stopping updates")
    SUSPENSION = "suspension", _("Suspended by the platform")
    RESPONSIBLE_CHANGE = "responsible_change", _("Change of responsible person")
    OPERATOR_CHANGE = "operator_change", _("Change of operator")


class FilingStatus(models.TextChoices):
    DUE = "due", _("Due")
    FILED = "filed", _("Filed")


class Filing(models.Model):
    """A filing with HQ (ACC-2, ACC-3). Person changes create one due in 5 working days."""

    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(max_length=20, choices=FilingKind.choices)
    status = models.CharField(max_length=10, choices=FilingStatus.choices, default=FilingStatus.DUE)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    occurred_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account.name}"


class UnitProfile(models.Model):
    """A unit's brand standards (ACC-4): the name convention, the logo and the bio."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="brand_profile")
    brand_name = models.CharField(_("brand name"), max_length=50, blank=True)
    unit_name = models.CharField(_("unit name in account names"), max_length=50, blank=True)
    standard_bio = models.TextField(_("standard bio"), blank=True)
    standard_logo = models.BinaryField(_("standard logo"), null=True, blank=True, editable=True)
    logo_hash = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.unit} profile"


class CompanyNames(models.Model):
    """The names employees' personal accounts must not use (ACC-5); one row for the group."""

    full_names = models.JSONField(default=list)
    short_names = models.JSONField(default=list)
    english_names = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return ", ".join(self.full_names)


class FilingPolicy(models.Model):
    """Who receives filings besides HQ (seed 004 also names compliance and the board office)."""

    recipient_units = models.ManyToManyField(OrgUnit, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "filing policy"


class CredentialKind(models.TextChoices):
    APP_SECRET = "app_secret", _("App secret")
    PASSWORD = "password", _("Password")
    ACCESS_TOKEN = "access_token", _("Access token")
    REFRESH_TOKEN = "refresh_token", _("Refresh token")
    AES_KEY = "aes_key", _("Message encryption key")
    CALLBACK_TOKEN = "callback_token", _("Callback token")
    OTHER = "other", _("Other")


class Credential(models.Model):
    """A secret of an account, encrypted at rest (ACC-6). The value never leaves ``vault``."""

    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="credentials")
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    label = models.CharField(max_length=100, blank=True)
    ciphertext = models.TextField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["account_id", "kind", "label"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "label"], name="credential_unique")
        ]

    def __str__(self) -> str:  # never the value
        return f"{self.get_kind_display()} {self.label}".strip()


class CredentialRotation(models.Model):
    """When and by whom a credential was replaced (the old value is not kept)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="rotations")
    version = models.PositiveIntegerField()
    rotated_at = models.DateTimeField(auto_now_add=True)
    rotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-rotated_at"]

    def __str__(self) -> str:
        return f"v{self.version}"


class RotationTask(models.Model):
    """A credential to rotate because someone who could reveal it has left."""

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="rotation_tasks"
    )
    reason = models.CharField(max_length=300)
    departed = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "-created_at"]

    def __str__(self) -> str:
        return self.reason

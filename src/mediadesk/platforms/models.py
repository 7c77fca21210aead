"""How each account reaches its platform, the tokens it holds, what the platform pushed, and
menu changes waiting for approval.

Secrets never sit in these tables in the clear: app secrets, callback tokens and AES keys live
in the credentials vault (``accounts.Credential``); access and refresh tokens are encrypted
with the vault's key in :class:`PlatformToken`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediadesk.accounts.models import SocialAccount

SIMULATOR_MARKER = "simulator:"  # base URL meaning "the simulator this process started"


class PlatformBinding(models.Model):
    """One account's connector settings: endpoint, app id and non-secret options."""

    account = models.OneToOneField(
        SocialAccount, on_delete=models.CASCADE, related_name="platform_binding"
    )
    base_url = models.CharField(
        _("API base URL"),
        max_length=300,
        help_text=_("The real platform's address, another endpoint, or “simulator:”."),
    )
    app_id = models.CharField(
        _("app id"), max_length=100, help_text=_("WeChat AppID, Weibo app key, Douyin client key")
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["account_id"]

    def __str__(self) -> str:
        return f"{self.account.name} → {self.base_url}"

    @property
    def uses_simulator(self) -> bool:
        return self.base_url.startswith(SIMULATOR_MARKER)


class PlatformToken(models.Model):
    """A connector's access (and refresh) token, shared by every process.

    ``key`` is the connector's token key (platform, endpoint, app, account). Token values are
    vault-encrypted; expiry and renewal counts are plain so reminders can query them. The lease
    (``lease_owner``/``lease_until``) is the cross-process lock a renewal holds.
    """

    key = models.CharField(max_length=500, unique=True)
    account = models.ForeignKey(
        SocialAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="platform_tokens",
    )
    platform = models.CharField(max_length=30, blank=True)  # wechat, weibo, douyin
    access_ciphertext = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refresh_ciphertext = models.TextField(blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:  # never a token
        return f"token {self.platform} #{self.pk}"


class OAuthState(models.Model):
    """One authorisation a person started (``oauth.start_authorization``): the ``state`` sent to
    the platform, kept only as its SHA-256, bound to the account and the person, valid for ten
    minutes and once (``used_at``). The redirect URI is kept because the code exchange must
    repeat it exactly."""

    state_hash = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=30)  # weibo, douyin
    redirect_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:  # never the state
        return f"{self.platform} authorisation #{self.pk} for account {self.account_id}"


class EventKind(models.TextChoices):
    PUBLISH_FINISHED = "publish_finished", _("Publish job finished")
    MASS_SEND_FINISHED = "mass_send_finished", _("Mass send finished")
    COMMENT = "comment", _("Comment")
    MESSAGE = "message", _("Message")
    OTHER = "other", _("Other event")


class PlatformEvent(models.Model):
    """A push from a platform, stored as received and normalised later by a job.

    The publishing and inbox work read these (by ``kind``) and set ``consumed_at``.
    """

    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="platform_events"
    )
    platform = models.CharField(max_length=30, default="wechat")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    event_type = models.CharField(max_length=60)  # MsgType, or Event for MsgType=event
    dedupe_key = models.CharField(max_length=200)
    sender = models.CharField(max_length=100, blank=True)  # FromUserName (an openid)
    occurred_at = models.DateTimeField(null=True, blank=True)  # the platform's CreateTime
    received_at = models.DateTimeField(default=timezone.now)
    encrypted = models.BooleanField(default=False)  # arrived in safe (AES) mode
    raw = models.TextField()  # the plain XML, decrypted where it came encrypted
    data = models.JSONField(default=dict, blank=True)  # filled by platforms.process_event
    processed_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "dedupe_key"], name="platformevent_once_per_account"
            )
        ]
        indexes = [models.Index(fields=["kind", "consumed_at"], name="platformevent_kind_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} for account {self.account_id}"


class MenuChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPLYING = "applying", _("Being applied")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed on the platform")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A request in these states blocks a new one for the same account: decide on it first.
OPEN_MENU_STATES = (MenuChangeStatus.PENDING, MenuChangeStatus.APPLYING, MenuChangeStatus.FAILED)


class MenuChangeRequest(models.Model):
    """A proposed WeChat menu (ORG-3): someone else approves it before it reaches WeChat."""

    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="menu_change_requests"
    )
    menu = models.JSONField()
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=MenuChangeStatus.choices, default=MenuChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["pending", "applying", "failed"]),
                name="menuchange_one_open_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"menu change #{self.pk} for {self.account.name}"

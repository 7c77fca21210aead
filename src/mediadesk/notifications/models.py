"""Channels beyond the in-app list: each person's choices, the units' group robots, deliveries.

The in-app notification itself is :class:`mediadesk.core.models.Notification`; every other
channel is a :class:`Delivery`, sent by a job and kept as the record of what went out where.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu group robot")


class RobotPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")


# The channels a person switches on and off (in-app is always on); robot channels share their
# value with the robot's platform.
OPTIONAL_CHANNELS: tuple[str, ...] = (
    Channel.EMAIL,
    Channel.WECOM,
    Channel.DINGTALK,
    Channel.FEISHU,
)
ROBOT_CHANNELS: tuple[str, ...] = (Channel.WECOM, Channel.DINGTALK, Channel.FEISHU)
# What a person gets before choosing anything: in-app (always) and e-mail.
DEFAULT_CHANNELS: dict[str, bool] = {
    "email": True,
    "wecom": False,
    "dingtalk": False,
    "feishu": False,
}


class Category(models.TextChoices):
    """What a notification is about, derived from its ``kind`` (see ``categories.py``)."""

    REVIEW = "review", _("Content review")
    PUBLISHING = "publishing", _("Publishing")
    ACCOUNTS = "accounts", _("Accounts and platforms")
    INBOX = "inbox", _("Inbox and alerts")
    OTHER = "other", _("Other")


class ChannelPreference(models.Model):
    """One person's channels for one category. No row means the defaults (in-app + e-mail)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    email = models.BooleanField(default=True)
    wecom = models.BooleanField(default=False)
    dingtalk = models.BooleanField(default=False)
    feishu = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"], name="channelpreference_once_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.category}"

    def wants(self, channel: str) -> bool:
        return channel == Channel.IN_APP or bool(getattr(self, channel, False))


class GroupRobot(models.Model):
    """A unit's group-chat robot (WeCom / DingTalk / Feishu custom robot).

    The webhook address carries the robot's key, so it is a secret like the signing secret:
    both are stored encrypted with the credentials vault and never leave the sender; lists,
    pages, API answers and audit entries show ``url_hint`` (host and the key's last 4).
    ``__str__`` must stay free of both, because audit entries record it.
    """

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="group_robots"
    )
    platform = models.CharField(max_length=20, choices=RobotPlatform.choices)
    name = models.CharField(max_length=100)
    url_ciphertext = models.TextField()
    secret_ciphertext = models.TextField(blank=True, default="")
    url_hint = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org_unit_id", "platform", "name"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "platform", "name"], name="grouprobot_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def signed(self) -> bool:
        return bool(self.secret_ciphertext)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Will retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One message on one channel: an e-mail to a person, or a robot post naming everyone
    the event concerns in that robot's group. Kept as the record of what was sent and what
    failed; ``target`` is safe to show (an e-mail address, or the robot's masked hint)."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
    )
    robot = models.ForeignKey(
        GroupRobot, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    notifications = models.ManyToManyField("core.Notification", related_name="deliveries")
    target = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    # Recipients of one event who share a robot get one post: this names the event.
    event_key = models.CharField(max_length=255, blank=True)
    is_test = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["robot", "event_key"],
                condition=Q(status="pending"),
                name="delivery_pending_event_idx",
            ),
            models.Index(fields=["status", "created_at"], name="delivery_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)

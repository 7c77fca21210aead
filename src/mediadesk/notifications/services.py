"""What people and administrators change: channel preferences, robots, read marks.

Every function checks permission itself and audits its change in the same transaction. Robot
addresses and secrets go into the vault here and come out only in :mod:`.sending`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts import vault
from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.models import Notification
from mediadesk.notifications import robots, sending
from mediadesk.notifications.models import (
    DEFAULT_CHANNELS,
    OPTIONAL_CHANNELS,
    Category,
    ChannelPreference,
    Delivery,
    GroupRobot,
    RobotPlatform,
)
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.orgs.permissions import Action, require

# -- preferences --------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryChoice:
    """A person's channels for one category, as stored or as the defaults."""

    category: str
    email: bool
    wecom: bool
    dingtalk: bool
    feishu: bool

    @property
    def label(self) -> str:
        return str(Category(self.category).label)

    def wants(self, channel: str) -> bool:
        return channel == "in_app" or bool(getattr(self, channel, False))


def _require_own_or_admin(actor: Any, person: User) -> None:
    if getattr(actor, "pk", None) != person.pk:
        require(actor, Action.SETTINGS_MANAGE, person)


def preferences_of(*, actor: Any, person: User) -> list[CategoryChoice]:
    """Every category with the person's channels; their own, or any for an administrator."""
    _require_own_or_admin(actor, person)
    stored = {p.category: p for p in ChannelPreference.objects.filter(person=person)}
    rows = []
    for category in Category.values:
        row = stored.get(category)
        values = {c: getattr(row, c) if row else DEFAULT_CHANNELS[c] for c in OPTIONAL_CHANNELS}
        rows.append(CategoryChoice(category=category, **values))
    return rows


@transaction.atomic
def set_preferences(
    *, actor: Any, person: User, choices: Mapping[str, Mapping[str, bool]]
) -> list[CategoryChoice]:
    """Replace the channels for the categories given (``{"review": {"email": False}}``).

    Channels left out of a category keep their value; in-app cannot be switched off. A person
    edits only their own choices.
    """
    if getattr(actor, "pk", None) != person.pk or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("People choose their notification channels themselves."))
    unknown = sorted(set(choices) - set(Category.values))
    if unknown:
        raise ValidationFailed(
            _("Unknown category: %(c)s.") % {"c": ", ".join(unknown)},
            fields={"categories": _("unknown")},
        )
    for category, channels in choices.items():
        bad = sorted(set(channels) - {*OPTIONAL_CHANNELS, "in_app"})
        if bad:
            raise ValidationFailed(
                _("Unknown channel: %(c)s.") % {"c": ", ".join(bad)},
                fields={category: _("unknown channel")},
            )
        if channels.get("in_app") is False:
            raise ValidationFailed(
                _("In-app notifications cannot be switched off."),
                fields={category: _("in-app is always on")},
            )
    before = {c.category: _as_dict(c) for c in preferences_of(actor=actor, person=person)}
    for category, channels in choices.items():
        values = {c: bool(channels[c]) for c in OPTIONAL_CHANNELS if c in channels}
        row, created = ChannelPreference.objects.select_for_update().get_or_create(
            person=person, category=category, defaults={**DEFAULT_CHANNELS, **values}
        )
        if not created and values:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
    after = {c.category: _as_dict(c) for c in preferences_of(actor=actor, person=person)}
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        record_event(
            action="notifications.preferences.update",
            actor=actor,
            obj=person,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return preferences_of(actor=actor, person=person)


def _as_dict(choice: CategoryChoice) -> dict[str, bool]:
    return {c: getattr(choice, c) for c in OPTIONAL_CHANNELS}


# -- reading ------------------------------------------------------------------------------


def mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (a personal mark: not audited)."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("This is someone else's notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, actor: Any) -> int:
    """Mark all the actor's unread notifications read; how many there were."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in first."))
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# -- robots -------------------------------------------------------------------------------


def _robot_record(robot: GroupRobot) -> dict[str, Any]:
    """What the audit log keeps of a robot: never the address or the secret."""
    return {
        "unit_id": robot.org_unit_id,
        "platform": robot.platform,
        "name": robot.name,
        "address": robot.url_hint,
        "signed": robot.signed,
    }


@transaction.atomic
def add_robot(
    *,
    actor: Any,
    unit: OrgUnit,
    platform: str,
    name: str,
    webhook_url: str,
    secret: str = "",
) -> GroupRobot:
    """Register a unit's group robot; the address and secret are stored encrypted."""
    require(actor, Action.SETTINGS_MANAGE, unit)
    if platform not in RobotPlatform.values:
        raise ValidationFailed(_("Unknown robot platform."), fields={"platform": _("unknown")})
    name = (name or "").strip()
    if not name or len(name) > 100 or "://" in name:
        raise ValidationFailed(
            _("Give the robot a short name, such as its group's name (not its address)."),
            fields={"name": _("required") if not name else _("invalid")},
        )
    url = robots.clean_webhook_url(platform, webhook_url)
    secret = robots.clean_secret(platform, secret)
    robot = GroupRobot(
        org_unit=unit,
        platform=platform,
        name=name,
        url_ciphertext=vault.encrypt(url),
        secret_ciphertext=vault.encrypt(secret) if secret else "",
        url_hint=robots.url_hint(platform, url),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            robot.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(unit)s already has a %(platform)s robot called %(name)s.")
            % {"unit": unit.name, "platform": robot.get_platform_display(), "name": name}
        ) from exc
    record_event(
        action="notifications.robot.add", actor=actor, obj=robot, after=_robot_record(robot)
    )
    return robot


@transaction.atomic
def remove_robot(*, actor: Any, robot: GroupRobot) -> None:
    """Remove a robot; its deliveries stay on record under its masked address."""
    robot = GroupRobot.objects.select_for_update(of=("self",)).get(pk=robot.pk)
    require(actor, Action.SETTINGS_MANAGE, robot)
    record_event(
        action="notifications.robot.remove", actor=actor, obj=robot, before=_robot_record(robot)
    )
    robot.delete()


def send_test_message(*, actor: Any, robot: GroupRobot) -> Delivery:
    """Post a test message now and return its delivery (``sent``, or ``failed`` and why).

    Sent at once rather than as a job, so the person who pressed the button sees the result.
    """
    require(actor, Action.SETTINGS_MANAGE, robot)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            channel=robot.platform,
            robot=robot,
            target=robot.url_hint,
            kind="notifications.test",
            title=_("Test message from mediadesk"),
            body=_("%(person)s is checking that %(unit)s's robot “%(robot)s” works.")
            % {"person": actor, "unit": robot.org_unit.name, "robot": robot.name},
            is_test=True,
        )
    sending.deliver(delivery.pk, final_attempt=True)
    delivery.refresh_from_db()
    record_event(
        action="notifications.robot.test",
        actor=actor,
        obj=robot,
        after={"delivery_id": delivery.pk, "status": delivery.status, "error": delivery.last_error},
    )
    return delivery

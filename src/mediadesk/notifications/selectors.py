"""Reading notifications, deliveries and robots, limited to what the reader may see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.core.errors import NotFound
from mediadesk.core.models import Notification
from mediadesk.jobs.models import Job
from mediadesk.notifications.models import ROBOT_CHANNELS, Delivery, DeliveryStatus, GroupRobot
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.orgs.permissions import ALL_UNITS, Action, require, unit_paths_for

STRANDED_AFTER = timedelta(minutes=5)


# -- a person's notifications -------------------------------------------------------------


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's own notifications, unread first, newest first within each."""
    qs = Notification.objects.filter(recipient_id=getattr(user, "pk", None))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")


def unread_count(*, user: Any) -> int:
    """One COUNT query, cheap enough for the badge on every page."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def get_notification(*, user: Any, notification_id: int) -> Notification:
    note = Notification.objects.filter(
        pk=notification_id, recipient_id=getattr(user, "pk", None)
    ).first()
    if note is None:
        raise NotFound(_("There is no such notification."))
    return note


# -- deliveries ---------------------------------------------------------------------------


def deliveries_for(
    *,
    user: Any,
    person: User | None = None,
    robot: GroupRobot | None = None,
    status: str | None = None,
    channel: str | None = None,
) -> QuerySet[Delivery]:
    """What was sent and what failed: a person's own deliveries (or, for an administrator,
    another person's), or everything a robot posted (for whoever manages its unit)."""
    qs = Delivery.objects.select_related("robot", "recipient")
    if robot is not None:
        require(user, Action.SETTINGS_MANAGE, robot)
        qs = qs.filter(robot=robot)
    else:
        person = person or user
        if person.pk != getattr(user, "pk", None):
            require(user, Action.SETTINGS_MANAGE, person)
        qs = qs.filter(Q(recipient=person) | Q(notifications__recipient=person)).distinct()
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-pk")


def stranded_deliveries(*, older_than: timedelta = STRANDED_AFTER) -> Iterator[int]:
    """Pending deliveries whose job was never enqueued (the process stopped between the commit
    and the enqueue)."""
    from mediadesk.notifications.dispatch import job_key

    candidates = Delivery.objects.filter(
        status=DeliveryStatus.PENDING,
        is_test=False,
        created_at__lt=timezone.now() - older_than,
    ).values_list("pk", flat=True)
    for delivery_id in candidates.iterator():
        if not Job.objects.filter(dedupe_key=job_key(delivery_id)).exists():
            yield delivery_id


# -- robots -------------------------------------------------------------------------------


def manageable_units(*, user: Any) -> QuerySet[OrgUnit]:
    """Units whose robots ``user`` may manage, in tree order."""
    paths = unit_paths_for(user, Action.SETTINGS_MANAGE)
    qs = OrgUnit.objects.all()
    if paths is not ALL_UNITS:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(path__startswith=path)
        qs = qs.filter(condition)
    return qs.order_by("path")


def robots_of(*, user: Any, unit: OrgUnit) -> QuerySet[GroupRobot]:
    require(user, Action.SETTINGS_MANAGE, unit)
    return GroupRobot.objects.filter(org_unit=unit).select_related("org_unit", "created_by")


def get_robot(*, user: Any, robot_id: int) -> GroupRobot:
    robot = GroupRobot.objects.select_related("org_unit").filter(pk=robot_id).first()
    if robot is None:
        raise NotFound(_("There is no such robot."))
    require(user, Action.SETTINGS_MANAGE, robot)
    return robot


def robots_reaching(person: User) -> dict[str, GroupRobot | None]:
    """For each robot platform, the first robot a person's messages would go to (or None),
    so the preferences page can say which group that is."""
    reaching: dict[str, GroupRobot | None] = dict.fromkeys(ROBOT_CHANNELS)
    unit = person.org_unit if person.org_unit_id else None
    if unit is None:
        return reaching
    ancestors = list(reversed(unit.ancestor_ids()))
    robots = GroupRobot.objects.filter(org_unit_id__in=ancestors).select_related("org_unit")
    for robot in sorted(robots, key=lambda r: (ancestors.index(r.org_unit_id), r.pk)):
        if reaching.get(robot.platform) is None:
            reaching[robot.platform] = robot
    return reaching

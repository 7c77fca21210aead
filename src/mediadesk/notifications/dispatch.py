"""From in-app notifications to deliveries on the channels each recipient chose.

Called by :func:`mediadesk.core.notifications.notify` with the notifications it just created.
Deliveries are rows in the caller's transaction and their jobs are enqueued on commit, so a
change that is rolled back notifies nobody, and a committed one is sent even if this process
stops right after (see the ``notifications.requeue_stranded`` sweep).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from mediadesk.core.models import Notification
from mediadesk.notifications.categories import category_of
from mediadesk.notifications.models import (
    DEFAULT_CHANNELS,
    ROBOT_CHANNELS,
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    GroupRobot,
    RobotPlatform,
)
from mediadesk.notifications.sending import MAX_ATTEMPTS, TASK
from mediadesk.orgs.models import OrgUnit


def job_key(delivery_id: int) -> str:
    return f"notification-delivery-{delivery_id}"


def enqueue_deliveries(delivery_ids: Iterable[int]) -> None:
    """One job per delivery; the key makes a second enqueue of the same delivery a no-op."""
    from mediadesk.jobs.services import enqueue

    for delivery_id in delivery_ids:
        enqueue(
            TASK,
            {"delivery_id": delivery_id},
            dedupe_key=job_key(delivery_id),
            max_attempts=MAX_ATTEMPTS + 1,  # the delivery counts its own tries and gives up first
        )


def _nearest_robots(
    people_units: dict[int, OrgUnit | None], platforms: set[str]
) -> dict[tuple[int, str], list[GroupRobot]]:
    """``{(unit id, platform): robots}``: the robots of the nearest unit up each unit's tree
    that has one of that platform. One query for all the units and platforms."""
    units = {u.pk: u for u in people_units.values() if u is not None}
    ancestors = {i for u in units.values() for i in u.ancestor_ids()}
    by_unit: dict[tuple[int, str], list[GroupRobot]] = {}
    for robot in GroupRobot.objects.filter(
        org_unit_id__in=ancestors, platform__in=platforms
    ).order_by("pk"):
        by_unit.setdefault((robot.org_unit_id, robot.platform), []).append(robot)
    nearest: dict[tuple[int, str], list[GroupRobot]] = {}
    for unit in units.values():
        for platform in platforms:
            for ancestor in reversed(unit.ancestor_ids()):
                found = by_unit.get((ancestor, platform))
                if found:
                    nearest[(unit.pk, platform)] = found
                    break
    return nearest


def fan_out(
    notifications: Sequence[Notification],
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> list[Delivery]:
    """Create the e-mail and robot deliveries for freshly created notifications of one event
    and enqueue them when the transaction commits. Returns the deliveries (sent or skipped)."""
    if not notifications:
        return []
    people = {n.recipient_id: n.recipient for n in notifications}
    stored = {
        p.person_id: p
        for p in ChannelPreference.objects.filter(person_id__in=people, category=category_of(kind))
    }

    def wants(person_id: int, channel: str) -> bool:
        row = stored.get(person_id)
        return bool(getattr(row, channel)) if row is not None else DEFAULT_CHANNELS[channel]

    common = {"kind": kind, "title": title[:200], "body": body, "link": link[:300]}
    made: list[Delivery] = []
    for note in notifications:
        if not wants(note.recipient_id, Channel.EMAIL):
            continue
        address = (note.recipient.email or "").strip()
        delivery = Delivery.objects.create(
            channel=Channel.EMAIL,
            recipient=note.recipient,
            target=address,
            status=DeliveryStatus.PENDING if address else DeliveryStatus.SKIPPED,
            last_error="" if address else _("No e-mail address on file."),
            **common,
        )
        delivery.notifications.add(note)
        made.append(delivery)

    wanted = {
        channel: [n for n in notifications if wants(n.recipient_id, channel)]
        for channel in ROBOT_CHANNELS
    }
    wanted = {channel: notes for channel, notes in wanted.items() if notes}
    if wanted:
        made += _robot_deliveries(wanted, common, dedupe_key)

    pending = [d.pk for d in made if d.status == DeliveryStatus.PENDING]
    if pending:
        transaction.on_commit(partial(enqueue_deliveries, pending))
    return made


def _robot_deliveries(
    wanted: dict[str, list[Notification]], common: dict[str, str], dedupe_key: str
) -> list[Delivery]:
    """One post per robot for everyone of this event it concerns; people whose units have
    no robot of a platform they chose get a skipped record saying so."""
    recipients = {n.recipient_id: n.recipient for notes in wanted.values() for n in notes}
    units = OrgUnit.objects.in_bulk({p.org_unit_id for p in recipients.values() if p.org_unit_id})
    people_units = {pid: units.get(p.org_unit_id) for pid, p in recipients.items()}
    nearest = _nearest_robots(people_units, set(wanted))
    event_key = f"dedupe:{dedupe_key}"[:255] if dedupe_key else ""
    made: list[Delivery] = []
    for platform, notes in wanted.items():
        groups: dict[int, tuple[GroupRobot, list[Notification]]] = {}
        for note in notes:
            unit = people_units.get(note.recipient_id)
            found = nearest.get((unit.pk, platform), []) if unit is not None else []
            if not found:
                skipped = Delivery.objects.create(
                    channel=platform,
                    recipient=note.recipient,
                    status=DeliveryStatus.SKIPPED,
                    last_error=_("No %(platform)s robot for %(unit)s or any unit above it.")
                    % {
                        "platform": RobotPlatform(platform).label,
                        "unit": unit.name if unit is not None else _("your unit"),
                    },
                    **common,
                )
                skipped.notifications.add(note)
                made.append(skipped)
                continue
            for robot in found:
                groups.setdefault(robot.pk, (robot, []))[1].append(note)
        for robot, group in groups.values():
            if event_key:
                # The same event notified again before the post went out (another call with
                # the same key in this transaction): name the new recipients in that post.
                existing = (
                    Delivery.objects.select_for_update(of=("self",))
                    .filter(robot=robot, event_key=event_key, status=DeliveryStatus.PENDING)
                    .first()
                )
                if existing is not None:
                    existing.notifications.add(*group)
                    continue
            delivery = Delivery.objects.create(
                channel=platform,
                robot=robot,
                target=robot.url_hint,
                event_key=event_key,
                **common,
            )
            delivery.notifications.add(*group)
            made.append(delivery)
    return made

"""API for notifications: my notifications and channels, what was delivered, units' robots.

Robots appear only with their masked address (``address``: host and the key's last 4) and
whether they sign; the webhook address and the secret are write-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from mediadesk.core.errors import NotFound
from mediadesk.core.models import Notification
from mediadesk.core.pagination import page_of
from mediadesk.notifications import selectors, services
from mediadesk.notifications.categories import category_of
from mediadesk.notifications.models import (
    OPTIONAL_CHANNELS,
    Category,
    Channel,
    Delivery,
    DeliveryStatus,
    GroupRobot,
    RobotPlatform,
)
from mediadesk.orgs import selectors as org_selectors
from mediadesk.orgs.models import User

router = Router(tags=["notifications"])


# --- schemas ------------------------------------------------------------


class DeliveryOut(Schema):
    id: int
    channel: str
    target: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    notification_ids: list[int]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    total: int
    page: int
    page_size: int


class NotificationOut(Schema):
    id: int
    kind: str
    category: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    total: int
    page: int
    page_size: int
    unread: int


class NotificationFilter(Schema):
    unread: bool = False
    page: int = 1
    page_size: int = 50


class MarkedOut(Schema):
    marked: int
    unread: int


class CategoryChannels(Schema):
    category: Category
    label: str = ""
    in_app: bool = True
    email: bool
    wecom: bool
    dingtalk: bool
    feishu: bool


class CategoryChannelsIn(Schema):
    category: Category
    in_app: bool | None = None
    email: bool | None = None
    wecom: bool | None = None
    dingtalk: bool | None = None
    feishu: bool | None = None


class RobotReach(Schema):
    platform: str
    robot_id: int | None
    unit_id: int | None
    unit_name: str


class PreferencesOut(Schema):
    person_id: int
    email_address: str
    categories: list[CategoryChannels]
    robots: list[RobotReach]


class PreferencesIn(Schema):
    categories: list[CategoryChannelsIn]


class DeliveryFilter(Schema):
    status: DeliveryStatus | None = None
    channel: Channel | None = None
    page: int = 1
    page_size: int = 50


class RobotOut(Schema):
    id: int
    unit_id: int
    platform: str
    name: str
    address: str
    signed: bool
    created_at: dt.datetime


class RobotPage(Schema):
    items: list[RobotOut]
    total: int
    page: int
    page_size: int


class RobotIn(Schema):
    platform: RobotPlatform
    name: str = Field(min_length=1, max_length=100)
    webhook_url: str = Field(min_length=1, max_length=500)
    secret: str = Field(default="", max_length=200)


class PageQuery(Schema):
    page: int = 1
    page_size: int = 50


# --- serializers --------------------------------------------------------


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "channel": delivery.channel,
        "target": delivery.target,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "sent_at": delivery.sent_at,
        "next_attempt_at": delivery.next_attempt_at,
        "notification_ids": [n.pk for n in delivery.notifications.all()],
    }


def _notification(note: Notification) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "category": category_of(note.kind),
        "title": note.title,
        "body": note.body,
        "link": note.link,
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


def _robot(robot: GroupRobot) -> dict[str, Any]:
    return {
        "id": robot.pk,
        "unit_id": robot.org_unit_id,
        "platform": robot.platform,
        "name": robot.name,
        "address": robot.url_hint,
        "signed": robot.signed,
        "created_at": robot.created_at,
    }


def _preferences(actor: Any, person: User) -> dict[str, Any]:
    reaching = selectors.robots_reaching(person)
    return {
        "person_id": person.pk,
        "email_address": person.email,
        "categories": [
            {
                "category": c.category,
                "label": c.label,
                "in_app": True,
                **{ch: getattr(c, ch) for ch in OPTIONAL_CHANNELS},
            }
            for c in services.preferences_of(actor=actor, person=person)
        ],
        "robots": [
            {
                "platform": platform,
                "robot_id": robot.pk if robot else None,
                "unit_id": robot.org_unit_id if robot else None,
                "unit_name": robot.org_unit.name if robot else "",
            }
            for platform, robot in reaching.items()
        ],
    }


# --- my notifications ---------------------------------------------------


@router.get("/me/notifications", response=NotificationPage)
def list_my_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> Any:
    """My notifications, unread first; ``unread`` counts all my unread ones."""
    qs = selectors.notifications_for(user=request.auth, unread_only=filters.unread)
    body = page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_notification)
    return {**body, "unread": selectors.unread_count(user=request.auth)}


@router.post("/me/notifications/read-all", response=MarkedOut)
def mark_all_read(request: HttpRequest) -> Any:
    marked = services.mark_all_read(actor=request.auth)
    return {"marked": marked, "unread": selectors.unread_count(user=request.auth)}


@router.post("/me/notifications/{notification_id}/read", response=NotificationOut)
def mark_read(request: HttpRequest, notification_id: int) -> Any:
    note = selectors.get_notification(user=request.auth, notification_id=notification_id)
    return _notification(services.mark_read(actor=request.auth, notification=note))


@router.get("/me/notification-deliveries", response=DeliveryPage)
def list_my_deliveries(request: HttpRequest, filters: Query[DeliveryFilter]) -> Any:
    """What was sent to me on e-mail and robots, and what failed."""
    qs = selectors.deliveries_for(
        user=request.auth, status=filters.status, channel=filters.channel
    ).prefetch_related("notifications")
    return page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_delivery)


@router.get("/me/notification-preferences", response=PreferencesOut)
def get_my_preferences(request: HttpRequest) -> Any:
    return _preferences(request.auth, request.auth)


@router.put("/me/notification-preferences", response=PreferencesOut)
def put_my_preferences(request: HttpRequest, payload: PreferencesIn) -> Any:
    choices = {
        str(row.category): row.model_dump(exclude={"category"}, exclude_none=True)
        for row in payload.categories
    }
    services.set_preferences(actor=request.auth, person=request.auth, choices=choices)
    return _preferences(request.auth, request.auth)


# --- someone else's (administrators) ------------------------------------


def _person(person_id: int) -> User:
    # The services decide who may look (the person, or settings administrators over them).
    person = User.objects.select_related("org_unit").filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    return person


@router.get("/people/{person_id}/notification-preferences", response=PreferencesOut)
def get_person_preferences(request: HttpRequest, person_id: int) -> Any:
    person = _person(person_id)
    return _preferences(request.auth, person)


@router.get("/people/{person_id}/notification-deliveries", response=DeliveryPage)
def list_person_deliveries(
    request: HttpRequest, person_id: int, filters: Query[DeliveryFilter]
) -> Any:
    person = _person(person_id)
    qs = selectors.deliveries_for(
        user=request.auth, person=person, status=filters.status, channel=filters.channel
    ).prefetch_related("notifications")
    return page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_delivery)


# --- units' robots ------------------------------------------------------


@router.get("/units/{unit_id}/robots", response=RobotPage, tags=["robots"])
def list_robots(request: HttpRequest, unit_id: int, paging: Query[PageQuery]) -> Any:
    unit = org_selectors.get_unit(user=request.auth, unit_id=unit_id)
    qs = selectors.robots_of(user=request.auth, unit=unit)
    return page_of(qs, page=paging.page, page_size=paging.page_size, serialize=_robot)


@router.post("/units/{unit_id}/robots", response={201: RobotOut}, tags=["robots"])
def add_robot(request: HttpRequest, unit_id: int, payload: RobotIn) -> Status:
    unit = org_selectors.get_unit(user=request.auth, unit_id=unit_id)
    robot = services.add_robot(
        actor=request.auth,
        unit=unit,
        platform=payload.platform,
        name=payload.name,
        webhook_url=payload.webhook_url,
        secret=payload.secret,
    )
    return Status(201, _robot(robot))


@router.delete("/robots/{robot_id}", response={204: None}, tags=["robots"])
def remove_robot(request: HttpRequest, robot_id: int) -> Status:
    robot = selectors.get_robot(user=request.auth, robot_id=robot_id)
    services.remove_robot(actor=request.auth, robot=robot)
    return Status(204, None)


@router.post("/robots/{robot_id}/test", response=DeliveryOut, tags=["robots"])
def test_robot(request: HttpRequest, robot_id: int) -> Any:
    """Post a test message now; the answer says ``sent`` or ``failed`` and why."""
    robot = selectors.get_robot(user=request.auth, robot_id=robot_id)
    return _delivery(services.send_test_message(actor=request.auth, robot=robot))


@router.get("/robots/{robot_id}/deliveries", response=DeliveryPage, tags=["robots"])
def list_robot_deliveries(
    request: HttpRequest, robot_id: int, filters: Query[DeliveryFilter]
) -> Any:
    robot = selectors.get_robot(user=request.auth, robot_id=robot_id)
    qs = selectors.deliveries_for(
        user=request.auth, robot=robot, status=filters.status, channel=filters.channel
    ).prefetch_related("notifications")
    return page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_delivery)

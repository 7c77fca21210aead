"""Notifications: the centre (unread first, mark read), my channels, and units' group robots.

The views only read the request and call :mod:`mediadesk.notifications.services` and
``selectors``; robots appear with their masked address only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediadesk.core.errors import DomainError, NotFound
from mediadesk.notifications import selectors, services
from mediadesk.notifications.categories import category_of
from mediadesk.notifications.models import (
    OPTIONAL_CHANNELS,
    ROBOT_CHANNELS,
    Category,
    Channel,
    Delivery,
    DeliveryStatus,
    GroupRobot,
)
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.orgs.permissions import Action, require
from mediadesk.web.notification_forms import RobotForm, RobotUnitForm
from mediadesk.web.views.common import (
    form_error,
    page_view,
    paginate,
    query_without_page,
    safe_next,
    unit_trails,
)

RECENT_DELIVERIES = 20
STATUS_BADGE = {
    DeliveryStatus.SENT: "badge-ok",
    DeliveryStatus.FAILED: "badge-danger",
    DeliveryStatus.RETRYING: "badge-warn",
    DeliveryStatus.SKIPPED: "badge-muted",
    DeliveryStatus.PENDING: "badge-info",
    DeliveryStatus.SENDING: "badge-info",
}


def _deliveries(qs: Any) -> list[dict[str, Any]]:
    return [
        {"delivery": d, "badge": STATUS_BADGE.get(d.status, "badge-muted")}
        for d in qs[:RECENT_DELIVERIES]
    ]


# -- the notification centre --------------------------------------------------------------


@page_view
def notification_center(request: HttpRequest) -> HttpResponse:
    user = request.user
    url = reverse("web:notifications")
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "read_all":
            marked = services.mark_all_read(actor=user)
            if not _is_htmx(request):
                messages.success(request, _("%(n)d notifications marked read.") % {"n": marked})
        elif op == "read":
            raw = request.POST.get("notification", "")
            note = selectors.get_notification(
                user=user, notification_id=int(raw) if raw.isdigit() else 0
            )
            services.mark_read(actor=user, notification=note)
        return redirect(safe_next(request, request.POST.get("next"), url))
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, selectors.notifications_for(user=user, unread_only=unread_only))
    rows = [
        {"note": note, "category": Category(category_of(note.kind)).label}
        for note in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "unread_only": unread_only,
        "here": request.get_full_path(),
    }
    return render(request, "web/notifications/center.html", context)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@page_view
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link; opening it marks it read."""
    note = selectors.get_notification(user=request.user, notification_id=notification_id)
    services.mark_read(actor=request.user, notification=note)
    return redirect(safe_next(request, note.link, reverse("web:notifications")))


# -- my channels --------------------------------------------------------------------------


def _person_for(request: HttpRequest) -> User:
    raw = request.GET.get("person", "")
    if not raw:
        return request.user
    person = User.objects.select_related("org_unit").filter(pk=int(raw) if raw.isdigit() else 0)
    found = person.first()
    if found is None:
        raise NotFound(_("There is no such person."))
    return found


@page_view
def notification_settings(request: HttpRequest) -> HttpResponse:
    """A person's channels per category; an administrator may look at someone else's."""
    person = _person_for(request)
    own = person.pk == request.user.pk
    if request.method == "POST" and own:
        choices = {
            category: {ch: f"{category}:{ch}" in request.POST for ch in OPTIONAL_CHANNELS}
            for category in Category.values
        }
        try:
            services.set_preferences(actor=request.user, person=person, choices=choices)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your notification channels were saved."))
        return redirect("web:notification_settings")
    choices = services.preferences_of(actor=request.user, person=person)
    reaching = selectors.robots_reaching(person)
    channels = [{"value": Channel.IN_APP, "label": Channel.IN_APP.label}] + [
        {"value": ch, "label": Channel(ch).label, "robot": reaching.get(ch)}
        for ch in OPTIONAL_CHANNELS
    ]
    rows = [
        {
            "category": choice.category,
            "label": choice.label,
            "cells": [
                {"name": f"{choice.category}:{ch['value']}", "on": choice.wants(ch["value"])}
                for ch in channels
            ],
        }
        for choice in choices
    ]
    context = {
        "person": person,
        "own": own,
        "channels": channels,
        "rows": rows,
        "robot_channels": [c for c in channels if c["value"] in ROBOT_CHANNELS],
        "deliveries": _deliveries(
            selectors.deliveries_for(user=request.user, person=person).prefetch_related(
                "notifications"
            )
        ),
    }
    return render(request, "web/notifications/settings.html", context)


# -- units' group robots ------------------------------------------------------------------


def _robots_url(unit: OrgUnit | None) -> str:
    url = reverse("web:robots")
    return f"{url}?unit={unit.pk}" if unit is not None else url


@page_view
def robots(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.SETTINGS_MANAGE)
    units = list(selectors.manageable_units(user=user))
    raw = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == raw), None)
    if raw and unit is None:
        raise NotFound(_("There is no such unit, or you do not manage its settings."))
    unit = unit or next((u for u in units if u.pk == user.org_unit_id), None)
    unit = unit or (units[0] if units else None)
    form = RobotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and unit is not None and form.is_valid():
        try:
            robot = services.add_robot(
                actor=user,
                unit=unit,
                platform=form.cleaned_data["platform"],
                name=form.cleaned_data["name"],
                webhook_url=form.cleaned_data["webhook_url"],
                secret=form.cleaned_data["secret"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("The robot %(name)s was added to %(unit)s.")
                % {"name": robot.name, "unit": unit.name},
            )
            return redirect(_robots_url(unit))
    context: dict[str, Any] = {
        "unit": unit,
        "unit_form": RobotUnitForm(units=units, initial={"unit": unit.pk if unit else ""}),
        "form": form,
    }
    if unit is not None:
        own = list(selectors.robots_of(user=user, unit=unit))
        above = GroupRobot.objects.filter(org_unit_id__in=unit.ancestor_ids()[:-1]).select_related(
            "org_unit"
        )
        context.update(
            {
                "robots": own,
                "inherited": sorted(above, key=lambda r: (-r.org_unit.depth, r.platform, r.name)),
                "trail": unit_trails([unit]).get(unit.pk, unit.name),
                # robots_of checked the permission on the unit, so on its robots
                "deliveries": _deliveries(
                    Delivery.objects.filter(robot__in=own).select_related("robot")
                ),
            }
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "web/notifications/robots.html", context, status=status)


@require_POST
@page_view
def robot_test(request: HttpRequest, robot_id: int) -> HttpResponse:
    """Post a test message now and show what the platform answered."""
    robot = selectors.get_robot(user=request.user, robot_id=robot_id)
    delivery = services.send_test_message(actor=request.user, robot=robot)
    if _is_htmx(request):
        return render(
            request,
            "web/notifications/_test_result.html",
            {"robot": robot, "delivery": delivery},
        )
    if delivery.status == DeliveryStatus.SENT:
        messages.success(request, _("The test message was sent to %(r)s.") % {"r": robot.name})
    else:
        messages.error(
            request,
            _("The test message to %(r)s failed: %(e)s")
            % {"r": robot.name, "e": delivery.last_error},
        )
    return redirect(_robots_url(robot.org_unit))


@require_POST
@page_view
def robot_remove(request: HttpRequest, robot_id: int) -> HttpResponse:
    robot = selectors.get_robot(user=request.user, robot_id=robot_id)
    unit = robot.org_unit
    services.remove_robot(actor=request.user, robot=robot)
    messages.success(request, _("The robot %(r)s was removed.") % {"r": robot.name})
    return redirect(_robots_url(unit))

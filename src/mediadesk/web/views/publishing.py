"""Publishing pages (PUB-1 … PUB-6): the calendar, scheduling, the publications and one
publication with its attempts and the actions its state allows.

The views read the request and call :mod:`mediadesk.publishing`: ``planning`` schedules, moves
and cancels; ``services`` resolves, retries, confirms and withdraws; the selectors read. Every
change names the ``version`` the page showed, so a stale page is refused as a conflict.
Dragging a chip on the calendar posts to :func:`publication_move`, which answers JSON to the
script and redirects a plain form (the move form on the publication page).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediadesk.accounts.models import Platform
from mediadesk.content.models import ContentItem, Variant
from mediadesk.content.services import approved_fingerprint_matches
from mediadesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.publishing import planning, planning_slots, services
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing import planning_selectors as plan_selectors
from mediadesk.publishing import selectors as pub_selectors
from mediadesk.publishing.models import (
    LIVE_STATES,
    PlanEntry,
    Publication,
    PublicationState,
    SlotKind,
    WithdrawalRequest,
    WithdrawalStatus,
)
from mediadesk.publishing.planning_warnings import slot_warnings
from mediadesk.web.publication_forms import (
    CancelForm,
    ConfirmForm,
    DecideForm,
    MoveForm,
    PublicationFilterForm,
    ResolveForm,
    RetryForm,
    ScheduleForm,
    WithdrawForm,
)
from mediadesk.web.views.common import form_error, page_view, paginate, query_without_page
from mediadesk.web.views.content_common import readable_accounts, readable_units

S = PublicationState

#: Badge of each state in lists and on the publication page (chips use ``chip-<state>``).
STATE_BADGES = {
    S.SCHEDULED: "badge-info",
    S.HELD: "badge-warn",
    S.CLAIMED: "badge-info",
    S.SUBMITTING: "badge-info",
    S.SUBMITTED: "badge-info",
    S.AWAITING_PERSON: "badge-warn",
    S.PUBLISHED: "badge-ok",
    S.FAILED: "badge-danger",
    S.POSSIBLY_PUBLISHED: "badge-danger",
    S.MISSED: "badge-danger",
    S.WITHDRAWN: "badge-muted",
    S.CANCELLED: "badge-muted",
}
#: The legend of the calendar, in the order a post moves through them.
LEGEND = [
    S.SCHEDULED,
    S.HELD,
    S.SUBMITTING,
    S.SUBMITTED,
    S.AWAITING_PERSON,
    S.PUBLISHED,
    S.FAILED,
    S.POSSIBLY_PUBLISHED,
    S.MISSED,
    S.WITHDRAWN,
    S.CANCELLED,
]
#: Moving into these needs a second "yes": the post would wait, not go out at its time.
HOLD_WARNINGS = ("blackout", "paused")


def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "badge-muted")


def _chip_state(state: str) -> str:
    """Claimed and submitting look alike to a person: the post is on its way."""
    return S.SUBMITTING if state == S.CLAIMED else state


# -- the calendar ------------------------------------------------------------------------------


def _scope_choices(user: Any) -> list[tuple[str, str]]:
    choices = [("group", _("The whole group"))]
    for unit in readable_units(user):
        choices.append((f"unit-{unit.pk}", _("Unit: %(u)s") % {"u": unit.name}))
    for account in readable_accounts(user):
        choices.append(
            (
                f"account-{account.pk}",
                _("Account: %(a)s (%(p)s)")
                % {"a": account.name, "p": account.get_platform_display()},
            )
        )
    return choices


def _parse_scope(raw: str) -> tuple[int | None, int | None]:
    """``account-N`` / ``unit-N`` → (account id, unit id); anything else is the whole group."""
    kind, _sep, pk = (raw or "").partition("-")
    if not pk.isdigit():
        return None, None
    if kind == "account":
        return int(pk), None
    if kind == "unit":
        return None, int(pk)
    return None, None


def _parse_day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return rules.local_today()


def _shift(view: str, anchor: dt.date, step: int) -> dt.date:
    if view == plan_selectors.WEEK:
        return anchor + dt.timedelta(days=7 * step)
    month = anchor.month - 1 + step
    year = anchor.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(anchor.day, pycalendar.monthrange(year, month)[1]))


def _platform_label(code: str) -> str:
    return str(Platform(code).label) if code in Platform.values else code


def _entry_chip(entry: plan_selectors.CalendarEntry) -> dict[str, Any]:
    if entry.kind == "publication":
        url = reverse("web:publication_detail", kwargs={"publication_id": entry.id})
        move_url = reverse("web:publication_move", kwargs={"publication_id": entry.id})
    else:
        url = f"{reverse('web:publishing_schedule')}?plan_entry={entry.id}"
        if entry.account_id:
            url += f"&account={entry.account_id}"
        move_url = ""
    return {
        "kind": entry.kind,
        "id": entry.id,
        "time": entry.time,
        "hour": entry.time.hour if entry.time else None,
        "state": _chip_state(entry.state),
        "state_label": S(entry.state).label if entry.kind == "publication" else _("Planned"),
        "title": entry.title,
        "account": entry.account_name,
        "platform": _platform_label(entry.platform),
        "url": url,
        "move_url": move_url if entry.movable else "",
        "version": entry.version,
        "warnings": [w.message for w in entry.warnings],
    }


def _cancelled_chips(
    user: Any, scope: plan_selectors.PlanScope, first: dt.date, last: dt.date
) -> dict[dt.date, list[dict[str, Any]]]:
    found = pub_selectors.publications(
        user=user,
        account=scope.account.pk if scope.account else None,
        unit=scope.unit.pk if scope.unit else None,
        state=S.CANCELLED,
        start=rules.day_start(first),
        end=rules.day_start(last + dt.timedelta(days=1)),
    )
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for pub in found:
        local = rules.to_local(pub.scheduled_at)
        days.setdefault(local.date(), []).append(
            {
                "kind": "publication",
                "id": pub.pk,
                "time": local.time().replace(second=0, microsecond=0),
                "hour": local.hour,
                "state": S.CANCELLED,
                "state_label": S.CANCELLED.label,
                "title": pub.variant.title or pub.item.title,
                "account": pub.account.name,
                "platform": _platform_label(pub.account.platform),
                "url": reverse("web:publication_detail", kwargs={"publication_id": pub.pk}),
                "move_url": "",
                "version": pub.version,
                "warnings": [],
            }
        )
    return days


@page_view
def calendar(request: HttpRequest) -> HttpResponse:
    """Month or week of an account, a unit or the group: chips coloured by state, warnings
    ahead, pauses and blackouts on their days; chips a person may move can be dragged."""
    user = request.user
    require(user, Action.CONTENT_VIEW)
    view = request.GET.get("view") if request.GET.get("view") in ("month", "week") else "month"
    anchor = _parse_day(request.GET.get("day"))
    scope_raw = request.GET.get("scope") or "group"
    account_id, unit_id = _parse_scope(scope_raw)
    scope = plan_selectors.resolve_scope(user=user, account_id=account_id, unit_id=unit_id)
    show_cancelled = request.GET.get("cancelled") == "1"
    data = plan_selectors.calendar(user=user, scope=scope, view=view, anchor=anchor)
    cancelled = _cancelled_chips(user, scope, data.start, data.end) if show_cancelled else {}
    today = rules.local_today()
    days = []
    for day in data.days:
        chips = [_entry_chip(e) for e in day.entries] + cancelled.get(day.day, [])
        chips.sort(key=lambda c: (c["time"] is None, c["time"] or dt.time.min, c["id"]))
        days.append(
            {
                "day": day.day,
                "in_range": day.in_range,
                "is_today": day.is_today,
                "is_past": day.day < today,
                "is_working_day": day.is_working_day,
                "chips": chips,
                # What is past can no longer be planned for: warnings are for today onwards.
                "warnings": [w.message for w in day.warnings] if day.day >= today else [],
                "blackouts": [b.reason for b in day.blackouts],
                "paused": bool(data.pauses) and day.day >= today,
            }
        )
    hours: list[int] = []
    if view == plan_selectors.WEEK:
        earliest = min(
            (c["hour"] for d in days for c in d["chips"] if c["hour"] is not None), default=6
        )
        hours = list(range(min(6, earliest), 24))
    week_rows = [
        {
            "hour": h,
            "cells": [{"d": d, "chips": [c for c in d["chips"] if c["hour"] == h]} for d in days],
        }
        for h in hours
    ]
    weekday_names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    for d in days:
        d["dow"] = weekday_names[d["day"].weekday()]
        d["untimed"] = [c for c in d["chips"] if c["hour"] is None]
    # Warnings of a whole week or month (a single day's sit on the day itself).
    ahead = [
        w
        for w in data.warnings
        if not (w.starts_on and w.starts_on == w.ends_on) and not (w.ends_on and w.ends_on < today)
    ]
    may_schedule = can(user, Action.CONTENT_PUBLISH)
    params = {"view": view, "scope": scope_raw}
    if show_cancelled:
        params["cancelled"] = "1"
    base = reverse("web:calendar")

    def link(**changes: Any) -> str:
        query = {**params, **changes}
        return f"{base}?" + "&".join(f"{k}={v}" for k, v in query.items() if v not in ("", None))

    context = {
        "cal": data,
        "view": view,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "hours": hours,
        "scope": scope,
        "scope_raw": scope_raw,
        "scope_choices": _scope_choices(user),
        "show_cancelled": show_cancelled,
        "ahead": ahead,
        "pauses": data.pauses,
        "legend": [(_chip_state(s), S(s).label) for s in LEGEND],
        "weekday_names": weekday_names,
        "week_rows": week_rows,
        "prev_url": link(day=_shift(view, data.anchor, -1).isoformat()),
        "next_url": link(day=_shift(view, data.anchor, 1).isoformat()),
        "today_url": link(day=today.isoformat()),
        "month_url": link(view="month", day=data.anchor.isoformat()),
        "week_url": link(view="week", day=data.anchor.isoformat()),
        "cancelled_url": link(day=data.anchor.isoformat(), cancelled="" if show_cancelled else "1"),
        "may_schedule": may_schedule,
        "schedule_account": scope.account.pk if scope.account else "",
    }
    return render(request, "web/publishing/calendar.html", context)


# -- moving (drag and drop, or the move form) --------------------------------------------------


class _NeedsConfirmation(Exception):
    def __init__(self, messages_: list[str]) -> None:
        super().__init__(" ".join(messages_))
        self.messages = messages_


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _move(
    user: Any, pub: Publication, form: MoveForm
) -> tuple[planning.ScheduleResult, dt.datetime]:
    """Reschedule through the planner; into a blackout or a pause only when confirmed
    (otherwise the move is rolled back, audit entry and all, and the person asked)."""
    at = form.target(pub.scheduled_at)
    with transaction.atomic():
        result = planning.reschedule_publication(
            actor=user, publication=pub, at=at, version=form.cleaned_data["version"]
        )
        holds = [w.message for w in result.warnings if w.code in HOLD_WARNINGS]
        if holds and not form.cleaned_data.get("confirm"):
            raise _NeedsConfirmation(holds)
    return result, at


@require_POST
@page_view
def publication_move(request: HttpRequest, publication_id: int) -> HttpResponse:
    user = request.user
    pub = plan_selectors.get_publication(user=user, publication_id=publication_id)
    form = MoveForm(request.POST)
    as_json = _wants_json(request)
    detail = reverse("web:publication_detail", kwargs={"publication_id": pub.pk})

    def refuse(message: str, status: int, **extra: Any) -> HttpResponse:
        if as_json:
            return JsonResponse({"ok": False, "message": message, **extra}, status=status)
        messages.error(request, message)
        return redirect(detail)

    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return refuse(" ".join(errors) or _("Give the new date and time."), 400)
    try:
        result, at = _move(user, pub, form)
    except _NeedsConfirmation as exc:
        question = _("Move it anyway? It would wait instead of going out at its time.")
        return refuse(" ".join(exc.messages), 409, needs_confirmation=True, question=question)
    except PermissionDenied as exc:
        return refuse(exc.message, 403)
    except Conflict as exc:
        return refuse(exc.message, 409)
    except DomainError as exc:
        return refuse(exc.message, 400)
    text = _("Moved to %(t)s.") % {"t": f"{rules.to_local(at):%Y-%m-%d %H:%M}"}
    warnings = [w.message for w in result.warnings]
    messages.success(request, text)
    for warning in warnings:
        messages.warning(request, warning)
    if as_json:
        return JsonResponse(
            {
                "ok": True,
                "message": text,
                "warnings": warnings,
                "version": result.publication.version,
                "scheduled_at": rules.to_local(result.publication.scheduled_at).isoformat(),
            }
        )
    return redirect(detail)


# -- scheduling --------------------------------------------------------------------------------


def schedulable_variants(user: Any) -> list[Variant]:
    """Variants of approved items (unchanged since the approval) on active accounts the person
    may publish on, not already on the calendar."""
    candidates = (
        Variant.objects.filter(item__approved_fingerprint__gt="", account__status="active")
        .exclude(publications__state__in=LIVE_STATES)
        .select_related("item", "account__owning_unit")
        .order_by("-item__updated_at", "item_id", "account__name")
    )
    checked: dict[int, bool] = {}
    found = []
    for variant in candidates:
        if not can(user, Action.CONTENT_PUBLISH, variant.account):
            continue
        if variant.item_id not in checked:
            checked[variant.item_id] = approved_fingerprint_matches(variant.item)
        if checked[variant.item_id]:
            found.append(variant)
    return found


def _initial_time(request: HttpRequest, variant: Variant | None) -> dt.datetime | None:
    """The empty slot clicked on the calendar, else the account's next free best slot."""
    day, hour = request.GET.get("day"), request.GET.get("hour")
    if day:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            date = None
        if date is not None:
            if hour and hour.isdigit() and 0 <= int(hour) <= 23:
                return rules.local_datetime(date, dt.time(int(hour), 0))
            if variant is not None:
                start = max(rules.day_start(date), timezone.now())
                suggestion = planning_slots.suggest_slot(variant.account, start, _kind(variant))
                if suggestion is not None and suggestion.at.date() == date:
                    return suggestion.at
            return rules.local_datetime(date, dt.time(9, 0))
    if variant is not None:
        suggestion = planning_slots.suggest_slot(variant.account, timezone.now(), _kind(variant))
        if suggestion is not None:
            return suggestion.at
    return None


def _kind(variant: Variant) -> str:
    return SlotKind.PROMOTION if planning.is_promotion(variant.item) else SlotKind.REGULAR


@page_view
def schedule(request: HttpRequest) -> HttpResponse:
    """Put approved content on the calendar: from the calendar's empty slot (``day``, ``hour``,
    ``account``), from an approved item (``item``) or a plan row (``plan_entry``)."""
    user = request.user
    require(user, Action.CONTENT_PUBLISH)
    variants = schedulable_variants(user)
    item = None
    raw_item = request.GET.get("item", "")
    if raw_item.isdigit():
        item = ContentItem.objects.filter(pk=int(raw_item)).first()
        if item is None:
            raise NotFound(_("No such content."))
        require(user, Action.CONTENT_VIEW, item)
        variants = [v for v in variants if v.item_id == item.pk] or variants
    raw_account = request.GET.get("account", "")
    if raw_account.isdigit():
        narrowed = [v for v in variants if v.account_id == int(raw_account)]
        variants = narrowed or variants
    plan_entry = None
    raw_entry = request.GET.get("plan_entry") or request.POST.get("plan_entry") or ""
    if raw_entry.isdigit():
        plan_entry = plan_selectors.get_plan_entry(user=user, entry_id=int(raw_entry))
    posted = request.method == "POST" and request.POST.get("op") == "schedule"
    chosen = None
    raw_variant = request.POST.get("variant") or request.GET.get("variant") or ""
    if raw_variant.isdigit():
        chosen = next((v for v in variants if v.pk == int(raw_variant)), None)
    elif len(variants) == 1:
        chosen = variants[0]
    initial: dict[str, Any] = {"variant": chosen.pk if chosen else ""}
    initial["at"] = _initial_time(request, chosen)
    if plan_entry is not None:
        initial["plan_entry"] = plan_entry.pk
        if plan_entry.planned_time and plan_entry.planned_on >= rules.local_today():
            initial["at"] = rules.local_datetime(plan_entry.planned_on, plan_entry.planned_time)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None, initial=initial, variants=variants
    )
    status = 200
    warnings: list[str] = []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            variant = data["variant"]
            if posted:
                try:
                    result = planning.schedule_publication(
                        actor=user,
                        variant=variant,
                        at=data["at"],
                        delivery=data["delivery"] or None,
                        notes=data["notes"],
                        plan_entry=plan_entry,
                    )
                except PermissionDenied:
                    raise
                except DomainError as exc:
                    form_error(form, exc)
                    status = 409 if isinstance(exc, Conflict) else 400
                else:
                    pub = result.publication
                    messages.success(
                        request,
                        _("“%(t)s” is scheduled on %(a)s at %(at)s.")
                        % {
                            "t": variant.item.title,
                            "a": variant.account.name,
                            "at": f"{rules.to_local(pub.scheduled_at):%Y-%m-%d %H:%M}",
                        },
                    )
                    for warning in result.warnings:
                        messages.warning(request, warning.message)
                    return redirect("web:publication_detail", publication_id=pub.pk)
            else:  # "check": show the warnings of this time without scheduling
                status = 200
                warnings = [
                    w.message
                    for w in slot_warnings(
                        variant.account, data["at"], promotion=planning.is_promotion(variant.item)
                    )
                ]
    elif chosen is not None and initial["at"] is not None:
        warnings = [
            w.message
            for w in slot_warnings(
                chosen.account, initial["at"], promotion=planning.is_promotion(chosen.item)
            )
        ]
    context = {
        "form": form,
        "variants": variants,
        "item": item,
        "plan_entry": plan_entry,
        "warnings": warnings,
        "suggested": chosen is not None and not request.GET.get("day"),
    }
    return render(request, "web/publishing/schedule.html", context, status=status)


# -- the list ----------------------------------------------------------------------------------


@page_view
def publication_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    form = PublicationFilterForm(request.GET or None, accounts=readable_accounts(user))
    filters = form.cleaned_data if form.is_valid() else {}
    start, end = filters.get("start"), filters.get("end")
    items = pub_selectors.publications(
        user=user,
        account=filters.get("account"),
        state=filters.get("state") or None,
        start=rules.day_start(start) if start else None,
        end=rules.day_start(end + dt.timedelta(days=1)) if end else None,
    ).select_related("account")
    page = paginate(request, items)
    rows = [
        {"pub": p, "badge": state_badge(p.state), "local": rules.to_local(p.scheduled_at)}
        for p in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "filtered": any(v not in (None, "") for v in filters.values()),
        "may_schedule": can(user, Action.CONTENT_PUBLISH),
    }
    return render(request, "web/publishing/list.html", context)


# -- one publication ---------------------------------------------------------------------------


def _local_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return rules.to_local(value) if value else None


def _operation_labels() -> dict[str, str]:
    return {
        "create": _("Send to the platform"),
        "result": _("Ask for the result"),
        "reconcile": _("Look it up on the platform"),
        "verify": _("Check after publishing"),
        "withdraw": _("Withdraw"),
        "confirm": _("Recorded by a person"),
        "check": _("Checks before sending"),
    }


OPS = ("move", "cancel", "retry", "resolve", "confirm", "withdraw", "decide", "retry_withdrawal")


def _run(
    request: HttpRequest, op: str, pub: Publication, forms_: dict[str, Any]
) -> HttpResponse | None:
    """Carry out ``op``; a redirect when done, None to show the page with the form's errors."""
    user = request.user
    form = forms_[op]
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if op == "cancel":
            planning.cancel_publication(
                actor=user, publication=pub, version=data["version"], reason=data["reason"]
            )
            messages.success(request, _("The post was taken off the calendar."))
        elif op == "move":
            try:
                result, at = _move(user, pub, form)
            except _NeedsConfirmation as exc:
                form.add_error(None, " ".join(exc.messages))
                form.needs_confirmation = True
                return None
            messages.success(
                request, _("Moved to %(t)s.") % {"t": f"{rules.to_local(at):%Y-%m-%d %H:%M}"}
            )
            for warning in result.warnings:
                messages.warning(request, warning.message)
        elif op == "retry":
            services.retry_publication(
                actor=user, publication=pub, version=data["version"], scheduled_at=data["at"]
            )
            messages.success(request, _("The post will be tried again."))
        elif op == "resolve":
            published = data["outcome"] == "published"
            services.resolve_possibly_published(
                actor=user,
                publication=pub,
                version=data["version"],
                published=published,
                url=data["url"],
                scheduled_at=data["at"],
            )
            messages.success(
                request,
                _("Recorded as published.") if published else _("Scheduled again."),
            )
        elif op == "confirm":
            services.confirm_assisted(
                actor=user, publication=pub, url=data["url"], version=data["version"]
            )
            messages.success(request, _("Recorded as published."))
        elif op == "withdraw":
            services.request_withdrawal(actor=user, publication=pub, reason=data["reason"])
            messages.success(request, _("Withdrawal requested; someone else must approve it."))
        elif op in ("decide", "retry_withdrawal"):
            request_obj = WithdrawalRequest.objects.filter(
                pk=data.get("request") if op == "decide" else request.POST.get("request", "0"),
                publication=pub,
            ).first()
            if request_obj is None:
                raise NotFound(_("No such withdrawal request."))
            if op == "decide":
                approve = data["decision"] == "approve"
                services.decide_withdrawal(
                    actor=user, request=request_obj, approve=approve, comment=data["comment"]
                )
                messages.success(
                    request,
                    _("Withdrawal approved; the post is being taken down.")
                    if approve
                    else _("Withdrawal rejected."),
                )
            else:
                services.retry_withdrawal(actor=user, request=request_obj)
                messages.success(request, _("The withdrawal will be tried again."))
    except DomainError as exc:
        form_error(form, exc)
        form.status = (
            409 if isinstance(exc, Conflict) else 403 if isinstance(exc, PermissionDenied) else 400
        )
        return None
    return redirect("web:publication_detail", publication_id=pub.pk)


@page_view
def publication_detail(request: HttpRequest, publication_id: int) -> HttpResponse:
    user = request.user
    pub = pub_selectors.publication(user=user, pk=publication_id)
    posted = request.method == "POST"
    op = request.POST.get("op", "") if posted else ""
    if posted and op not in OPS:
        op = ""
    version = {"version": pub.version}
    local_at = rules.to_local(pub.scheduled_at)

    def bound(name: str, cls: Any, **kwargs: Any) -> Any:
        return cls(request.POST if op == name else None, **kwargs)

    forms_ = {
        "move": bound("move", MoveForm, initial={**version, "at": local_at}),
        "cancel": bound("cancel", CancelForm, initial=version),
        "retry": bound("retry", RetryForm, initial=version),
        "resolve": bound("resolve", ResolveForm, initial=version),
        "confirm": bound("confirm", ConfirmForm, initial=version),
        "withdraw": bound("withdraw", WithdrawForm),
        "decide": bound("decide", DecideForm),
        "retry_withdrawal": bound("retry_withdrawal", CancelForm, initial=version),
    }
    status = 200
    if op:
        done = _run(request, op, pub, forms_)
        if done is not None:
            return done
        status = getattr(forms_[op], "status", 400)
        pub = pub_selectors.publication(user=user, pk=publication_id)
    may_publish = can(user, Action.CONTENT_PUBLISH, pub.account)
    may_withdraw = can(user, Action.CONTENT_WITHDRAW, pub.account)
    withdrawals = list(
        pub.withdrawals.select_related("requested_by", "decided_by").order_by("-requested_at")
    )
    open_request = next(
        (
            w
            for w in withdrawals
            if w.status in (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED)
        ),
        None,
    )
    failed_request = next((w for w in withdrawals if w.status == WithdrawalStatus.FAILED), None)
    operation_labels = _operation_labels()
    attempts = [
        {
            "attempt": a,
            "started": _local_or_none(a.started_at),
            "operation": operation_labels.get(a.operation, a.operation),
            "finished": _local_or_none(a.finished_at),
            "badge": {
                "ok": "badge-ok",
                "found": "badge-ok",
                "transient": "badge-warn",
                "unknown": "badge-warn",
            }.get(a.outcome, "badge-danger"),
        }
        for a in pub_selectors.attempts(pub)
    ]
    waiting = pub.state in planning.WAITING_STATES
    plan_entry = PlanEntry.objects.filter(publication=pub).first()
    context = {
        "pub": pub,
        "badge": state_badge(pub.state),
        "local_at": local_at,
        "published_at": _local_or_none(pub.published_at),
        "verified_at": _local_or_none(pub.verified_at),
        "withdrawn_at": _local_or_none(pub.withdrawn_at),
        "attempts": attempts,
        "withdrawals": withdrawals,
        "open_request": open_request,
        "failed_request": failed_request,
        "forms": forms_,
        "op": op,
        "plan_entry": plan_entry,
        "can_move": waiting and may_publish,
        "can_retry": pub.state in (S.FAILED, S.MISSED) and may_publish,
        "can_resolve": pub.state == S.POSSIBLY_PUBLISHED and may_publish,
        "can_confirm": pub.state == S.AWAITING_PERSON and may_publish,
        "can_request_withdrawal": pub.state == S.PUBLISHED
        and open_request is None
        and (may_publish or may_withdraw),
        "can_decide": open_request is not None
        and open_request.status == WithdrawalStatus.PENDING
        and may_withdraw
        and open_request.requested_by_id != user.pk,
        "own_request": open_request is not None and open_request.requested_by_id == user.pk,
        "can_retry_withdrawal": failed_request is not None
        and open_request is None
        and pub.state == S.PUBLISHED
        and may_withdraw,
        "calendar_url": f"{reverse('web:calendar')}?day={local_at.date().isoformat()}"
        f"&scope=account-{pub.account_id}",
        "verification": pub.verification or {},
    }
    return render(request, "web/publishing/detail.html", context, status=status)

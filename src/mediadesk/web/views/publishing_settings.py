"""Planning settings (PUB-2, PUB-3): best-time slots as a week grid (the platforms' defaults
from the seeds, an account's own), frequency rules with the platforms' quotas, publishing
pauses (stop everything, resume with a reason; the history) and blackout periods.

Who may change what is decided by the services: an account's slots by whoever publishes on it,
the platform defaults and default rules by group settings managers, an account's own rules by
its managers, pauses and blackouts by crisis managers (HQ, the general manager). Everyone who
reads content reads these pages.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediadesk.accounts.models import MatrixRole, Platform, SocialAccount
from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import DomainError, NotFound, PermissionDenied
from mediadesk.core.scopes import Scope
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.publishing import planning_frequency, planning_pauses, planning_slots
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing import planning_selectors as selectors
from mediadesk.publishing.models import (
    BestTimeSlot,
    FrequencyPeriod,
    FrequencyRule,
    PublishingPause,
    SlotKind,
)
from mediadesk.web.publishing_forms import (
    WEEKDAY_CHOICES,
    BlackoutForm,
    PauseForm,
    ResumeForm,
    RuleForm,
    SlotFormSet,
    account_label,
)
from mediadesk.web.views.common import form_error, page_view
from mediadesk.web.views.content_common import readable_accounts, units_where

SOURCE_LABELS = {
    "account": gettext_lazy("this account's rule"),
    "platform": gettext_lazy("platform default"),
    "matrix_role": gettext_lazy("matrix-role default"),
    "weekly_target": gettext_lazy("the account's weekly target"),
}


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


# -- best times -------------------------------------------------------------------------------


def _slot_platforms() -> list[str]:
    rules.seed_default_planning()
    with_slots = set(
        BestTimeSlot.objects.filter(account__isnull=True).values_list("platform", flat=True)
    )
    return [p for p in Platform.values if p in with_slots] + [
        p for p in Platform.values if p not in with_slots
    ]


def week_grid(slots: list[BestTimeSlot]) -> list[dict[str, Any]]:
    """Hour rows × seven day cells; a cell lists the slots overlapping that hour."""
    first = min([6, *(s.starts.hour for s in slots)])
    rows = []
    for hour in range(first, 24):
        lo = dt.time(hour)
        hi = dt.time(hour + 1) if hour < 23 else dt.time.max
        cells = []
        for day, _label in WEEKDAY_CHOICES:
            covering = [
                s for s in slots if day in (s.weekdays or []) and s.starts < hi and s.ends > lo
            ]
            kinds = {s.kind for s in covering}
            cells.append(
                {
                    "slots": covering,
                    "regular": SlotKind.REGULAR in kinds,
                    "promotion": SlotKind.PROMOTION in kinds,
                    "strong": any(s.weight > 1 for s in covering),
                    "title": "；".join(
                        f"{s.starts:%H:%M}–{s.ends:%H:%M} {s.label or s.get_kind_display()}"
                        for s in covering
                    ),
                }
            )
        rows.append({"hour": hour, "cells": cells})
    return rows


def _slot_initial(slots: list[BestTimeSlot]) -> list[dict[str, Any]]:
    return [
        {
            "weekdays": list(s.weekdays or []),
            "starts": s.starts,
            "ends": s.ends,
            "kind": s.kind,
            "weight": s.weight,
            "label": s.label,
        }
        for s in slots
    ]


@page_view
def best_times(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    accounts = readable_accounts(user)
    platforms = _slot_platforms()
    chosen = request.GET.get("of", "") or f"platform:{platforms[0]}"
    kind, _sep, key = chosen.partition(":")
    account = None
    if kind == "account":
        account = selectors.resolve_scope(
            user=user, account_id=int(key) if key.isdigit() else 0
        ).account
        slots = rules.effective_slots(account)
        own = any(s.account_id for s in slots)
        may_edit = can(user, Action.CONTENT_PUBLISH, account)
        platform = account.platform
    else:
        platform = key if key in Platform.values else platforms[0]
        chosen = f"platform:{platform}"
        slots = list(BestTimeSlot.objects.filter(account__isnull=True, platform=platform))
        own = False
        may_edit = can(user, Action.SETTINGS_MANAGE, Scope())
    op = request.POST.get("op", "") if request.method == "POST" else ""
    formset = SlotFormSet(
        request.POST if op == "save" else None, initial=_slot_initial(slots), prefix="slot"
    )
    status, slot_error = 200, ""
    if op:
        status = 400
        here = f"{reverse('web:publishing_settings')}?of={chosen}"
        try:
            if op == "reset" and account is not None:
                planning_slots.set_account_slots(actor=user, account=account, slots=[])
                messages.success(
                    request, _("%(a)s uses its platform's best times again.") % {"a": account.name}
                )
                return redirect(here)
            if op == "save" and formset.is_valid():
                values = [
                    f.value()
                    for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
                ]
                if account is not None:
                    planning_slots.set_account_slots(actor=user, account=account, slots=values)
                else:
                    planning_slots.set_platform_slots(actor=user, platform=platform, slots=values)
                messages.success(request, _("The best times were saved."))
                return redirect(here)
        except PermissionDenied:
            raise
        except DomainError as exc:
            slot_error = exc.message
    platform_labels = dict(Platform.choices)
    context = {
        "tab": "slots",
        "chosen": chosen,
        "account": account,
        "platform": platform,
        "platform_label": platform_labels.get(platform, platform),
        "platform_options": [(p, platform_labels[p]) for p in platforms],
        "account_options": [(a.pk, account_label(a)) for a in accounts],
        "slots": slots,
        "own": own,
        "grid": week_grid(slots),
        "weekdays": WEEKDAY_CHOICES,
        "formset": formset,
        "slot_error": slot_error,
        "may_edit": may_edit,
        "open_form": op == "save" or bool(slot_error),
    }
    return render(request, "web/publishing/settings_slots.html", context, status=status)


# -- frequency rules --------------------------------------------------------------------------


def _quotas() -> list[dict[str, Any]]:
    found = []
    for platform in (Platform.WECHAT_SUBSCRIPTION, Platform.WECHAT_SERVICE):
        quota = rules.mass_send_quota(SimpleNamespace(platform=platform))
        if quota is not None:
            found.append({"platform": platform.label, "quota": quota})
    return found


def _rule_values(form: RuleForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "period": data["period"],
        "minimum": data["minimum"] or 0,
        "maximum": data.get("maximum"),
        "note": data.get("note", ""),
    }


@page_view
def frequency(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    rules.seed_default_planning()
    accounts = readable_accounts(user)
    account_id = request.GET.get("account", "")
    account = None
    if account_id:
        account = selectors.resolve_scope(
            user=user, account_id=int(account_id) if account_id.isdigit() else 0
        ).account
    manage_defaults = can(user, Action.SETTINGS_MANAGE, Scope())
    manage_account = account is not None and can(user, Action.ACCOUNT_MANAGE, account)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    form = RuleForm(
        request.POST if op == "create" else None,
        initial={"period": FrequencyPeriod.WEEK, "minimum": 0},
    )
    edit_forms: dict[int, RuleForm] = {}
    status = 200
    if op:
        status = 400
        here = reverse("web:publishing_frequency") + (f"?account={account.pk}" if account else "")
        try:
            if op == "create" and form.is_valid():
                target = request.POST.get("target", "")
                planning_frequency.create_frequency_rule(
                    actor=user,
                    account=account if target == "account" else None,
                    platform="" if target == "account" else form.cleaned_data["platform"],
                    matrix_role="" if target == "account" else form.cleaned_data["matrix_role"],
                    **_rule_values(form),
                )
                messages.success(request, _("The rule was added."))
                return redirect(here)
            if op in ("update", "delete"):
                rule = FrequencyRule.objects.filter(pk=_posted_id(request, "rule")).first()
                if rule is None:
                    raise NotFound(_("This rule does not exist."))
                if op == "delete":
                    planning_frequency.delete_frequency_rule(actor=user, rule=rule)
                    messages.success(request, _("The rule was removed."))
                    return redirect(here)
                edit = RuleForm(request.POST, prefix=f"r{rule.pk}")
                edit_forms[rule.pk] = edit
                if edit.is_valid():
                    try:
                        planning_frequency.update_frequency_rule(
                            actor=user, rule=rule, **_rule_values(edit)
                        )
                    except DomainError as exc:
                        if isinstance(exc, PermissionDenied):
                            raise
                        form_error(edit, exc)
                    else:
                        messages.success(request, _("The rule was saved."))
                        return redirect(here)
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            form_error(form, exc)

    def row(rule: FrequencyRule, editable: bool) -> dict[str, Any]:
        return {
            "rule": rule,
            "editable": editable,
            "form": edit_forms.get(rule.pk)
            or RuleForm(
                prefix=f"r{rule.pk}",
                initial={
                    "period": rule.period,
                    "minimum": rule.minimum,
                    "maximum": rule.maximum,
                    "note": rule.note,
                },
            ),
        }

    platform_labels = dict(Platform.choices)
    role_labels = dict(MatrixRole.choices)
    defaults = [
        {
            **row(r, manage_defaults),
            "what": " · ".join(
                str(x)
                for x in (platform_labels.get(r.platform, ""), role_labels.get(r.matrix_role, ""))
                if x
            ),
        }
        for r in FrequencyRule.objects.filter(account__isnull=True).order_by(
            "platform", "matrix_role", "period", "pk"
        )
    ]
    visible = [a.pk for a in accounts]
    with_own = (
        SocialAccount.objects.filter(pk__in=visible, frequency_rules__isnull=False)
        .distinct()
        .order_by("owning_unit__path", "platform", "name")
    )
    context = {
        "tab": "frequency",
        "account": account,
        "account_options": [(a.pk, account_label(a)) for a in accounts],
        "defaults": defaults,
        "own_rules": [row(r, manage_account) for r in account.frequency_rules.all()]
        if account
        else [],
        "effective": [
            {
                "rule": r,
                "source": SOURCE_LABELS.get(r.source, r.source),
                "period": dict(FrequencyPeriod.choices).get(r.period, r.period),
            }
            for r in rules.rules_for(account)
        ]
        if account
        else [],
        "quota": rules.mass_send_quota(account) if account else None,
        "quotas": _quotas(),
        "with_own": with_own,
        "form": form,
        "manage_defaults": manage_defaults,
        "manage_account": manage_account,
        "open_form": op == "create",
    }
    return render(request, "web/publishing/settings_frequency.html", context, status=status)


# -- pauses ------------------------------------------------------------------------------------


def _crisis_units(user: Any) -> list[OrgUnit]:
    return units_where(user, lambda u, unit: can(u, Action.RISK_MANAGE, unit))


def _end_reasons(pauses: list[PublishingPause]) -> dict[str, str]:
    ended = [str(p.pk) for p in pauses if p.ended_at]
    entries = AuditEntry.objects.filter(
        action="publishing.pause.end", object_id__in=ended
    ).values_list("object_id", "after")
    return {oid: (after or {}).get("reason", "") for oid, after in entries}


@page_view
def pauses(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    units = _crisis_units(user)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    form = PauseForm(
        request.POST if op == "pause" else None,
        units=units,
        initial={"unit": units[0].pk if units else ""},
    )
    resume_forms: dict[int, ResumeForm] = {}
    status = 200
    if op:
        status = 400
        try:
            if op == "pause" and form.is_valid():
                pause = planning_pauses.pause_publishing(actor=user, **form.cleaned_data)
                messages.warning(
                    request,
                    _("Publishing is paused for %(u)s. Posts falling due wait until you resume.")
                    % {"u": pause.unit.name},
                )
                return redirect("web:publishing_pauses")
            if op == "resume":
                pause = (
                    selectors.visible_pauses(user)
                    .filter(pk=_posted_id(request, "pause"), ended_at__isnull=True)
                    .first()
                )
                if pause is None:
                    raise NotFound(_("This pause does not exist or has ended."))
                resume = ResumeForm(request.POST, prefix=f"p{pause.pk}")
                resume_forms[pause.pk] = resume
                if resume.is_valid():
                    try:
                        result = planning_pauses.resume_publishing(
                            actor=user, pause=pause, reason=resume.cleaned_data["reason"]
                        )
                    except DomainError as exc:
                        if isinstance(exc, PermissionDenied):
                            raise
                        form_error(resume, exc)
                    else:
                        messages.success(
                            request,
                            _("Publishing resumed for %(u)s; %(n)d held post(s) go out now.")
                            % {"u": pause.unit.name, "n": len(result.publications)},
                        )
                        return redirect("web:publishing_pauses")
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            form_error(form, exc)
    history = list(selectors.visible_pauses(user)[:100])
    reasons = _end_reasons(history)
    open_pauses = [
        {
            "pause": p,
            "may_resume": can(user, Action.RISK_MANAGE, p.unit),
            "form": resume_forms.get(p.pk) or ResumeForm(prefix=f"p{p.pk}"),
        }
        for p in history
        if p.ended_at is None
    ]
    context = {
        "tab": "pauses",
        "form": form,
        "may_pause": bool(units),
        "open_pauses": open_pauses,
        "history": [
            {"pause": p, "end_reason": reasons.get(str(p.pk), "")}
            for p in history
            if p.ended_at is not None
        ],
        "open_form": op == "pause",
    }
    return render(request, "web/publishing/settings_pauses.html", context, status=status)


# -- blackouts ---------------------------------------------------------------------------------


@page_view
def blackouts(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.CONTENT_VIEW)
    units = _crisis_units(user)
    op = request.POST.get("op", "") if request.method == "POST" else ""
    today = rules.local_today()
    form = BlackoutForm(
        request.POST if op == "add" else None,
        units=units,
        initial={
            "unit": units[0].pk if units else "",
            "starts_at": dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min),
            "ends_at": dt.datetime.combine(today + dt.timedelta(days=2), dt.time.min),
        },
    )
    status = 200
    if op:
        status = 400
        try:
            if op == "add" and form.is_valid():
                blackout = planning_pauses.create_blackout(actor=user, **form.cleaned_data)
                messages.success(
                    request, _("The blackout “%(r)s” was added.") % {"r": blackout.reason}
                )
                return redirect("web:publishing_blackouts")
            if op == "remove":
                blackout = (
                    selectors.visible_blackouts(user)
                    .filter(pk=_posted_id(request, "blackout"))
                    .first()
                )
                if blackout is None:
                    raise NotFound(_("This blackout does not exist."))
                result = planning_pauses.delete_blackout(actor=user, blackout=blackout)
                messages.success(
                    request,
                    _("The blackout “%(r)s” was removed; %(n)d held post(s) go out now.")
                    % {"r": blackout.reason, "n": len(result.publications)},
                )
                return redirect("web:publishing_blackouts")
        except (PermissionDenied, NotFound):
            raise
        except DomainError as exc:
            form_error(form, exc)
    now = timezone.now()
    visible = selectors.visible_blackouts(user)
    context = {
        "tab": "blackouts",
        "form": form,
        "may_add": bool(units),
        "current": [
            {
                "blackout": b,
                "active": b.starts_at <= now,
                "may_remove": can(user, Action.RISK_MANAGE, b.unit),
            }
            for b in visible.filter(ends_at__gt=now)
        ],
        "past": list(visible.filter(ends_at__lte=now).order_by("-starts_at")[:20]),
        "open_form": op == "add",
    }
    return render(request, "web/publishing/settings_blackouts.html", context, status=status)

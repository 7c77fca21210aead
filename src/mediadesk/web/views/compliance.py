"""Compliance: check a piece of copy (highlighted in place) and each unit's lexicon additions.

The highlighted text is built from segments sliced out of the text as written, by the
findings' ``start``/``end`` (Python string offsets, so slicing is exact); the template escapes
every segment. Nothing the author wrote is ever marked safe.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mediadesk.compliance import services
from mediadesk.compliance.engine import Finding
from mediadesk.compliance.lexicon import Category, Lexicon
from mediadesk.compliance.models import EntryKind, LexiconEntry
from mediadesk.core.errors import DomainError, NotFound, PermissionDenied
from mediadesk.orgs import selectors
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, can, require
from mediadesk.web.compliance_forms import (
    SEVERITY_CHOICES,
    AllowForm,
    CheckForm,
    LexiconUnitForm,
    TermForm,
)
from mediadesk.web.views.common import form_error, page_view, unit_trails

SEVERITY_LABELS = dict(SEVERITY_CHOICES)


# -- labels -------------------------------------------------------------------------------


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def category_label(categories: Mapping[str, Category], category_id: str) -> str:
    """The Chinese label of a category: the lexicon's own (the built-in labels are Chinese);
    a unit's own category, which has no label but its id, shows the id."""
    category = categories.get(category_id)
    if category is not None and _has_cjk(category.label):
        return category.label
    return category_id


# -- highlighting -------------------------------------------------------------------------


def segments(text: str, marks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``text`` cut into plain and marked pieces, in order; the pieces join back to ``text``.

    ``marks`` carry ``start`` and ``end`` (offsets into ``text``). The engine never returns
    overlapping findings; should two overlap anyway, the later one is cut to start where the
    earlier one ends (and dropped when nothing is left), so no character is shown twice.
    """
    pieces: list[dict[str, Any]] = []
    cursor = 0
    size = len(text)
    for mark in sorted(marks, key=lambda m: (m["start"], -m["end"])):
        start = min(max(mark["start"], cursor), size)
        end = min(mark["end"], size)
        if end <= start:
            continue
        if start > cursor:
            pieces.append({"text": text[cursor:start], "mark": None})
        pieces.append({"text": text[start:end], "mark": mark})
        cursor = end
    if cursor < size:
        pieces.append({"text": text[cursor:], "mark": None})
    return pieces


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def check_result(
    text: str, findings: Iterable[Finding], lexicon: Lexicon, unit: OrgUnit | None
) -> dict[str, Any]:
    """What the check page shows for ``findings`` in ``text``."""
    categories = lexicon.categories
    starts = _line_starts(text)
    rows = []
    for number, finding in enumerate(sorted(findings, key=lambda f: (f.start, f.end)), 1):
        line, column = _position(starts, finding.start)
        label = category_label(categories, finding.category)
        severity_label = SEVERITY_LABELS.get(finding.severity, finding.severity)
        tip = f"{label} · {severity_label}"
        if finding.suggestion:
            tip += " · " + _("Suggestion: %(s)s") % {"s": finding.suggestion}
        rows.append(
            {
                "n": number,
                "start": finding.start,
                "end": finding.end,
                "term": finding.term,
                "category": finding.category,
                "label": label,
                "severity": finding.severity,
                "severity_label": severity_label,
                "suggestion": finding.suggestion,
                "line": line,
                "column": column,
                "tip": tip,
            }
        )
    counts = Counter(row["severity"] for row in rows)
    return {
        "segments": segments(text, rows),
        "findings": rows,
        "blocks": counts["block"],
        "warns": counts["warn"],
        "infos": counts["info"],
        "notices": counts["warn"] + counts["info"],
        "version": lexicon.version,
        "unit": unit,
    }


# -- pages --------------------------------------------------------------------------------


def _visible_units(user: Any) -> list[OrgUnit]:
    """Units whose lexicon this person may choose: those they may see, in tree order."""
    if not can(user, Action.ORG_VIEW):
        return []
    return selectors.unit_tree(user=user)


@page_view
def compliance_check(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _visible_units(user)
    own = user.org_unit_id if any(u.pk == user.org_unit_id for u in units) else ""
    result = None
    status = 200
    if request.method == "POST":
        form = CheckForm(request.POST, units=units)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            text = form.cleaned_data["text"]
            try:
                findings = services.check(text, unit=unit)
            except DomainError as exc:
                form_error(form, exc)
            else:
                result = check_result(text, findings, services.effective_lexicon(unit), unit)
        if result is None:
            status = 400
    else:
        form = CheckForm(units=units, initial={"unit": own})
    context = {"form": form, "result": result}
    if request.headers.get("HX-Request") == "true":
        # htmx swaps only the form and its result; it ignores 4xx answers, so errors are 200.
        return render(request, "web/compliance/_check.html", context)
    return render(request, "web/compliance/check.html", context, status=status)


def _lexicon_url(unit: OrgUnit | None) -> str:
    url = reverse("web:compliance_lexicon")
    return f"{url}?unit={unit.pk}" if unit is not None else url


def _chosen_unit(request: HttpRequest, units: list[OrgUnit]) -> OrgUnit | None:
    raw = request.GET.get("unit", "")
    if raw.isdigit():
        return selectors.get_unit(user=request.user, unit_id=int(raw))
    if raw:
        raise NotFound(_("There is no such unit."))
    own = next((u for u in units if u.pk == request.user.org_unit_id), None)
    return own or (units[0] if units else None)


def _category_rows(builtin: Lexicon) -> list[dict[str, Any]]:
    counts = Counter(spec.category for spec in builtin.terms)
    categories = builtin.categories
    return [
        {
            "id": category.id,
            "label": category_label(categories, category.id),
            "basis": category.basis,
            "terms": counts.get(category.id, 0),
            "detector": bool(category.detector),
        }
        for category in categories.values()
    ]


@page_view
def compliance_lexicon(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _visible_units(user)
    unit = _chosen_unit(request, units)
    builtin = Lexicon.builtin()
    context: dict[str, Any] = {
        "categories": _category_rows(builtin),
        "builtin": builtin,
        "unit_form": LexiconUnitForm(units=units, initial={"unit": unit.pk if unit else ""}),
        "unit": unit,
    }
    status = 200
    if unit is not None:
        lexicon = services.effective_lexicon(unit)
        categories = lexicon.categories
        choices = [
            (c.id, f"{category_label(categories, c.id)}（{c.id}）")
            for c in categories.values()
            if not c.detector
        ]
        op = request.POST.get("op") if request.method == "POST" else None
        if op is not None:  # refused before the input is read; the service checks again
            require(user, Action.COMPLIANCE_MANAGE, unit)
        term_form = TermForm(request.POST if op == "term" else None, categories=choices)
        allow_form = AllowForm(request.POST if op == "allow" else None)
        form = {"term": term_form, "allow": allow_form}.get(op or "")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:  # the service checks the permission and the entry
                entry = services.add_entry(
                    actor=user,
                    unit=unit,
                    kind=EntryKind.TERM if op == "term" else EntryKind.ALLOW,
                    text=data["text"],
                    category=data.get("category", ""),
                    severity=data.get("severity", ""),
                    suggestion=data.get("suggestion", ""),
                    note=data.get("note", ""),
                )
            except PermissionDenied:
                raise  # the 403 page
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(text)s was added to the lexicon of %(unit)s.")
                    % {"text": entry.text, "unit": unit.name},
                )
                return redirect(_lexicon_url(unit))
        if op is not None:
            status = 400
        entries = list(
            LexiconEntry.objects.filter(
                org_unit_id__in=unit.ancestor_ids(), removed_at__isnull=True
            )
            .select_related("org_unit")
            .order_by("org_unit__path", "kind", "text")
        )
        can_manage = can(user, Action.COMPLIANCE_MANAGE, unit)
        rows = [
            {
                "entry": entry,
                "own": entry.org_unit_id == unit.pk,
                "label": category_label(categories, entry.category) if entry.category else "",
                "severity_label": SEVERITY_LABELS.get(entry.severity, entry.severity),
                "can_remove": entry.org_unit_id == unit.pk and can_manage,
            }
            for entry in entries
        ]
        context.update(
            {
                "trail": unit_trails([unit]).get(unit.pk, unit.name),
                "version": lexicon.version,
                "terms": [r for r in rows if r["entry"].kind == EntryKind.TERM],
                "allowed": [r for r in rows if r["entry"].kind == EntryKind.ALLOW],
                "can_manage": can_manage,
                "term_form": term_form,
                "allow_form": allow_form,
            }
        )
    return render(request, "web/compliance/lexicon.html", context, status=status)


@require_POST
@page_view
def compliance_entry_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = LexiconEntry.objects.select_related("org_unit").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("This lexicon entry does not exist."))
    try:  # the service checks the permission (a refusal becomes the 403 page)
        services.remove_entry(actor=request.user, entry=entry)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(text)s was removed from the lexicon of %(unit)s.")
            % {"text": entry.text, "unit": entry.org_unit.name},
        )
    return redirect(_lexicon_url(entry.org_unit))

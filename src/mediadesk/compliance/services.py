"""The compliance check as the product uses it: one function for submit, publish and comments.

``check`` runs the engine with the lexicon in force for a unit — the built-in lexicon plus the
additions of the unit and every unit above it. The compiled automaton is built once per lexicon
version and shared; which version is in force is looked up at most every few seconds per unit.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.audit.services import record_event
from mediadesk.compliance.engine import Finding, check_text
from mediadesk.compliance.lexicon import Lexicon, LexiconError
from mediadesk.compliance.models import EntryKind, LexiconEntry, Severity
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, require

MAX_TEXT_LENGTH = 200_000  # a long WeChat article is ~20k characters
CACHE_SECONDS = 5.0

_cache: dict[int, tuple[float, Lexicon]] = {}
_cache_lock = threading.Lock()


def _forget_cached_lexicons() -> None:
    with _cache_lock:
        _cache.clear()


def effective_lexicon(unit: OrgUnit | None) -> Lexicon:
    """The built-in lexicon with the additions of ``unit`` and all units above it."""
    if unit is None:
        return Lexicon.builtin()
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(unit.pk)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    entries = list(
        LexiconEntry.objects.filter(org_unit_id__in=unit.ancestor_ids(), removed_at__isnull=True)
        .select_related("org_unit")
        .order_by("org_unit__path", "pk")
    )
    terms = [
        {
            "term": e.text,
            "category": e.category,
            "severity": e.severity or Severity.BLOCK,
            "suggestion": e.suggestion or None,
        }
        for e in entries
        if e.kind == EntryKind.TERM
    ]
    allow = [
        {"phrase": e.text, "reason": e.note, "source": e.org_unit.name}
        for e in entries
        if e.kind == EntryKind.ALLOW
    ]
    lexicon = Lexicon.builtin().with_additions(terms=terms, allow=allow, source=unit.name)
    with _cache_lock:
        _cache[unit.pk] = (now, lexicon)
    return lexicon


def check(text: str, *, unit: OrgUnit | None = None) -> list[Finding]:
    """Every finding in ``text`` under the lexicon in force for ``unit``."""
    if not isinstance(text, str):
        raise ValidationFailed(_("The text must be a string."), fields={"text": _("not text")})
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationFailed(
            _("The text is longer than %(n)d characters; use mediadesk check for files.")
            % {"n": MAX_TEXT_LENGTH},
            fields={"text": _("too long")},
        )
    return check_text(text, effective_lexicon(unit))


@transaction.atomic
def add_entry(
    *,
    actor: Any,
    unit: OrgUnit,
    kind: str,
    text: str,
    category: str = "",
    severity: str = "",
    suggestion: str = "",
    note: str = "",
) -> LexiconEntry:
    """Add a term or an allowed phrase for ``unit`` and the units below it (audited)."""
    require(actor, Action.COMPLIANCE_MANAGE, unit)
    text = (text or "").strip()
    if not text or len(text) > 100:
        raise ValidationFailed(
            _("The text must be 1–100 characters."), fields={"text": _("invalid")}
        )
    if kind not in EntryKind.values:
        raise ValidationFailed(_("Choose term or allow."), fields={"kind": _("invalid")})
    if kind == EntryKind.TERM:
        severity = severity or Severity.BLOCK
        if severity not in Severity.values:
            raise ValidationFailed(
                _("Severity is block, warn or info."), fields={"severity": _("invalid")}
            )
        if not category:
            raise ValidationFailed(
                _("A term needs a category."), fields={"category": _("required")}
            )
    entry = LexiconEntry(
        org_unit=unit,
        kind=kind,
        text=text,
        category=(category or "").strip(),
        severity=severity if kind == EntryKind.TERM else "",
        suggestion=(suggestion or "").strip(),
        note=(note or "").strip()[:300],
        created_by=actor,
    )
    try:  # the engine validates the entry (snake_case category, a term it can fold) before saving
        Lexicon.builtin().with_additions(
            terms=[
                {
                    "term": text,
                    "category": entry.category,
                    "severity": entry.severity,
                    "suggestion": entry.suggestion or None,
                }
            ]
            if kind == EntryKind.TERM
            else [],
            allow=[text] if kind == EntryKind.ALLOW else [],
        )
    except LexiconError as exc:
        raise ValidationFailed(str(exc), fields={"text": _("invalid")}) from exc
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(t)s is already on %(u)s's list.") % {"t": text, "u": unit.name}
        ) from exc
    record_event(
        action="compliance.entry.add",
        actor=actor,
        obj=entry,
        after={
            "kind": kind,
            "text": text,
            "category": entry.category,
            "severity": entry.severity,
            "suggestion": entry.suggestion,
        },
    )
    _forget_cached_lexicons()  # this process sees the change at once, others within seconds
    transaction.on_commit(_forget_cached_lexicons)
    return entry


@transaction.atomic
def remove_entry(*, actor: Any, entry: LexiconEntry) -> LexiconEntry:
    entry = (
        LexiconEntry.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=entry.pk)
    )
    require(actor, Action.COMPLIANCE_MANAGE, entry)
    if entry.removed_at is not None:
        raise Conflict(_("This entry was already removed."))
    entry.removed_at, entry.removed_by = timezone.now(), actor
    entry.save(update_fields=["removed_at", "removed_by"])
    record_event(
        action="compliance.entry.remove",
        actor=actor,
        obj=entry,
        before={"kind": entry.kind, "text": entry.text, "active": True},
        after={"active": False},
    )
    _forget_cached_lexicons()
    transaction.on_commit(_forget_cached_lexicons)
    return entry

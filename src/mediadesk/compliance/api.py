"""API for the compliance check (CMP-6) and each unit's lexicon additions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from mediadesk.compliance import services
from mediadesk.compliance.lexicon import Lexicon
from mediadesk.compliance.models import EntryKind, LexiconEntry, Severity
from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, require

router = Router(tags=["compliance"])


class CheckIn(Schema):
    text: str = Field(max_length=services.MAX_TEXT_LENGTH)
    unit_id: int | None = None


class FindingOut(Schema):
    start: int = Field(description="Python string offset into the submitted text")
    end: int
    term: str = Field(description="the text as written")
    category: str
    severity: str
    suggestion: str | None


class CheckOut(Schema):
    findings: list[FindingOut]
    blocks: bool
    lexicon_version: str


class CategoryOut(Schema):
    id: str
    label: str


class EntryIn(Schema):
    kind: EntryKind
    text: str = Field(min_length=1, max_length=100)
    category: str = ""
    severity: Severity | None = None
    suggestion: str = ""
    note: str = ""


class EntryOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    text: str
    category: str
    severity: str
    suggestion: str
    note: str
    created_by_id: int
    created_at: dt.datetime
    inherited: bool = False


def _unit(unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationFailed(f"unit {unit_id} does not exist", fields={"unit_id": "no such unit"})
    return unit


@router.post("/compliance/check", response=CheckOut)
def check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    """Advertising Law terms, sensitive content, personal data and special industries."""
    unit = _unit(payload.unit_id)
    findings = services.check(payload.text, unit=unit)
    return {
        "findings": [f.as_dict() for f in findings],
        "blocks": any(f.blocks for f in findings),
        "lexicon_version": services.effective_lexicon(unit).version,
    }


@router.get("/compliance/categories", response=list[CategoryOut])
def categories(request: HttpRequest) -> list[dict[str, str]]:
    return [{"id": c.id, "label": c.label} for c in Lexicon.builtin().categories.values()]


@router.get("/compliance/units/{unit_id}/entries", response=list[EntryOut])
def list_entries(request: HttpRequest, unit_id: int) -> list[dict[str, Any]]:
    """The unit's own additions and those it inherits from the units above it."""
    unit = _unit(unit_id)
    require(request.auth, Action.ORG_VIEW, unit)
    entries = LexiconEntry.objects.filter(
        org_unit_id__in=unit.ancestor_ids(), removed_at__isnull=True
    ).order_by("org_unit__path", "kind", "text")
    return [
        {
            **{f: getattr(e, f) for f in EntryOut.model_fields if f != "inherited"},
            "inherited": e.org_unit_id != unit.pk,
        }
        for e in entries
    ]


@router.post("/compliance/units/{unit_id}/entries", response={201: EntryOut})
def add_entry(request: HttpRequest, unit_id: int, payload: EntryIn) -> Status:
    entry = services.add_entry(
        actor=request.auth, unit=_unit(unit_id), **payload.dict(exclude_none=True)
    )
    return Status(201, entry)


@router.delete("/compliance/entries/{entry_id}", response=EntryOut)
def remove_entry(request: HttpRequest, entry_id: int) -> LexiconEntry:
    entry = LexiconEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"lexicon entry {entry_id} does not exist")
    return services.remove_entry(actor=request.auth, entry=entry)

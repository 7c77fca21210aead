"""Employees' personal accounts must not pass for the company's (ACC-5).

Nicknames and group names are folded with the compliance engine's table before matching —
traditional → simplified (OpenCC), full-width → half-width, case, and everything that is not
a letter or a digit removed — so "示 例·集 團", "ＳＬＪＴ" and "s-l-j-t" all match.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from mediadesk.compliance.fold import fold as fold_for_matching
from mediadesk.core.errors import ValidationFailed

EMPLOYEE_HEADERS = {"员工", "员工姓名", "姓名", "employee", "name"}
NICKNAME_HEADERS = {"昵称", "个人昵称", "nickname"}
GROUP_HEADERS = {"群名称", "群名", "group", "group name", "group_name"}
MAX_ROWS = 50_000


def fold(text: str) -> str:
    """The compliance engine's evasion folding, minus the punctuation it keeps: in a nickname
    a comma or an ``@`` between characters is a disguise, not a sentence break."""
    return "".join(ch for ch in fold_for_matching(text or "") if ch.isalnum())


@dataclass(frozen=True)
class PersonalHit:
    row: int
    employee: str
    field: str
    value: str
    matched: str


def _read(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:
            raise ValidationFailed(
                _("This is not an Excel (.xlsx) file."), fields={"file": _("unreadable")}
            ) from exc
        return [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")  # what Excel in China saves as "CSV"
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                _("The CSV file is neither UTF-8 nor GB18030."), fields={"file": _("encoding")}
            ) from exc
    return list(csv.reader(io.StringIO(text)))


def check_personal_accounts(
    *, content: bytes, filename: str, names: dict[str, list[str]]
) -> list[PersonalHit]:
    """Rows whose nickname or group name uses a company name, short name or English name."""
    rows = _read(content, filename)
    if not rows:
        raise ValidationFailed(_("The file is empty."), fields={"file": _("empty")})
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            _("At most %(n)d rows at a time.") % {"n": MAX_ROWS},
            fields={"file": _("too many rows")},
        )
    headers = [h.strip().lower() for h in rows[0]]

    def column(options: set[str]) -> int | None:
        return next((i for i, h in enumerate(headers) if h in {o.lower() for o in options}), None)

    employee_col, nickname_col, group_col = (
        column(EMPLOYEE_HEADERS),
        column(NICKNAME_HEADERS),
        column(GROUP_HEADERS),
    )
    if nickname_col is None and group_col is None:
        raise ValidationFailed(
            _("The file needs a 昵称 (nickname) or 群名称 (group name) column."),
            fields={"file": _("missing columns")},
        )
    terms = [(fold(n), n) for group in names.values() for n in group if fold(n)]
    if not terms:
        raise ValidationFailed(_("Set the company's names first."), fields={"names": _("empty")})
    hits = []
    for number, row in enumerate(rows[1:], start=2):
        employee = (
            row[employee_col].strip()
            if employee_col is not None and employee_col < len(row)
            else ""
        )
        for field, col in (("nickname", nickname_col), ("group_name", group_col)):
            if col is None or col >= len(row) or not row[col].strip():
                continue
            folded = fold(row[col])
            match = next((original for key, original in terms if key in folded), None)
            if match:
                hits.append(PersonalHit(number, employee, field, row[col].strip(), match))
    return hits


def check_upload(*, actor: Any, content: bytes, filename: str) -> list[PersonalHit]:
    """Check an uploaded list against the group's company names; the check is audited."""
    from mediadesk.accounts.models import CompanyNames
    from mediadesk.audit.services import record_event
    from mediadesk.orgs.permissions import Action, require

    require(actor, Action.ACCOUNT_MANAGE)
    names = CompanyNames.objects.first()
    hits = check_personal_accounts(
        content=content,
        filename=filename,
        names={"full": names.full_names, "short": names.short_names, "english": names.english_names}
        if names
        else {},
    )
    record_event(
        action="accounts.personal_check",
        actor=actor,
        object_type="accounts.companynames",
        after={"file": filename, "hits": len(hits)},
    )
    return hits

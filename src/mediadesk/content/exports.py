"""The review flow table (模板2, REV-4) as an Excel workbook, with the seed's exact headers."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone

from mediadesk.audit.services import record_event
from mediadesk.content.selectors import REVIEW_FLOW_HEADERS, ReviewFlowRow, review_flow_rows
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, require

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "内容审核流程表"
_WIDTHS = (30, 12, 16, 30, 16, 30, 16, 30, 14, 18)


def review_flow_workbook(rows: list[ReviewFlowRow]) -> bytes:
    """``rows`` under the headers of 模板2; dates as dates, completion times in local time."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(REVIEW_FLOW_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = row.cells()
        completed = cells[-1]
        if isinstance(completed, dt.datetime):
            cells[-1] = timezone.localtime(completed).replace(tzinfo=None, microsecond=0)
        sheet.append(cells)
        line = sheet.max_row
        sheet.cell(line, 2).number_format = "yyyy-mm-dd"
        sheet.cell(line, 10).number_format = "yyyy-mm-dd hh:mm"
        for column in (4, 6, 8):
            sheet.cell(line, column).alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_review_flow(*, actor: Any, unit: OrgUnit | None = None) -> tuple[bytes, str]:
    """The review flow rows ``actor`` may see (of ``unit`` and below, when given) as a workbook
    and its file name; the export is audited."""
    require(actor, Action.CONTENT_VIEW, unit)
    rows = review_flow_rows(user=actor, unit=unit)
    content = review_flow_workbook(rows)
    record_event(
        action="content.review_flow.export",
        actor=actor,
        object_type="content.workflowstate",
        object_repr=SHEET_TITLE,
        scope_path=unit.path if unit is not None else None,
        after={"rows": len(rows), "unit": unit.pk if unit is not None else None},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return content, f"review-flow-{stamp}.xlsx"

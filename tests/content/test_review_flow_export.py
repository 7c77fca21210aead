"""模板2 as an Excel file (REV-4)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from mediadesk.audit.models import AuditEntry
from mediadesk.content import exports, selectors, services
from mediadesk.core.errors import PermissionDenied
from tests import factories as f
from tests.content.world import act, make_item, through_all, variants

pytestmark = pytest.mark.django_db


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_the_workbook_has_exactly_the_seeds_headers(team):
    content, filename = exports.export_review_flow(actor=team.l1)
    sheet = sheet_of(content)
    assert [c.value for c in sheet[1]] == list(selectors.REVIEW_FLOW_HEADERS)
    assert sheet.title == "内容审核流程表" and filename.endswith(".xlsx")


def test_each_round_is_a_row_with_dates_as_dates(team):
    item = make_item(team)
    with time_machine.travel(dt.datetime(2026, 10, 18, 2, 0, tzinfo=dt.UTC), tick=False):
        first = services.submit_for_review(actor=team.author, item=item)
        act(first, team.l1, "request_changes", "需补充竞品对比数据")
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "补充了对比。")
    )
    with time_machine.travel(dt.datetime(2026, 10, 19, 1, 30, tzinfo=dt.UTC), tick=False):
        through_all(services.submit_for_review(actor=team.author, item=item), team)

    sheet = sheet_of(exports.export_review_flow(actor=team.l1)[0])
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    latest, earlier = rows
    assert latest[0] == "新品上市推文"
    assert latest[1] == dt.datetime(2026, 10, 19)  # Excel keeps dates as date-times
    assert latest[2::2][:3] == ("planner", "manager", "legal")
    assert latest[8] == "Approved after changes"
    assert latest[9] == dt.datetime(2026, 10, 19, 9, 30)  # Asia/Shanghai, no time zone
    assert earlier[3] == "需补充竞品对比数据" and earlier[8] == "Changes requested"
    assert sheet.cell(2, 2).number_format == "yyyy-mm-dd"
    assert sheet.cell(2, 10).number_format == "yyyy-mm-dd hh:mm"


def test_the_export_is_audited_with_its_row_count(team):
    services.submit_for_review(actor=team.author, item=make_item(team))
    exports.export_review_flow(actor=team.l1, unit=team.unit)
    entry = AuditEntry.objects.get(action="content.review_flow.export")
    assert entry.after == {"rows": 1, "unit": team.unit.pk} and entry.actor_id == team.l1.pk


def test_the_export_holds_only_what_the_reader_may_see(team):
    services.submit_for_review(actor=team.author, item=make_item(team))
    outsider = f.person(f.unit(), "reviewer_l1")
    sheet = sheet_of(exports.export_review_flow(actor=outsider)[0])
    assert sheet.max_row == 1
    with pytest.raises(PermissionDenied):
        exports.export_review_flow(actor=outsider, unit=team.unit)

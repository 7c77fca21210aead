"""The audit log page: search, integrity badge, export."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from mediadesk.audit.models import AuditEntry
from mediadesk.orgs import services
from tests import factories as f
from tests.web.conftest import client_for, results

pytestmark = pytest.mark.django_db


def test_audit_log_lists_entries_in_beijing_time(hq_client, dept):
    services.update_unit(actor=f.superuser(), unit=dept, name="品牌部")
    entry = AuditEntry.objects.filter(action="orgs.unit.update").get()
    response = hq_client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    local = timezone.localtime(entry.at, dt.timezone(dt.timedelta(hours=8)))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in html
    assert "单位已修改" in html
    assert "<del>市场部</del>" in html and "<ins>品牌部</ins>" in html
    assert "链校验中" in html  # the integrity badge loads after the page


def test_audit_filters(hq_client, dept, operator):
    services.update_unit(actor=f.superuser(), unit=dept, name="品牌部")
    html = results(hq_client.get("/audit/", {"action": "orgs.role"}))
    assert "orgs.role.grant" in html
    assert "orgs.unit.update" not in html

    html = results(hq_client.get("/audit/", {"object_type": "orgs.orgunit", "object_id": dept.pk}))
    assert "orgs.unit.update" in html and "orgs.role.grant" not in html

    html = results(hq_client.get("/audit/", {"actor": "root"}))
    assert "orgs.unit.update" in html
    html = hq_client.get("/audit/", {"actor": "no-such-user"}).content.decode()
    assert "没有这个用户名的人员" in html

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    html = results(hq_client.get("/audit/", {"since": tomorrow}))
    assert "没有符合条件的记录" in html
    today = timezone.localdate().isoformat()
    html = results(hq_client.get("/audit/", {"since": today, "until": today}))
    assert "orgs.unit.update" in html


def test_audit_log_needs_permission(operator_client):
    assert operator_client.get("/audit/").status_code == 403
    assert operator_client.get("/audit/verify/").status_code == 403
    assert operator_client.post("/audit/export/", {"format": "csv"}).status_code == 403


def test_integrity_badge(hq_client, dept):
    response = hq_client.get("/audit/verify/")
    assert response.status_code == 200
    assert "链完整" in response.content.decode()


def test_export_csv_and_excel(hq_client, dept):
    assert hq_client.get("/audit/export/?format=csv").status_code == 405
    response = hq_client.post("/audit/export/", {"format": "csv", "action": "orgs.unit"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,时间,操作人")
    assert "orgs.unit.create" in text and "orgs.role.grant" not in text

    response = hq_client.post("/audit/export/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "序号"
    # The export itself is on the record.
    assert AuditEntry.objects.filter(action="audit.export").count() == 2


def test_technical_support_reads_but_does_not_export(db):
    support = f.person(f.group(), "technical_support", username="support")
    client = client_for(support)
    html = client.get("/audit/").content.decode()
    assert "导出 CSV" not in html
    assert client.post("/audit/export/", {"format": "csv"}).status_code == 403


def test_bad_export_format_is_explained(hq_client):
    response = hq_client.post("/audit/export/", {"format": "pdf"})
    assert response.status_code == 400
    assert "csv" in response.content.decode()


def test_diff_summary_shows_what_changed():
    from mediadesk.web.views.audit import diff_summary

    assert diff_summary({"name": "甲", "code": "A"}, {"name": "乙", "code": "A"}) == [
        {"field": "name", "before": "甲", "after": "乙"}
    ]
    created = diff_summary(None, {"name": "甲", "email": "", "expires_at": None})
    assert created == [{"field": "name", "before": "", "after": "甲"}]
    stamp = diff_summary(None, {"at": "2026-01-01T00:00:00+00:00"})[0]["after"]
    assert stamp == "2026-01-01 08:00:00"  # shown in Beijing time like the rest of the page

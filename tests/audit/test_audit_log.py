import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from mediadesk.audit import guards
from mediadesk.audit.models import AppendOnlyError, AuditEntry
from mediadesk.audit.selectors import search_entries
from mediadesk.audit.services import export_entries, purge_expired, record_event, verify_chain
from mediadesk.core.context import acting
from mediadesk.core.errors import PermissionDenied, ValidationFailed
from mediadesk.orgs import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_state_change_records_who_what_before_after_and_where():
    admin = f.superuser()
    bu = f.unit(name="旧名")
    with acting(source="web", ip="10.1.2.3", user_agent="pytest"):
        services.update_unit(actor=admin, unit=bu, name="新名")
    entry = AuditEntry.objects.filter(action="orgs.unit.update").get()
    assert (entry.actor_id, entry.before["name"], entry.after["name"]) == (admin.pk, "旧名", "新名")
    assert (entry.ip, entry.source, entry.object_id) == ("10.1.2.3", "web", str(bu.pk))


def test_the_chain_verifies_when_untouched():
    f.person(f.unit())
    report = verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()


def test_the_orm_refuses_to_change_or_delete_entries():
    entry = record_event(action="test.event")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_database_refuses_updates_and_young_deletes():
    entry = record_event(action="test.event")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("UPDATE audit_auditentry SET action = 'forged' WHERE seq = %s", [entry.seq])
    with pytest.raises(Exception, match="180 days"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditentry WHERE seq = %s", [entry.seq])


def _tamper(sql, params):
    guards.uninstall(connection)  # what someone with raw database access could do
    with connection.cursor() as c:
        c.execute(sql, params)


def test_editing_an_entry_behind_the_apps_back_is_detected():
    for n in range(3):
        record_event(action=f"test.event{n}")
    _tamper("UPDATE audit_auditentry SET after = %s WHERE seq = 2", ['{"forged": true}'])
    report = verify_chain()
    assert not report.ok and report.first_bad_seq == 2


def test_deleting_an_entry_behind_the_apps_back_is_detected():
    for n in range(3):
        record_event(action=f"test.event{n}")
    _tamper("DELETE FROM audit_auditentry WHERE seq = 2", [])
    report = verify_chain()
    assert not report.ok and "missing" in report.problem


def test_removing_the_newest_entries_is_detected():
    for n in range(3):
        record_event(action=f"test.event{n}")
    _tamper("DELETE FROM audit_auditentry WHERE seq = 3", [])
    assert not verify_chain().ok


def test_purging_entries_younger_than_180_days_is_refused():
    record_event(action="test.event")
    with pytest.raises(ValidationFailed, match="180 days"):
        purge_expired(before=timezone.now() - dt.timedelta(days=179))
    assert AuditEntry.objects.count() == 1


def test_purging_old_entries_keeps_the_rest_of_the_chain_verifiable():
    with time_machine.travel(timezone.now() - dt.timedelta(days=400)):
        record_event(action="test.ancient")
    record_event(action="test.recent")
    assert purge_expired(before=timezone.now() - dt.timedelta(days=365)) == 1
    assert not AuditEntry.objects.filter(action="test.ancient").exists()
    assert verify_chain().ok


def test_search_filters_by_person_action_object_and_time():
    admin = f.superuser()
    bu = f.unit()
    services.update_unit(actor=admin, unit=bu, name="改名")
    hits = search_entries(
        user=admin,
        actor=admin,
        action="orgs.unit.update",
        object_type="orgs.orgunit",
        object_id=str(bu.pk),
        since=timezone.now() - dt.timedelta(minutes=1),
    )
    assert [e.action for e in hits] == ["orgs.unit.update"]
    assert not search_entries(user=admin, until=timezone.now() - dt.timedelta(days=1)).exists()


def test_a_unit_auditor_sees_only_entries_of_their_unit():
    bu1, bu2 = f.unit(), f.unit()
    auditor = f.person(bu1, "technical_support")
    services.update_unit(actor=f.superuser(), unit=bu1, name="甲")
    services.update_unit(actor=f.superuser(), unit=bu2, name="乙")
    names = {e.after["name"] for e in search_entries(user=auditor, action="orgs.unit.update")}
    assert names == {"甲"}


def test_people_without_audit_rights_cannot_search():
    with pytest.raises(PermissionDenied):
        search_entries(user=f.person(f.unit(), "operator"))


def test_excel_export_has_chinese_headers_and_is_itself_audited():
    admin = f.superuser()
    f.unit(name="导出测试")
    entries = search_entries(user=admin)
    content, filename, _ = export_entries(actor=admin, entries=entries, fmt="xlsx", filters={})
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("序号", "时间", "操作人", "操作")
    assert any("导出测试" in str(r) for r in rows[1:])
    assert filename.endswith(".xlsx")
    assert AuditEntry.objects.filter(action="audit.export").exists()


def test_csv_export_opens_in_excel_with_a_bom():
    content, _, content_type = export_entries(
        actor=f.superuser(), entries=AuditEntry.objects.all(), fmt="csv", filters={}
    )
    assert content.startswith("\ufeff序号".encode())
    assert content_type.startswith("text/csv")

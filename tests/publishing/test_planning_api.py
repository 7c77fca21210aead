"""The planning API under /api/v1/planning: same services, house shapes."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from mediadesk.orgs import services as org_services
from mediadesk.publishing.models import PlanEntry, Publication
from mediadesk.publishing.plan_sheet import HEADERS
from tests.publishing.world import approved_item, variant

pytestmark = pytest.mark.django_db
BASE = "/api/v1/planning"


def client_for(person):
    _, raw = org_services.create_api_token(actor=person, name="测试")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def editor(world):
    return client_for(world.author)


def test_scheduling_returns_the_publication_with_warnings_in_local_time(world, editor):
    item = approved_item(world)
    response = post(
        editor,
        f"{BASE}/publications",
        {"variant_id": variant(item, world.wechat).pk, "at": "2026-03-11T14:00:00"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["publication"]["scheduled_at"] == "2026-03-11T14:00:00+08:00"
    assert body["publication"]["state"] == "scheduled" and body["publication"]["plan_entry_id"]
    assert [w["code"] for w in body["warnings"]] == ["outside_best_time"]


def test_a_refusal_comes_in_the_error_shape(world, editor):
    item = approved_item(world)
    response = post(
        editor,
        f"{BASE}/publications",
        {"variant_id": variant(item, world.wechat).pk, "at": "2026-03-10T19:00:00+08:00"},
    )
    assert response.status_code == 422
    assert (
        set(response.json()) == {"code", "message", "fields"} and "at" in response.json()["fields"]
    )
    assert not Publication.objects.exists()


def test_dragging_with_a_stale_version_is_409(world, editor):
    item = approved_item(world)
    created = post(
        editor,
        f"{BASE}/publications",
        {"variant_id": variant(item, world.wechat).pk, "at": "2026-03-11T19:30:00+08:00"},
    ).json()["publication"]
    url = f"{BASE}/publications/{created['id']}/reschedule"
    moved = post(editor, url, {"at": "2026-03-12T08:30:00+08:00", "version": 1})
    assert moved.status_code == 200 and moved.json()["publication"]["version"] == 2
    stale = post(editor, url, {"at": "2026-03-13T08:30:00+08:00", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"


def test_the_calendar_answers_days_with_entries(world, editor):
    post(
        editor,
        f"{BASE}/plan",
        {"planned_on": "2026-03-12", "topic": "话题", "account_id": world.weibo.pk},
    )
    body = editor.get(
        f"{BASE}/calendar", {"view": "week", "day": "2026-03-11", "unit": world.unit.pk}
    ).json()
    assert body["scope"] == "unit" and body["start"] == "2026-03-09" and len(body["days"]) == 7
    thursday = body["days"][3]
    assert thursday["day"] == "2026-03-12"
    assert [(e["kind"], e["title"], e["status_label"]) for e in thursday["entries"]] == [
        ("plan", "话题", "待发布")
    ]


def test_suggest_slot_names_the_next_best_time(world, editor):
    body = editor.get(f"{BASE}/accounts/{world.weibo.pk}/suggest-slot").json()
    assert body["suggestion"]["at"] == "2026-03-11T18:00:00+08:00"
    assert body["suggestion"]["weight"] == 2


def test_the_plan_lists_numbered_rows_in_the_page_shape(world, editor):
    for day in ("2026-03-13", "2026-03-12"):
        post(
            editor, f"{BASE}/plan", {"planned_on": day, "topic": day, "account_id": world.weibo.pk}
        )
    body = editor.get(f"{BASE}/plan", {"unit": world.unit.pk}).json()
    assert body["total"] == 2 and body["page"] == 1 and body["page_size"] == 50
    assert [(r["number"], r["topic"]) for r in body["items"]] == [
        (1, "2026-03-12"),
        (2, "2026-03-13"),
    ]


def test_the_plan_exports_as_xlsx_with_the_seeds_headers(world, editor):
    post(
        editor,
        f"{BASE}/plan",
        {"planned_on": "2026-03-12", "topic": "话题", "account_id": world.weibo.pk},
    )
    response = editor.get(f"{BASE}/plan/export", {"unit": world.unit.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("序号", "发布日期", "发布平台")


def test_an_import_with_a_bad_row_is_422_with_each_row(world, editor):
    book = Workbook()
    book.active.append(list(HEADERS))
    book.active.append(["", "2026-03-12", "微博", "好", "", "", "", "", "", "", "示例科技微博"])
    book.active.append(["", "明天", "微博", "坏", "", "", "", "", "", "", "示例科技微博"])
    out = io.BytesIO()
    book.save(out)
    out.name = "plan.xlsx"
    out.seek(0)
    response = editor.post(f"{BASE}/plan/import", {"file": out})
    assert response.status_code == 422, response.json()
    assert response.json()["fields"]["rows"] == [
        {"row": 3, "column": "发布日期", "message": "不是日期（YYYY-MM-DD）"}
    ]
    assert not PlanEntry.objects.exists()


def test_plan_entries_are_edited_with_their_version_and_deleted(world, editor):
    created = post(
        editor,
        f"{BASE}/plan",
        {
            "planned_on": "2026-03-12",
            "topic": "话题",
            "account_id": world.weibo.pk,
            "targets": "话题阅读量20万+，转发5万+",
        },
    ).json()
    assert (created["target_exposure"], created["target_interaction"]) == (200_000, 50_000)
    url = f"{BASE}/plan/{created['id']}"
    patched = editor.patch(
        url, data=json.dumps({"version": 1, "notes": "3位合作KOL"}), content_type="application/json"
    )
    assert patched.json()["notes"] == "3位合作KOL" and patched.json()["version"] == 2
    assert editor.delete(f"{url}?version=2").status_code == 204


def test_pause_and_resume_through_the_api(world):
    hq = client_for(world.hq)
    pause = post(hq, f"{BASE}/pauses", {"unit_id": world.group.pk, "reason": "舆情处置"})
    assert pause.status_code == 201
    assert [p["id"] for p in hq.get(f"{BASE}/pauses", {"open": True}).json()] == [
        pause.json()["id"]
    ]
    resumed = post(hq, f"{BASE}/pauses/{pause.json()['id']}/resume", {})
    assert resumed.status_code == 200 and resumed.json()["pause"]["ended_at"]


def test_an_editor_cannot_pause(world, editor):
    response = post(editor, f"{BASE}/pauses", {"unit_id": world.unit.pk, "reason": "x"})
    assert response.status_code == 403


def test_coverage_and_completing_a_repost(world, editor):
    hq = client_for(world.hq)
    source = post(
        hq, f"{BASE}/coverage", {"title": "报道", "medium": "新华社", "url": "https://x.cn/1"}
    )
    assert source.status_code == 201 and len(source.json()["tasks"]) == 4
    tasks = editor.get(f"{BASE}/repost-tasks", {"status": "open"}).json()
    assert tasks["total"] == 4
    task = tasks["items"][0]
    done = post(editor, f"{BASE}/repost-tasks/{task['id']}/complete", {"post_id": "123"})
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_frequency_rules_list_the_defaults(world, editor):
    body = editor.get(f"{BASE}/frequency-rules", {"platform": "weibo"}).json()
    assert [(r["period"], r["minimum"], r["maximum"]) for r in body["items"]] == [("day", 1, 10)]
    effective = editor.get(f"{BASE}/accounts/{world.wechat.pk}/frequency").json()
    assert {(r["period"], r["minimum"]) for r in effective} == {("day", 0), ("week", 3)}


def test_an_accounts_best_times_are_replaced_and_reset(world, editor):
    url = f"{BASE}/accounts/{world.douyin.pk}/best-times"
    put = editor.put(
        url,
        data=json.dumps({"slots": [{"starts": "18:00", "ends": "19:00"}]}),
        content_type="application/json",
    )
    assert put.json()["own"] is True and len(put.json()["slots"]) == 1
    reset = editor.delete(url)
    assert reset.json()["own"] is False and len(reset.json()["slots"]) == 2

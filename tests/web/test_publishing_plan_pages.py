"""The publish plan (模板1), secondary propagation and planning settings pages (issue 7):
who may change what, bad input changing nothing, the import refusing a sheet with a bad row,
a pause shown and resumed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from mediadesk.audit.models import AuditEntry
from mediadesk.publishing.models import (
    BestTimeSlot,
    BlackoutPeriod,
    FrequencyRule,
    PlanEntry,
    Publication,
    PublicationState,
    PublishingPause,
    RepostStatus,
    RepostTask,
)
from mediadesk.publishing.plan_entries import create_plan_entry
from mediadesk.publishing.plan_sheet import HEADERS
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_pauses import pause_publishing
from mediadesk.publishing.planning_rules import seed_default_planning
from mediadesk.publishing.propagation import record_coverage
from tests import factories as f
from tests.publishing.world import approved_item, build, local, variant
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 11, 10, 0)  # a Wednesday morning in Shanghai
SEED_HEADERS = [
    "序号",
    "发布日期",
    "发布平台",
    "内容主题",
    "内容形式",
    "目标数据（曝光/互动/转化）",
    "负责人",
    "审核人",
    "状态（待发布/已发布/已撤回）",
    "备注",
]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(clock):
    return build()


@pytest.fixture
def estate(world):
    """A second business unit with its official account and its own operator."""
    unit = f.unit(world.group, name="示例地产")
    return {
        "unit": unit,
        "weibo": f.account(unit, platform="weibo", name="示例地产微博", matrix_role="brand"),
        "operator": f.person(unit, "operator", username="estate_op"),
    }


def entry(world, **fields):
    values = {
        "account": world.weibo,
        "planned_on": dt.date(2026, 3, 20),
        "planned_time": dt.time(19, 0),
        "topic": "新品上市：3大功能升级",
        "targets": "曝光30万+，互动1万+",
    }
    values.update(fields)
    return create_plan_entry(actor=world.author, **values)


def sheet(*rows):
    book = Workbook()
    book.active.append(list(HEADERS))
    for values in rows:
        cells = dict.fromkeys(HEADERS, None)
        cells.update(values)
        book.active.append([cells[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("plan.xlsx", out.getvalue())


# -- the plan table -----------------------------------------------------------------------------


def test_an_author_adds_a_row_and_sees_it_in_the_table_as_pending(world):
    client = client_for(world.author)
    response = client.post(
        "/publishing/plan/",
        {
            "planned_on": "2026-03-20",
            "planned_time": "19:00",
            "account": world.wechat.pk,
            "topic": "新品上市：3大功能升级",
            "format": "图文+视频",
            "targets": "曝光30万+，互动1万+",
            "owner": world.author.pk,
            "reviewer": world.l2.pk,
            "notes": "附产品手册",
        },
    )
    assert response.status_code == 302
    row = PlanEntry.objects.get()
    assert (row.account, row.target_exposure, row.reviewer) == (world.wechat, 300_000, world.l2)
    html = client.get("/publishing/plan/").content.decode()
    table = html.split('id="plan-table"', 1)[1]
    assert "新品上市：3大功能升级" in table and "待发布" in table and "图文+视频" in table
    for header in SEED_HEADERS:
        assert header in html


def test_a_row_without_a_topic_is_refused_and_nothing_is_added(world):
    response = client_for(world.author).post(
        "/publishing/plan/",
        {"planned_on": "2026-03-20", "account": world.wechat.pk, "topic": ""},
    )
    assert response.status_code == 400
    assert 'id="new-row" open' in response.content.decode()
    assert not PlanEntry.objects.exists()


def test_target_figures_that_cannot_be_read_are_refused_next_to_the_field(world):
    response = client_for(world.author).post(
        "/publishing/plan/",
        {
            "planned_on": "2026-03-20",
            "account": world.wechat.pk,
            "topic": "话题",
            "targets": "转发很多",
        },
    )
    assert response.status_code == 400
    assert "转发很多" in response.content.decode()
    assert not PlanEntry.objects.exists()


def test_a_level_two_reviewer_reads_the_plan_but_may_not_write_it(world):
    row = entry(world)
    client = client_for(world.l2)
    html = client.get("/publishing/plan/").content.decode()
    assert row.topic in html
    assert 'id="new-row"' not in html
    response = client.post(
        "/publishing/plan/",
        {"planned_on": "2026-03-20", "account": world.weibo.pk, "topic": "越权"},
    )
    assert response.status_code == 400  # the account is not among the choices
    assert PlanEntry.objects.count() == 1
    response = client.post(f"/publishing/plan/{row.pk}/", {"op": "delete", "version": row.version})
    assert response.status_code == 403
    assert PlanEntry.objects.filter(pk=row.pk).exists()


def test_the_filters_select_an_account_and_a_status(world):
    entry(world, topic="微博的一行")
    entry(world, account=world.wechat, topic="公众号的一行")
    client = client_for(world.author)
    html = client.get(f"/publishing/plan/?account={world.wechat.pk}").content.decode()
    table = html.split('id="results"', 1)[1]
    assert "公众号的一行" in table and "微博的一行" not in table
    html = client.get("/publishing/plan/?status=published").content.decode()
    assert "公众号的一行" not in html.split('id="results"', 1)[1]


def test_a_person_of_another_unit_does_not_see_the_rows(world, estate):
    entry(world, topic="示例科技的计划")
    html = client_for(estate["operator"]).get("/publishing/plan/").content.decode()
    assert "示例科技的计划" not in html


def test_editing_a_row_saves_it_and_a_stale_form_changes_nothing(world):
    row = entry(world)
    client = client_for(world.author)
    fields = {
        "op": "save",
        "planned_on": "2026-03-21",
        "planned_time": "20:00",
        "account": world.weibo.pk,
        "topic": "改过的主题",
        "targets": "曝光10万",
        "version": row.version,
    }
    response = client.post(f"/publishing/plan/{row.pk}/", fields)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.topic, row.planned_on, row.target_exposure) == (
        "改过的主题",
        dt.date(2026, 3, 21),
        100_000,
    )
    stale = client.post(f"/publishing/plan/{row.pk}/", {**fields, "topic": "过期的表单"})
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.content.decode()
    row.refresh_from_db()
    assert row.topic == "改过的主题"


def test_deleting_a_row_removes_it_and_is_audited(world):
    row = entry(world)
    response = client_for(world.author).post(
        f"/publishing/plan/{row.pk}/", {"op": "delete", "version": row.version}
    )
    assert response.status_code == 302
    assert not PlanEntry.objects.exists()
    assert AuditEntry.objects.filter(action="publishing.plan.delete").exists()


def test_the_export_carries_the_seeds_headers_and_the_filtered_rows(world):
    entry(world, topic="三月的一行")
    entry(world, topic="四月的一行", planned_on=dt.date(2026, 4, 2))
    response = client_for(world.author).post(
        "/publishing/plan/export/", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0][:10]) == SEED_HEADERS
    assert [r[3] for r in rows[1:]] == ["三月的一行"]
    assert rows[1][8] == "待发布"


def test_the_export_is_a_post(world):
    assert client_for(world.author).get("/publishing/plan/export/").status_code == 405


# -- importing ----------------------------------------------------------------------------------


def test_a_sheet_with_a_bad_row_is_reported_by_row_and_nothing_is_imported(world):
    upload = sheet(
        {"发布日期": "2026-03-20", "发布平台": "微博", "账号": "示例科技微博", "内容主题": "好的"},
        {"发布日期": "下周三", "发布平台": "微博", "账号": "示例科技微博", "内容主题": "坏日期"},
    )
    response = client_for(world.author).post(
        "/publishing/plan/import/", {"op": "check", "file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    report = html.split('id="row-errors"', 1)[1].split("</table>", 1)[0]
    assert '<td class="num">3</td>' in report and "发布日期" in report
    assert "Nothing was imported" in html or "没有导入任何一行" in html
    assert 'id="confirm-import"' not in html
    assert not PlanEntry.objects.exists()


def test_a_good_sheet_is_previewed_first_and_imported_on_confirmation(world):
    client = client_for(world.author)
    upload = sheet(
        {
            "发布日期": "2026-03-20",
            "发布平台": "公众号",
            "账号": "示例科技公众号",
            "内容主题": "新品上市",
            "目标数据（曝光/互动/转化）": "曝光30万+",
        },
        {"发布日期": "2026-03-21", "发布平台": "抖音", "所属单位": "示例科技", "内容主题": "开箱"},
    )
    response = client.post("/publishing/plan/import/", {"op": "check", "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    preview = html.split('id="import-preview"', 1)[1]
    assert "新品上市" in preview and "开箱" in preview
    assert not PlanEntry.objects.exists()  # checked, not written
    assert not AuditEntry.objects.filter(action="publishing.plan.create").exists()
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/publishing/plan/import/", {"op": "confirm", "token": token})
    assert response.status_code == 302
    assert sorted(PlanEntry.objects.values_list("topic", flat=True)) == ["开箱", "新品上市"]
    again = client.post("/publishing/plan/import/", {"op": "confirm", "token": token})
    assert again.status_code == 409  # the checked sheet is used once
    assert PlanEntry.objects.count() == 2


def test_a_file_that_is_not_excel_is_refused_on_the_page(world):
    response = client_for(world.author).post(
        "/publishing/plan/import/",
        {"op": "check", "file": SimpleUploadedFile("plan.xlsx", b"plain text")},
    )
    assert response.status_code == 400
    assert not PlanEntry.objects.exists()


# -- reposts ------------------------------------------------------------------------------------


def _coverage(world):
    return record_coverage(
        actor=world.hq, title="人民日报报道示例科技", medium="人民日报", url="https://example.com/a"
    )


def test_hq_records_coverage_and_each_unit_gets_its_repost_tasks(world, estate):
    client = client_for(world.hq)
    response = client.post(
        "/publishing/reposts/",
        {
            "op": "coverage",
            "title": "人民日报报道示例科技",
            "medium": "人民日报",
            "url": "https://example.com/a",
        },
    )
    assert response.status_code == 302
    accounts = set(RepostTask.objects.values_list("account__name", flat=True))
    assert {"示例科技微博", "示例地产微博"} <= accounts
    html = client.get(response["Location"]).content.decode()
    assert "示例地产" in html and "示例科技" in html and "2026-03-12 10:00" in html


def test_coverage_without_a_link_is_refused_and_creates_nothing(world, estate):
    response = client_for(world.hq).post(
        "/publishing/reposts/",
        {"op": "coverage", "title": "报道", "medium": "人民日报", "url": "not a link"},
    )
    assert response.status_code == 400
    assert not RepostTask.objects.exists()


def test_an_operator_may_not_ask_the_units_to_repost(world, estate):
    client = client_for(world.author)
    assert 'id="coverage-form"' not in client.get("/publishing/reposts/").content.decode()
    response = client.post(
        "/publishing/reposts/",
        {"op": "coverage", "title": "报道", "medium": "人民日报", "url": "https://example.com/"},
    )
    assert response.status_code == 403
    assert not RepostTask.objects.exists()


def test_hq_marks_a_published_post_as_major_news(world, estate):
    item = approved_item(world, world.weibo, title="集团签约仪式")
    publication = schedule_publication(
        actor=world.hq, variant=variant(item, world.weibo), at=local(2026, 3, 11, 12, 0)
    ).publication
    Publication.objects.filter(pk=publication.pk).update(
        state=PublicationState.PUBLISHED, url="https://weibo.com/1/abc"
    )
    response = client_for(world.hq).post(
        "/publishing/reposts/", {"op": "major_news", "publication": publication.pk}
    )
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.is_major_news
    assert RepostTask.objects.filter(account=estate["weibo"]).exists()
    assert not RepostTask.objects.filter(account=world.weibo).exists()  # not its own repost


def test_a_unit_sees_only_its_own_tasks_and_completes_one_with_the_link(world, estate):
    _coverage(world)
    client = client_for(estate["operator"])
    html = client.get("/publishing/reposts/").content.decode()
    results = html.split('id="results"', 1)[1]
    assert "示例地产微博" in results and "示例科技微博" not in results
    task = RepostTask.objects.get(account=estate["weibo"])
    response = client.post(
        "/publishing/reposts/",
        {"op": "complete", "task": task.pk, f"t{task.pk}-url": "https://weibo.com/2/xyz"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.repost_url) == (RepostStatus.DONE, "https://weibo.com/2/xyz")


def test_completing_without_a_link_or_id_changes_nothing(world, estate):
    _coverage(world)
    task = RepostTask.objects.get(account=estate["weibo"])
    response = client_for(estate["operator"]).post(
        "/publishing/reposts/", {"op": "complete", "task": task.pk}
    )
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == RepostStatus.OPEN


def test_a_person_may_not_complete_another_units_task(world, estate):
    _coverage(world)
    task = RepostTask.objects.get(account=world.weibo)
    response = client_for(estate["operator"]).post(
        "/publishing/reposts/",
        {"op": "complete", "task": task.pk, f"t{task.pk}-post_id": "123"},
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == RepostStatus.OPEN


def test_overdue_tasks_are_flagged_for_hq(world, estate, clock):
    _coverage(world)
    clock.move_to(local(2026, 3, 13, 9, 0))
    html = client_for(world.hq).get("/publishing/reposts/").content.decode()
    assert 'id="overdue-count"' in html
    assert 'class="is-overdue"' in html


# -- best times ---------------------------------------------------------------------------------


def test_the_weibo_defaults_show_as_a_week_grid(world):
    html = client_for(world.l2).get("/publishing/settings/?of=platform:weibo").content.decode()
    grid = html.split('id="slot-grid"', 1)[1].split("</table>", 1)[0]
    assert "is-strong" in grid  # Wednesday and Thursday evenings are preferred
    assert "周三、周四晚间" in html
    assert 'id="edit-slots"' not in html  # a reviewer reads


def _slot_post(**row):
    data = {
        "op": "save",
        "slot-TOTAL_FORMS": "1",
        "slot-INITIAL_FORMS": "0",
        "slot-MIN_NUM_FORMS": "0",
        "slot-MAX_NUM_FORMS": "40",
    }
    data.update({f"slot-0-{k}": v for k, v in row.items()})
    return data


def test_an_operator_gives_an_account_its_own_best_times(world):
    client = client_for(world.author)
    response = client.post(
        f"/publishing/settings/?of=account:{world.weibo.pk}",
        _slot_post(weekdays=["1", "3"], starts="07:30", ends="08:30", kind="regular", weight="1"),
    )
    assert response.status_code == 302
    slot = BestTimeSlot.objects.get(account=world.weibo)
    assert (slot.weekdays, slot.starts) == ([1, 3], dt.time(7, 30))
    html = client.get(f"/publishing/settings/?of=account:{world.weibo.pk}").content.decode()
    assert "07:00" in html.split('id="slot-grid"', 1)[1]


def test_a_slot_that_ends_before_it_starts_changes_nothing(world):
    response = client_for(world.author).post(
        f"/publishing/settings/?of=account:{world.weibo.pk}",
        _slot_post(weekdays=["1"], starts="20:00", ends="19:00", kind="regular", weight="1"),
    )
    assert response.status_code == 400
    assert not BestTimeSlot.objects.filter(account=world.weibo).exists()


def test_only_group_settings_managers_change_a_platforms_defaults(world):
    seed_default_planning()
    before = BestTimeSlot.objects.filter(platform="douyin").count()
    response = client_for(world.author).post(
        "/publishing/settings/?of=platform:douyin",
        _slot_post(weekdays=["1"], starts="07:00", ends="08:00", kind="regular", weight="1"),
    )
    assert response.status_code == 403
    assert BestTimeSlot.objects.filter(platform="douyin").count() == before
    response = client_for(world.hq).post(
        "/publishing/settings/?of=platform:douyin",
        _slot_post(weekdays=["1"], starts="07:00", ends="08:00", kind="regular", weight="1"),
    )
    assert response.status_code == 302
    assert list(
        BestTimeSlot.objects.filter(platform="douyin").values_list("starts", flat=True)
    ) == [dt.time(7, 0)]


# -- frequency ----------------------------------------------------------------------------------


def test_hq_sets_an_accounts_own_rule_and_the_quotas_are_shown(world):
    client = client_for(world.hq)
    response = client.post(
        f"/publishing/settings/frequency/?account={world.wechat.pk}",
        {"op": "create", "target": "account", "period": "week", "minimum": "5", "note": "冲刺"},
    )
    assert response.status_code == 302
    assert FrequencyRule.objects.get(account=world.wechat).minimum == 5
    html = client.get(f"/publishing/settings/frequency/?account={world.wechat.pk}").content.decode()
    effective = html.split('id="effective-rules"', 1)[1].split("</section>", 1)[0]
    assert "本账号规则" in effective and "订阅号每天群发1次" in effective
    assert "服务号每月群发4次" in html.split('id="quotas"', 1)[1]


def test_an_operator_may_not_set_an_accounts_rules(world):
    response = client_for(world.author).post(
        f"/publishing/settings/frequency/?account={world.wechat.pk}",
        {"op": "create", "target": "account", "period": "week", "minimum": "5"},
    )
    assert response.status_code == 403
    assert not FrequencyRule.objects.filter(account=world.wechat).exists()


def test_a_rule_whose_maximum_is_below_its_minimum_changes_nothing(world):
    response = client_for(world.hq).post(
        f"/publishing/settings/frequency/?account={world.wechat.pk}",
        {"op": "create", "target": "account", "period": "day", "minimum": "3", "maximum": "1"},
    )
    assert response.status_code == 400
    assert not FrequencyRule.objects.filter(account=world.wechat).exists()


# -- pauses and blackouts -----------------------------------------------------------------------


def test_hq_pauses_everything_and_resumes_with_a_reason_shown_in_the_history(world):
    client = client_for(world.hq)
    response = client.post(
        "/publishing/settings/pauses/",
        {"op": "pause", "unit": world.group.pk, "reason": "舆情处置中，暂停一切发布"},
    )
    assert response.status_code == 302
    pause = PublishingPause.objects.get(ended_at__isnull=True)
    html = client.get("/publishing/settings/pauses/").content.decode()
    assert f'id="pause-{pause.pk}"' in html and "舆情处置中，暂停一切发布" in html
    response = client.post(
        "/publishing/settings/pauses/",
        {"op": "resume", "pause": pause.pk, f"p{pause.pk}-reason": "已澄清，恢复发布"},
    )
    assert response.status_code == 302
    pause.refresh_from_db()
    assert pause.ended_by == world.hq
    html = client.get("/publishing/settings/pauses/").content.decode()
    history = html.split('id="pause-history"', 1)[1]
    assert "已澄清，恢复发布" in history and f'id="pause-{pause.pk}"' not in html
    end = AuditEntry.objects.get(action="publishing.pause.end")
    assert end.after["reason"] == "已澄清，恢复发布"


def test_resuming_without_a_reason_keeps_the_pause(world):
    pause = pause_publishing(actor=world.hq, unit=world.group, reason="危机")
    response = client_for(world.hq).post(
        "/publishing/settings/pauses/", {"op": "resume", "pause": pause.pk}
    )
    assert response.status_code == 400
    pause.refresh_from_db()
    assert pause.ended_at is None


def test_an_operator_sees_the_pause_but_may_neither_start_nor_end_one(world):
    pause = pause_publishing(actor=world.hq, unit=world.group, reason="危机")
    client = client_for(world.author)
    html = client.get("/publishing/settings/pauses/").content.decode()
    assert "危机" in html and 'id="new-pause"' not in html and f'id="resume-{pause.pk}"' not in html
    response = client.post(
        "/publishing/settings/pauses/",
        {"op": "resume", "pause": pause.pk, f"p{pause.pk}-reason": "我想恢复"},
    )
    assert response.status_code == 403
    pause.refresh_from_db()
    assert pause.ended_at is None
    response = client.post(
        "/publishing/settings/pauses/", {"op": "pause", "unit": world.unit.pk, "reason": "x"}
    )
    assert response.status_code == 400  # no unit to choose from
    assert PublishingPause.objects.count() == 1


def test_a_blackout_is_added_and_removed(world):
    client = client_for(world.gm)
    response = client.post(
        "/publishing/settings/blackouts/",
        {
            "op": "add",
            "unit": world.group.pk,
            "starts_at": "2026-04-04T00:00",
            "ends_at": "2026-04-06T00:00",
            "reason": "清明节哀悼",
        },
    )
    assert response.status_code == 302
    blackout = BlackoutPeriod.objects.get()
    assert blackout.starts_at == local(2026, 4, 4, 0, 0)
    html = client.get("/publishing/settings/blackouts/").content.decode()
    assert "清明节哀悼" in html and "2026-04-04 00:00" in html
    response = client.post(
        "/publishing/settings/blackouts/", {"op": "remove", "blackout": blackout.pk}
    )
    assert response.status_code == 302
    assert not BlackoutPeriod.objects.exists()


def test_a_blackout_that_ends_before_it_starts_changes_nothing(world):
    response = client_for(world.hq).post(
        "/publishing/settings/blackouts/",
        {
            "op": "add",
            "unit": world.group.pk,
            "starts_at": "2026-04-06T00:00",
            "ends_at": "2026-04-04T00:00",
            "reason": "颠倒",
        },
    )
    assert response.status_code == 400
    assert not BlackoutPeriod.objects.exists()


def test_the_navigation_has_the_publishing_pages(world):
    html = client_for(world.author).get("/publishing/plan/").content.decode()
    nav = html.split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]
    for key in ["publishing_plan", "publishing_reposts", "publishing_settings"]:
        assert f'data-nav="{key}"' in nav
    assert 'data-nav="publishing_plan" aria-current="page"' in nav

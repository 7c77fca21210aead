"""模板1 to and from Excel: the seed's exact headers; bad rows import nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from mediadesk.accounts.spreadsheets import ImportRejected
from mediadesk.publishing.models import PlanEntry
from mediadesk.publishing.plan_entries import create_plan_entry
from mediadesk.publishing.plan_sheet import HEADERS, PLAN_HEADERS, export_plan, import_plan
from mediadesk.publishing.planning_selectors import PlanScope, plan_table

pytestmark = pytest.mark.django_db

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


def workbook(*rows, headers=HEADERS):
    book = Workbook()
    book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(**values):
    cells = dict.fromkeys(HEADERS, None)
    cells.update(values)
    return [cells[h] for h in HEADERS]


def test_the_export_has_the_seeds_ten_headers_first(world):
    create_plan_entry(
        actor=world.author,
        account=world.wechat,
        planned_on=dt.date(2026, 3, 20),
        planned_time=dt.time(19, 0),
        topic="新品上市：3大功能升级",
        format="图文+视频",
        targets="曝光30万+，互动1万+",
        owner=world.author,
        reviewer=world.l2,
        notes="附产品手册",
    )
    rows = plan_table(user=world.author, scope=PlanScope(unit=world.unit))
    sheet = load_workbook(io.BytesIO(export_plan(actor=world.author, rows=rows))).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(PLAN_HEADERS) == SEED_HEADERS
    assert list(values[0][:10]) == SEED_HEADERS
    assert values[1][0] == 1 and values[1][1].date() == dt.date(2026, 3, 20)
    assert values[1][2:10] == (
        "公众号（订阅号）",
        "新品上市：3大功能升级",
        "图文+视频",
        "曝光30万+，互动1万+",
        "editor",
        "manager",
        "待发布",
        "附产品手册",
    )
    assert values[1][10:13] == ("示例科技公众号", "示例科技", "19:00")


def test_the_seeds_rows_import_with_wan_figures(world):
    content = workbook(
        row(
            **{
                "发布日期": "2026-03-20",
                "发布平台": "公众号",
                "账号": "示例科技公众号",
                "内容主题": "新品上市：3大功能升级",
                "内容形式": "图文+视频",
                "目标数据（曝光/互动/转化）": "曝光30万+，互动1万+",
                "负责人": "editor",
                "审核人": "manager",
                "状态（待发布/已发布/已撤回）": "待发布",
                "备注": "附产品手册",
            }
        ),
        row(
            **{
                "发布日期": dt.datetime(2026, 3, 20),
                "发布平台": "抖音",
                "所属单位": "示例科技",
                "内容主题": "新品开箱：30秒看懂核心卖点",
                "内容形式": "短视频（58秒）",
                "目标数据（曝光/互动/转化）": "播放量50万+，转化2000+",
            }
        ),
    )
    saved = import_plan(actor=world.author, content=content)
    assert len(saved) == 2
    first, second = sorted(saved, key=lambda e: e.platform, reverse=True)
    assert first.account == world.wechat and first.target_exposure == 300_000
    assert second.account is None and second.platform == "douyin"
    assert (second.target_exposure, second.target_conversion) == (500_000, 2_000)


def test_bad_rows_are_each_reported_and_nothing_is_imported(world):
    content = workbook(
        row(
            **{
                "发布日期": "2026-03-20",
                "发布平台": "微博",
                "账号": "示例科技微博",
                "内容主题": "好的一行",
            }
        ),
        row(
            **{
                "发布日期": "下周三",
                "发布平台": "微博",
                "账号": "示例科技微博",
                "内容主题": "坏日期",
            }
        ),
        row(
            **{
                "发布日期": "2026-03-21",
                "发布平台": "微博",
                "账号": "示例科技微博",
                "内容主题": "坏目标",
                "目标数据（曝光/互动/转化）": "转发很多",
            }
        ),
        row(
            **{
                "发布日期": "2026-03-22",
                "发布平台": "脸书",
                "所属单位": "示例科技",
                "内容主题": "坏平台",
            }
        ),
    )
    with pytest.raises(ImportRejected) as caught:
        import_plan(actor=world.author, content=content)
    problems = {(e.row, e.column) for e in caught.value.errors}
    assert problems == {
        (3, "发布日期"),
        (4, "目标数据（曝光/互动/转化）"),
        (5, "发布平台"),
    }
    assert caught.value.fields["rows"][0]["row"] == 3
    assert not PlanEntry.objects.exists()


def test_a_row_for_an_account_the_importer_may_not_plan_is_refused(world):
    from tests import factories as f

    other = f.account(f.unit(world.group, name="示例地产"), platform="weibo", name="地产微博")
    content = workbook(
        row(
            **{"发布日期": "2026-03-20", "发布平台": "微博", "账号": other.name, "内容主题": "越权"}
        )
    )
    with pytest.raises(ImportRejected) as caught:
        import_plan(actor=world.author, content=content)
    assert caught.value.errors[0].row == 2
    assert not PlanEntry.objects.exists()


def test_an_exported_sheet_imports_back_as_updates(world):
    entry = create_plan_entry(
        actor=world.author, account=world.weibo, planned_on=dt.date(2026, 3, 21), topic="话题"
    )
    rows = plan_table(user=world.author, scope=PlanScope(unit=world.unit))
    book = load_workbook(io.BytesIO(export_plan(actor=world.author, rows=rows)))
    book.active["D2"] = "#新品体验官#互动赢大奖"
    out = io.BytesIO()
    book.save(out)
    import_plan(actor=world.author, content=out.getvalue())
    entry.refresh_from_db()
    assert entry.topic == "#新品体验官#互动赢大奖" and PlanEntry.objects.count() == 1


def test_a_file_that_is_not_excel_is_refused(world):
    from mediadesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="not an Excel"):
        import_plan(actor=world.author, content=b"plain text")

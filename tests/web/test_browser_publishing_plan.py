"""The publish plan and planning settings in headless Chromium (issue 7): an editor opens the
plan (模板1), exports it with the seed's headers, imports a sheet with a bad row (sees the
report, nothing is imported) and a good one (preview, then confirm); HQ stops all publishing
and resumes it with a reason that the history keeps. Screenshots of every page on the way,
including the best-time grid, frequency rules and reposts."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from mediadesk.orgs import services
from mediadesk.publishing.models import PlanEntry, PublishingPause
from mediadesk.publishing.plan_entries import create_plan_entry
from mediadesk.publishing.plan_sheet import HEADERS, PLAN_HEADERS
from mediadesk.publishing.planning_rules import local_today
from tests import factories as f
from tests.web.test_browser_accounts import CHROMIUM_ARGS

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser" / "publishing-plan"


def _world():
    root = f.superuser()
    group = f.group()
    unit = f.unit(name="示例科技")
    people = {}
    for username, name, role, scope in [
        ("zhangbian", "张编辑", "operator", unit),
        ("qianjl", "钱经理", "reviewer_l2", unit),
        ("liqx", "李企宣", "hq_communications", group),
    ]:
        person = f.person(scope, role, username=username)
        services.update_person(actor=root, person=person, display_name=name)
        people[username] = person
    wechat = f.account(unit, platform="wechat_service", name="示例科技服务号")
    weibo = f.account(unit, platform="weibo", name="示例科技微博")
    today = local_today()
    for offset, account, topic, targets in [
        (1, wechat, "新品上市：3大功能升级", "曝光30万+，互动1万+"),
        (2, weibo, "#新品体验官#互动赢大奖", "互动5000+"),
    ]:
        create_plan_entry(
            actor=people["zhangbian"],
            account=account,
            planned_on=today + dt.timedelta(days=offset),
            planned_time=dt.time(19, 0),
            topic=topic,
            format="图文",
            targets=targets,
            owner=people["zhangbian"],
            reviewer=people["qianjl"],
        )
    return {"group": group, "unit": unit, "wechat": wechat, "weibo": weibo, "today": today}


def _sheet(*rows):
    book = Workbook()
    book.active.append(list(HEADERS))
    for values in rows:
        cells = dict.fromkeys(HEADERS, None)
        cells.update(values)
        book.active.append([cells[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def _log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


WEIBO = "示例科技微博"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.browser
def test_the_plan_is_exported_imported_with_a_report_and_publishing_paused_and_resumed(
    live_server, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    world = _world()
    base = live_server.url
    day = (world["today"] + dt.timedelta(days=3)).isoformat()
    OUTPUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:

            def person(username):
                page = browser.new_context(
                    viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True
                ).new_page()
                _log_in(page, base, username)
                return page

            editor = person("zhangbian")

            # 1. The plan, from the navigation.
            editor.click(".nav a[data-nav=publishing_plan]")
            expect(editor.locator(".page-header h1")).to_contain_text("发布计划")
            expect(editor.locator("#plan-table tbody tr")).to_have_count(2)
            header = editor.locator("#plan-table thead")
            expect(header).to_contain_text("目标数据（曝光/互动/转化）")
            _shot(editor, "01-plan")

            # 2. Export: the seed's ten headers, then the rows.
            with editor.expect_download() as caught:
                editor.click("#export-plan")
            path = caught.value.path()
            book = load_workbook(io.BytesIO(Path(path).read_bytes()))
            rows = list(book.active.iter_rows(values_only=True))
            assert list(rows[0][:10]) == list(PLAN_HEADERS)
            assert [r[3] for r in rows[1:]] == ["新品上市：3大功能升级", "#新品体验官#互动赢大奖"]

            # 3. A sheet with a bad row: the report names the row, nothing is imported.
            editor.click("#import-plan")
            bad = _sheet(
                {"发布日期": day, "发布平台": "微博", "账号": WEIBO, "内容主题": "好的一行"},
                {"发布日期": "下周三", "发布平台": "微博", "账号": WEIBO, "内容主题": "坏日期"},
                {
                    "发布日期": day,
                    "发布平台": "脸书",
                    "所属单位": "示例科技",
                    "内容主题": "不存在的平台",
                },
            )
            editor.set_input_files(
                "#id_file", files=[{"name": "plan.xlsx", "mimeType": XLSX, "buffer": bad}]
            )
            editor.click("#check-sheet")
            report = editor.locator("#row-errors")
            expect(report).to_be_visible()
            expect(report.locator("tbody tr")).to_have_count(2)
            expect(report.locator("tbody tr").first).to_contain_text("发布日期")
            expect(editor.locator("#confirm-import")).to_have_count(0)
            _shot(editor, "02-import-refused")
            assert PlanEntry.objects.count() == 2

            # 4. A good sheet: previewed, then imported on confirmation.
            good = _sheet(
                {
                    "发布日期": day,
                    "发布平台": "微博",
                    "账号": "示例科技微博",
                    "内容主题": "用户故事征集",
                    "目标数据（曝光/互动/转化）": "互动3000+",
                    "负责人": "张编辑",
                },
                {"发布日期": day, "发布平台": "抖音", "所属单位": "示例科技", "内容主题": "开箱"},
            )
            editor.set_input_files(
                "#id_file", files=[{"name": "plan.xlsx", "mimeType": XLSX, "buffer": good}]
            )
            editor.click("#check-sheet")
            expect(editor.locator("#import-preview tbody tr")).to_have_count(2)
            assert PlanEntry.objects.count() == 2
            _shot(editor, "03-import-preview")
            editor.click("#confirm-import")
            expect(editor.locator(".flash-success")).to_contain_text("2")
            expect(editor.locator("#plan-table tbody tr")).to_have_count(4)
            expect(editor.locator("#plan-table")).to_contain_text("用户故事征集")
            _shot(editor, "04-plan-imported")

            # 5. The settings the editor reads: best times as a week grid.
            editor.goto(f"{base}/publishing/settings/?of=platform:weibo")
            expect(editor.locator("#slot-grid td.is-strong").first).to_be_visible()
            _shot(editor, "05-best-times")

            # 6. HQ stops all publishing, then resumes it with a reason.
            hq = person("liqx")
            hq.click(".nav a[data-nav=publishing_settings]")
            hq.click("nav.tabs a[data-tab=pauses]")
            expect(hq.locator("#no-pause")).to_be_visible()
            hq.click("#new-pause summary")
            hq.select_option("#id_unit", str(world["group"].pk))
            hq.fill("#id_reason", "突发舆情处置中，暂停全集团发布")
            hq.click("#start-pause")
            banner = hq.locator(".pause-banner")
            expect(banner).to_contain_text("突发舆情处置中，暂停全集团发布")
            _shot(hq, "06-paused")
            pause = PublishingPause.objects.get(ended_at__isnull=True)
            hq.fill(f"#id_p{pause.pk}-reason", "舆情已平息，经总经理同意恢复发布")
            hq.click(f"#resume-{pause.pk}")
            expect(hq.locator("#no-pause")).to_be_visible()
            expect(hq.locator("#pause-history")).to_contain_text("舆情已平息，经总经理同意恢复发布")
            _shot(hq, "07-resumed")
            pause.refresh_from_db()
            assert pause.ended_at is not None

            # 7. Frequency rules with the quotas, and reposts after recording coverage.
            hq.goto(f"{base}/publishing/settings/frequency/?account={world['wechat'].pk}")
            expect(hq.locator("#quotas")).to_contain_text("服务号每月群发4次")
            _shot(hq, "08-frequency")
            hq.goto(f"{base}/publishing/reposts/")
            hq.click("#new-propagation summary")
            hq.fill("#id_title", "人民日报：示例科技云帆 X1 引领国产影像创新")
            hq.fill("#id_medium", "人民日报")
            hq.fill("#id_url", "https://www.example.com/news/x1")
            hq.click("#record-coverage")
            expect(hq.locator(".repost-unit")).to_have_count(1)
            _shot(hq, "09-reposts")
        finally:
            browser.close()

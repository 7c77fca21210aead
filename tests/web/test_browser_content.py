"""One journey in headless Chromium (issue 5): an editor drafts an item with a WeChat article and
a Weibo post, the submission is refused for an Advertising Law term and the editor fixes it,
the L1 reviewer requests changes, the editor revises and resubmits, and three different people
approve it at the three levels. The review flow table (模板2) then shows both rounds with every
level's reviewer and opinion, and its Excel export carries the seed's headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mediadesk.content import library, planning
from mediadesk.content.models import ContentItem, ReviewStatus
from mediadesk.content.selectors import REVIEW_FLOW_HEADERS
from mediadesk.orgs import services
from tests import factories as f
from tests.content.world import png
from tests.web.test_browser_accounts import CHROMIUM_ARGS

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser" / "content"


def _world():
    root = f.superuser()
    group = f.group()
    unit = f.unit(name="示例科技")
    people = {}
    for username, name, role, scope in [
        ("zhangbian", "张编辑", "operator", unit),
        ("zhaoce", "赵策划", "reviewer_l1", unit),
        ("qianjl", "钱经理", "reviewer_l2", unit),
        ("sunfw", "孙法务", "reviewer_l3", group),
    ]:
        person = f.person(unit if scope == unit else group, (role, scope), username=username)
        services.update_person(actor=root, person=person, display_name=name)
        people[username] = person
    wechat = f.account(unit, platform="wechat_service", name="示例科技服务号")
    weibo = f.account(unit, platform="weibo", name="示例科技微博")
    editor = people["zhangbian"]
    goal = planning.create_goal(
        actor=editor,
        owning_unit=unit,
        name="云帆 X1 上市首周曝光 50 万",
        metric="exposure",
        target=500_000,
        deadline="2026-12-31",
    )
    cover = library.upload_asset(
        actor=editor,
        owning_unit=unit,
        data=png(900, 383, "#1d4ed8"),
        filename="x1.png",
        title="云帆 X1 主视觉",
        licence="own",
        source="品牌部设计组",
    )
    return {"unit": unit, "wechat": wechat, "weibo": weibo, "goal": goal, "cover": cover}


def _shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def _log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


def _replace_in_article(page, account_id, old, new):
    page.locator(f"#variant-{account_id} .rte-area").evaluate(
        """(el, [old, neu]) => {
            el.innerHTML = el.innerHTML.split(old).join(neu);
            el.dispatchEvent(new Event('input', {bubbles: true}));
        }""",
        [old, new],
    )


def _decide(page, base, item_title, action, opinion="", tick=True):
    page.goto(f"{base}/review/")
    page.click(f"#results a:has-text('{item_title}')")
    # The checklist is read with .all(), which does not wait: be on the decision page first.
    page.wait_for_selector("#decision-form")
    if tick:
        for box in page.locator("#stage-checklist input[type=checkbox]").all():
            box.check()
    if opinion:
        page.fill("#id_opinion", opinion)
    page.click(f"#decision-form button[data-action={action}]")
    page.wait_for_selector(".flash-success")


@pytest.mark.browser
def test_an_item_goes_through_three_levels_with_a_fix_and_a_round_of_changes(
    live_server, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    world = _world()
    base = live_server.url
    wechat, weibo = world["wechat"].pk, world["weibo"].pk
    OUTPUT.mkdir(parents=True, exist_ok=True)
    title = "云帆 X1 正式发布"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            viewport = {"width": 1440, "height": 900}

            def person(username):
                page = browser.new_context(
                    viewport=viewport, locale="zh-CN", accept_downloads=True
                ).new_page()
                _log_in(page, base, username)
                return page

            editor = person("zhangbian")

            # 1. The editor drafts the item: a WeChat article and a Weibo post.
            editor.click(".nav a[data-nav=content]")
            expect(editor.locator(".page-header h1")).to_have_text("内容")
            editor.click("#new-item")
            editor.fill("#id_title", title)
            editor.select_option("#id_goal", str(world["goal"].pk))
            editor.fill("#id_target_exposure", "300000")
            editor.select_option("#id_add_account", str(wechat))
            editor.click("#add-variant-button")
            editor.select_option("#id_add_account", str(weibo))
            editor.click("#add-variant-button")
            expect(editor.locator(f"#variant-{weibo}")).to_be_visible()
            editor.fill(f"#id_v{wechat}-title", "云帆 X1 正式发布：影像旗舰，今日开售")
            editor.fill(f"#id_v{wechat}-digest", "自研影像芯片，续航提升 30%。")
            area = editor.locator(f"#variant-{wechat} .rte-area")
            area.click()
            editor.keyboard.type("云帆 X1 今天正式发布，首发价 3999 元，全网最低价。")
            editor.keyboard.press("Enter")
            editor.click(f"#variant-{wechat} button[data-cmd=bold]")
            editor.keyboard.type("首发福利")
            editor.keyboard.press("Enter")
            editor.click(f"#variant-{wechat} .rte-images summary")
            editor.click(f"#variant-{wechat} .rte-pick[data-insert-asset='{world['cover'].pk}']")
            editor.select_option(f"#id_v{wechat}-cover", str(world["cover"].pk))
            editor.fill(
                f"#id_v{weibo}-body",
                "#云帆X1# 今天正式发布！首发价 3999 元，全网最低价 @示例集团",
            )
            # the previews follow the typing: the article shows the library picture, the
            # Weibo card counts characters and colours the topic and the mention
            weibo_preview = editor.locator(f"#status-{weibo}")
            expect(weibo_preview.locator(".pv-topic")).to_have_text("#云帆X1#")
            expect(weibo_preview.locator(".pv-mention")).to_have_text("@示例集团")
            expect(weibo_preview.locator(".pv-count")).to_contain_text("/140 字")
            expect(weibo_preview).to_contain_text("辅助发布：由专人在 App 内发布")
            wechat_preview = editor.locator(f"#status-{wechat}")
            expect(wechat_preview.locator(".pv-body img")).to_have_count(1)
            expect(wechat_preview.locator(".pv-body")).to_contain_text("全网最低价")
            _shot(editor, "1-editor")
            editor.click("#save-item")
            expect(editor.locator(".flash-success")).to_contain_text("已保存为第 1 版")
            item = ContentItem.objects.get(title=title)
            body = item.variants.get(account_id=wechat).body
            assert f'<img src="asset:{world["cover"].pk}"' in body
            assert "<p>云帆 X1 今天正式发布" in body and "<strong>首发福利</strong>" in body

            # 2. The submission is refused: 全网最低价 is an Advertising Law absolute.
            editor.click("#submit-button")
            refused = editor.locator("#submit-refused")
            expect(refused).to_contain_text("全网最低价")
            expect(refused.locator("mark.hl-block").first).to_have_text("全网最低价")
            expect(refused).to_contain_text("限时特惠")  # the suggested rewrite
            _shot(editor, "2-refused")

            # 3. The editor fixes both variants and submits revision 2.
            editor.click("#edit-item")
            _replace_in_article(editor, wechat, "全网最低价", "限时特惠")
            editor.fill(
                f"#id_v{weibo}-body", "#云帆X1# 今天正式发布！首发价 3999 元，限时特惠 @示例集团"
            )
            editor.click("#save-item")
            expect(editor.locator(".flash-success")).to_contain_text("已保存为第 2 版")
            editor.click("#submit-button")
            expect(editor.locator("#item-state")).to_have_text("审核中 · 一审（内容策划）")

            # 4. L1 requests changes.
            l1 = person("zhaoce")
            l1.click(".nav a[data-nav=review]")
            expect(l1.locator("#results")).to_contain_text(title)
            l1.click(f"#results a:has-text('{title}')")
            expect(l1.locator("#decide")).to_contain_text("符合目标与主题")
            _shot(l1, "3-decision")
            _decide(
                l1, base, title, "request_changes", "摘要请补充上市日期与购买渠道。", tick=False
            )
            expect(l1.locator("#round-status")).to_have_text("退回修改")

            # 5. The editor finds it returned, revises and resubmits.
            editor.goto(f"{base}/review/returned/")
            expect(editor.locator("#results")).to_contain_text("摘要请补充上市日期与购买渠道")
            editor.click("#results a:has-text('修改')")
            editor.fill(
                f"#id_v{wechat}-digest", "自研影像芯片，续航提升 30%，今日起官方商城与门店有售。"
            )
            editor.click("#save-item")
            editor.click("#submit-button")
            expect(editor.locator("#item-state")).to_have_text("审核中 · 一审（内容策划）")

            # 6. Three people approve at the three levels.
            _decide(l1, base, title, "approve", "已补充，选题与目标一致。")
            l2 = person("qianjl")
            _decide(l2, base, title, "approve_with_comment", "价格表述合规，注意活动结束后下线。")
            legal = person("sunfw")
            _decide(legal, base, title, "approve", "无广告法与舆情风险，同意发布。")
            expect(legal.locator("#round-status")).to_have_text("已批准")
            item.refresh_from_db()
            assert item.reviews.order_by("-pk").first().status == ReviewStatus.APPROVED

            editor.goto(f"{base}/content/{item.pk}/")
            expect(editor.locator("#item-state")).to_have_text("已批准")
            timeline = editor.locator("#timeline")
            for text in ["第 3 版", "审核结束：退回修改", "审核结束：已批准"]:
                expect(timeline).to_contain_text(text)
            expect(timeline.locator(".dl-del del").first).to_contain_text("全网最低价")
            expect(timeline.locator(".dl-add ins").first).to_contain_text("限时特惠")
            _shot(editor, "4-approved")
            # opening the editor and saving without a change keeps the approval
            editor.click("#edit-item")
            editor.click("#save-item")
            expect(editor.locator("#item-state")).to_have_text("已批准")
            item.refresh_from_db()
            assert item.revision_number == 3

            # 7. The review flow table shows both rounds with every level's reviewer.
            legal.click(".nav a[data-nav=review_flow]")
            table = legal.locator("#flow-table")
            headers = table.locator("thead th").all_inner_texts()
            assert headers == list(REVIEW_FLOW_HEADERS)
            rows = table.locator(f"tbody tr:has-text('{title}')")
            expect(rows).to_have_count(2)
            approved_row = rows.nth(0)
            for text in ["赵策划", "已补充", "钱经理", "价格表述合规", "孙法务", "修改后通过"]:
                expect(approved_row).to_contain_text(text)
            expect(rows.nth(1)).to_contain_text("摘要请补充上市日期与购买渠道")
            expect(rows.nth(1)).to_contain_text("退回修改")
            _shot(legal, "5-flow-table")
            with legal.expect_download() as download:
                legal.click("#export-flow")
            sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
            assert [c.value for c in sheet[1]] == list(REVIEW_FLOW_HEADERS)
            assert sheet.max_row == 3
        finally:
            browser.close()
    for name in ["1-editor", "2-refused", "4-approved", "5-flow-table"]:
        assert (OUTPUT / f"{name}.png").stat().st_size > 10_000

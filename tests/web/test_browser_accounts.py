"""One journey in headless Chromium: a unit operator applies for an account, HQ returns it with
feedback, the operator resubmits, HQ approves, and the account is active on the matrix page with
its conformity report."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediadesk.accounts import services as account_services
from mediadesk.accounts import standards
from mediadesk.orgs import services
from tests import factories as f
from tests.web.accounts_world import MENU, png

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser" / "accounts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ANSWERS = {
    "necessity": "华东区域品牌传播需要独立阵地，集团号无法兼顾区域内容",
    "feasibility": "品牌部三名专职编辑，内容来源为区域门店活动",
    "type_reason": "订阅号每天可群发一次，适合资讯类内容",
    "positioning": "区域品牌资讯与会员服务",
    "publishing_frequency": "每周三篇",
    "layout": "头条+次条，菜单三栏：走进示例、会员服务、联系我们",
    "operating_team": "张编辑（主编）、赵策划（选题）",
    "review_flow": "一审策划、二审部门经理",
    "technical_support": "集团技术部",
}


def _world():
    root = f.superuser()
    group = f.group()
    bu = f.unit(name="华东事业部")
    dept = f.unit(bu, name="品牌部")
    hq = f.person(group, "hq_communications", username="hq")
    operator = f.person(dept, "operator", username="zhangbian")
    services.update_person(actor=root, person=hq, display_name="李企宣")
    services.update_person(actor=root, person=operator, display_name="张编辑")
    standards.save_profile(
        actor=root,
        unit=group,
        brand_name="示例",
        unit_name="集团",
        standard_bio="示例集团官方账号，发布集团权威信息。",
        logo=png(),
    )
    standards.save_profile(
        actor=root, unit=bu, unit_name="华东", standard_bio="示例华东官方账号，发布区域资讯。"
    )
    # a few registered accounts, so the matrix has rows and columns around the new one
    for platform, name, unit, extra in [
        (
            "wechat_service",
            "示例集团",
            group,
            {"wechat_menu": MENU, "bio": "示例集团官方账号，发布集团权威信息。"},
        ),
        ("weibo", "示例集团", group, {"bio": "示例集团官方账号，发布集团权威信息。"}),
        ("weibo", "示例华东", bu, {"bio": "示例华东官方账号，发布区域资讯。"}),
        ("douyin", "华东好物", bu, {"bio": "好物分享"}),
    ]:
        account = f.account(unit, platform=platform, name=name, **extra)
        account_services.update_account(actor=root, account=account, avatar=png())
    return {"dept": dept}


def _shot(page, name):
    """A full-page screenshot from the top, so the sticky bars sit where they belong."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def _log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_apply_return_resubmit_approve_and_find_it_active(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django must still allow the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    world = _world()
    base = live_server.url
    OUTPUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            viewport = {"width": 1440, "height": 900}
            unit_page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            hq_page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()

            # 1. The operator applies from the matrix page.
            _log_in(unit_page, base, "zhangbian")
            unit_page.click(".nav a[data-nav=accounts]")
            expect(unit_page.locator(".page-header h1")).to_have_text("账号矩阵")
            unit_page.click("text=申请开通账号")
            expect(unit_page.locator(".page-header h1")).to_have_text("申请开通账号")
            unit_page.select_option("#id_unit", str(world["dept"].pk))
            unit_page.select_option("#id_platform", "wechat_subscription")
            unit_page.fill("#id_name", "示例品牌部")
            unit_page.select_option("#id_matrix_role", "brand")
            for name, answer in ANSWERS.items():
                unit_page.fill(f"#id_{name}", answer)
            expect(unit_page.locator("#apply-form")).to_contain_text("开设必要性")
            _shot(unit_page, "1-apply-form")
            unit_page.click("#apply-form button[type=submit]")
            expect(unit_page.locator("#application-status")).to_have_text("已提交")
            expect(unit_page.locator(".flash-success")).to_contain_text("已提交总部企宣")
            application_url = unit_page.url
            _shot(unit_page, "2-submitted")

            # 2. HQ finds it in its queue and returns it with feedback.
            _log_in(hq_page, base, "hq")
            hq_page.goto(f"{base}/accounts/applications/")
            expect(hq_page.locator(".page-header h1")).to_have_text("待审批的开户申请")
            hq_page.click("#results a:has-text('示例品牌部')")
            hq_page.fill("#id_feedback", "审核发布流程缺少三审（法务/公关），请补充。")
            hq_page.click("#return-form button[type=submit]")
            expect(hq_page.locator("#application-status")).to_have_text("退回修改")
            expect(hq_page.locator("#timeline")).to_contain_text("审核发布流程缺少三审")
            _shot(hq_page, "3-returned")

            # 3. The operator sees the feedback, revises and resubmits.
            unit_page.goto(f"{base}/accounts/applications/")
            expect(unit_page.locator(".tabs a.is-current")).to_contain_text("退回给我的")
            unit_page.click("#results a:has-text('示例品牌部')")
            expect(unit_page.locator("#feedback")).to_contain_text("请补充")
            unit_page.fill("#resubmit-form #id_review_flow", "一审策划、二审部门经理、三审法务")
            unit_page.click("#resubmit-form button[type=submit]")
            expect(unit_page.locator("#application-status")).to_have_text("已提交")
            expect(unit_page.locator(".page-header h1")).to_contain_text("第 2 版")
            _shot(unit_page, "4-resubmitted")

            # 4. HQ approves.
            hq_page.goto(application_url)
            expect(hq_page.locator(".answers")).to_contain_text("三审法务")
            hq_page.fill("#id_comment", "同意开设，请按规范设置菜单和头像。")
            hq_page.click("#approve-form button[type=submit]")
            expect(hq_page.locator("#application-status")).to_have_text("已批准")
            timeline = hq_page.locator("#timeline")
            for step in ["已提交", "退回修改", "修改后重新提交", "已批准"]:
                expect(timeline).to_contain_text(step)
            _shot(hq_page, "5-approved")

            # 5. The account is active on the matrix page; its conformity report opens.
            hq_page.click(".nav a[data-nav=account_matrix]")
            card = hq_page.locator("#matrix a.acct:has-text('示例品牌部')")
            expect(card).to_contain_text("正常运营")
            expect(card).to_contain_text("不合规")
            _shot(hq_page, "6-matrix")
            card.click()
            expect(hq_page.locator("#account-status")).to_have_text("正常运营")
            hq_page.click(".subnav a[href='#conformity']")
            report = hq_page.locator("#conformity")
            expect(report).to_contain_text("规范检查报告")
            expect(report.locator("#deviations")).to_contain_text("简介与标准简介不一致")
            expect(report.locator("#deviations")).to_contain_text("尚未登记微信菜单")
            _shot(hq_page, "7-account")
            report.screenshot(path=str(OUTPUT / "8-conformity.png"))

            # The same page in English.
            hq_page.click(".topbar .lang-switch button[value=en]")
            expect(hq_page.locator("#account-status")).to_have_text("Active")
            expect(hq_page.locator("#conformity")).to_contain_text("Conformity report")
            _shot(hq_page, "9-account-en")
        finally:
            browser.close()
    for name in ["1-apply-form", "6-matrix", "8-conformity"]:
        assert (OUTPUT / f"{name}.png").stat().st_size > 10_000

"""The compliance check in Debian's headless Chromium: paste copy, see the findings in place."""

from __future__ import annotations

import pytest

from mediadesk.compliance import services
from tests import factories as f
from tests.web.test_browser import CHROMIUM_ARGS, OUTPUT

PARAGRAPH = (
    "最近我们推出了国家级品质的焕颜精华，保湿效果最*佳！\n下单咨询：13812345678，<b>限量</b>发售。"
)


@pytest.mark.browser
def test_pasted_copy_is_highlighted_in_place(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django must still allow the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    bu = f.unit(name="华东事业部")
    dept = f.unit(bu, name="市场部")
    hq = f.person(f.group(), "hq_communications", username="hq")
    # Legal / PR of the department: checks copy and keeps the department's lexicon.
    f.person(dept, "reviewer_l3", username="zhangwei")
    services.add_entry(
        actor=hq, unit=bu, kind="term", text="爆款王", category="absolute_terms",
        severity="block", suggestion="热销款",
    )  # fmt: skip
    services.add_entry(actor=hq, unit=bu, kind="allow", text="第一太平", note="注册商标")
    out = OUTPUT / "compliance"
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "zhangwei")
            page.fill("#id_password", f.PASSWORD)
            page.click("form.stack button[type=submit]")
            expect(page.locator(".nav")).to_contain_text("合规检测")

            page.click(".nav a[data-nav=compliance]")
            expect(page.locator(".page-header h1")).to_have_text("合规检测")
            expect(page.locator("#id_unit option:checked")).to_contain_text("市场部")
            page.fill("#id_text", PARAGRAPH)
            page.click("#compliance-check button[type=submit]")

            marks = page.locator("#highlighted mark")
            expect(marks).to_have_text(["国家级", "最*佳", "13812345678"])
            expect(page.locator("#highlighted mark.hl-block")).to_have_count(2)
            expect(page.locator("#highlighted mark.hl-warn")).to_have_text(["13812345678"])
            # The exemption stays plain text, the author's markup is shown as typed.
            highlighted = page.locator("#highlighted")
            expect(highlighted).to_contain_text("最近我们推出了")
            expect(highlighted).to_contain_text("<b>限量</b>发售")
            assert page.locator("#highlighted b").count() == 0
            assert highlighted.inner_text() == PARAGRAPH
            expect(page.locator("#check-summary")).to_have_text("2 处阻断 / 1 处提示")
            expect(page.locator("#finding-1")).to_contain_text("绝对化用语（极限词）")
            expect(page.locator("#finding-2")).to_contain_text("优选")
            expect(page.locator("#finding-3")).to_contain_text("个人信息：手机号")
            expect(page.locator("#lexicon-version")).to_contain_text("+")
            # Colour by severity: block red, warn amber.
            background = "(el) => getComputedStyle(el).backgroundColor"
            assert marks.nth(0).evaluate(background) == "rgb(253, 220, 219)"
            assert marks.nth(2).evaluate(background) == "rgb(255, 233, 191)"

            marks.nth(1).hover()  # the tooltip with category, severity and suggestion
            page.screenshot(path=str(out / "check.png"), full_page=True)

            # The lexicon the check used: the department's own and inherited additions.
            page.click(".nav a[data-nav=compliance_lexicon]")
            expect(page.locator(".page-header h1")).to_have_text("合规词库")
            expect(page.locator("#lexicon-terms")).to_contain_text("继承自 华东事业部")
            page.fill("#id_allow-text", "最佳拍档")
            page.fill("#id_allow-note", "节目名称")
            page.click("#add-allow button[type=submit]")
            expect(page.locator(".flash-success")).to_contain_text("最佳拍档")
            expect(page.locator("#lexicon-allowed")).to_contain_text("本单位")
            page.screenshot(path=str(out / "lexicon.png"), full_page=True)
        finally:
            browser.close()
    assert (out / "check.png").stat().st_size > 10_000

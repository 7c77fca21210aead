"""One journey in Debian's headless Chromium: log in, switch language, open the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediadesk.orgs import services
from tests import factories as f

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.browser
def test_log_in_switch_language_and_read_the_audit_log(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django must still allow the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    bu = f.unit(name="华东事业部")
    dept = f.unit(bu, name="市场部")
    f.person(f.group(), "hq_communications", username="hq")
    operator = f.person(dept, "operator", username="zhangwei")
    services.update_person(actor=f.superuser(), person=operator, display_name="张伟")
    services.update_unit(actor=f.superuser(), unit=dept, name="品牌市场部")
    OUTPUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            # An English browser still gets Chinese: zh-Hans is the default until one switches.
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="en-US")
            page.goto(f"{live_server.url}/login/")
            expect(page.locator("h1")).to_have_text("登录")
            page.screenshot(path=str(OUTPUT / "1-login-zh.png"))

            page.fill("#id_username", "hq")
            page.fill("#id_password", "wrong-Pass-1")
            page.click("form.stack button[type=submit]")
            expect(page.locator(".form-alert")).to_contain_text("用户名或密码错误")

            page.fill("#id_password", f.PASSWORD)
            page.click("form.stack button[type=submit]")
            expect(page.locator(".page-header h1")).to_contain_text("欢迎")
            expect(page.locator(".nav")).to_contain_text("舆情与风险")
            page.screenshot(path=str(OUTPUT / "2-dashboard-zh.png"), full_page=True)

            page.click(".topbar .lang-switch button[value=en]")
            expect(page.locator(".page-header h1")).to_contain_text("Welcome")
            expect(page.locator(".nav")).to_contain_text("Public opinion & risk")

            page.click(".nav a[data-nav=audit]")
            expect(page.locator(".page-header h1")).to_contain_text("Audit log")
            expect(page.locator("#chain-status")).to_contain_text("Chain intact")
            expect(page.locator("#results")).to_contain_text("Unit changed")
            expect(page.locator("#results")).to_contain_text("品牌市场部")
            page.screenshot(path=str(OUTPUT / "3-audit-log-en.png"), full_page=True)

            # The filters swap the results in place through htmx.
            page.fill("#id_action", "orgs.role")
            page.click("form.filters button[type=submit]")
            expect(page.locator("#results")).not_to_contain_text("Unit changed")
            expect(page.locator("#results")).to_contain_text("Role granted")
            assert "action=orgs.role" in page.url
        finally:
            browser.close()
    assert (OUTPUT / "3-audit-log-en.png").stat().st_size > 10_000

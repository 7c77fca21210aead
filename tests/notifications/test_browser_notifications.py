"""In headless Chromium: HQ registers a unit's DingTalk robot and sends a test message (the
answer appears in place); an editor chooses the robot channel, is notified, sees the badge,
and marks the notification read in the centre (the badge goes away without a reload)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mediadesk.core.notifications import notify
from mediadesk.notifications import robots
from tests import factories as f
from tests.notifications.conftest import DINGTALK_SECRET, DINGTALK_URL
from tests.web.test_browser_accounts import CHROMIUM_ARGS, _log_in, _shot

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser" / "notifications"


@pytest.mark.browser
def test_register_a_robot_test_it_and_read_a_notification(
    live_server, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    import tests.web.test_browser_accounts as shots

    monkeypatch.setattr(shots, "OUTPUT", OUTPUT)
    posts: list[dict] = []

    def dingtalk(request: httpx.Request) -> httpx.Response:
        posts.append(json.loads(request.content))
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    bu = f.unit(name="示例科技")
    dept = f.unit(bu, name="品牌部")
    f.person(f.group(), "hq_communications", username="hq")
    editor = f.person(dept, "operator", username="zhangbian")
    base = live_server.url
    OUTPUT.mkdir(parents=True, exist_ok=True)

    with robots.using_transport(httpx.MockTransport(dingtalk)), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            viewport = {"width": 1440, "height": 900}
            hq_page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            _log_in(hq_page, base, "hq")
            hq_page.click(".nav a[data-nav=robots]")
            expect(hq_page.locator(".page-header h1")).to_have_text("群机器人")
            hq_page.wait_for_function("window.htmx !== undefined")  # the picker reloads in place
            hq_page.select_option("#id_unit", str(dept.pk))
            expect(hq_page.locator("#robots-unit h2").first).to_contain_text("品牌部")
            hq_page.select_option("#id_platform", "dingtalk")
            hq_page.fill("#id_name", "品牌部工作群")
            hq_page.fill("#id_webhook_url", DINGTALK_URL)
            hq_page.fill("#id_secret", DINGTALK_SECRET)
            hq_page.click("#add-robot button[type=submit]")
            expect(hq_page.locator("#robots")).to_contain_text("oapi.dingtalk.com …6951")
            hq_page.wait_for_function("window.htmx !== undefined")
            hq_page.click("#robots button:has-text('发送测试消息')")
            expect(hq_page.locator("#robots .test-result")).to_contain_text("测试消息已发送")
            _shot(hq_page, "1-robots")
            assert "mediadesk 测试消息" in posts[0]["text"]["content"]

            editor_page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
            _log_in(editor_page, base, "zhangbian")
            editor_page.goto(f"{base}/settings/notifications/")
            editor_page.check("input[name='review:dingtalk']")
            editor_page.click("form button[type=submit]:has-text('保存')")
            expect(editor_page.locator(".flash")).to_contain_text("已保存")
            _shot(editor_page, "2-my-channels")

            with django_capture_on_commit_callbacks(execute=True):
                notify([editor], kind="content.review.awaiting", title="“春季新品”待您审核")
            editor_page.goto(f"{base}/")
            expect(editor_page.locator("#notification-bell .badge")).to_have_text("1")
            editor_page.click("#notification-bell")
            expect(editor_page.locator("#notifications")).to_contain_text("春季新品")
            editor_page.wait_for_function("window.htmx !== undefined")
            _shot(editor_page, "3-centre")
            editor_page.click("#notifications button:has-text('标为已读')")
            expect(editor_page.locator("#notification-bell .badge")).to_have_count(0)
            expect(editor_page.locator("#notifications .badge-info")).to_have_count(0)
        finally:
            browser.close()

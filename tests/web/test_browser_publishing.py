"""One journey in headless Chromium (issue 7): an operator opens the publishing calendar, clicks
an empty hour to schedule an approved WeChat article, drags its chip to the next hour, and at
that time the engine publishes it to the local simulator (the jobs run as the job runner runs
them, on a frozen clock that ticks). The post shows as published with its link on the calendar
and on its page; the operator requests its withdrawal, HQ approves it and the post ends
withdrawn — on the simulator too."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from mediadesk.publishing.models import Publication, PublicationState
from tests import factories as f
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import Sim, run, sim_config, wechat_account
from tests.publishing.world import local
from tests.web.test_browser_accounts import CHROMIUM_ARGS

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser" / "publishing"
#: A Wednesday morning in Shanghai; the clock runs on from here.
START = local(2026, 3, 11, 10, 0)


def _shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def _log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_a_post_is_scheduled_on_the_calendar_published_and_withdrawn_with_approval(
    live_server, monkeypatch, settings
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    from mediadesk.platforms.simulator import Simulator

    OUTPUT.mkdir(parents=True, exist_ok=True)
    simulator = Simulator(sim_config())
    simulator.start()
    settings.MEDIADESK_SIMULATOR_URL = simulator.base_url
    settings.MEDIADESK_PLATFORM_TIMEOUT_SECONDS = 2.0
    settings.SESSION_COOKIE_AGE = 24 * 3600  # the clock jumps two hours ahead below
    sim = Sim(simulator)
    base = live_server.url
    try:
        with time_machine.travel(START, tick=True) as clock:
            team = pf.team()
            wechat = wechat_account(team, name="示例科技服务号")
            item = pf.approved_item(team, wechat, title="云帆 X1 正式发布")
            variant = item.variants.get()

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                try:

                    def person(username):
                        page = browser.new_context(
                            viewport={"width": 1440, "height": 900}, locale="zh-CN"
                        ).new_page()
                        _log_in(page, base, username)
                        return page

                    editor = person(team.author.username)

                    # 1. The week calendar: click the empty 11:00 slot of today.
                    editor.click(".nav a[data-nav=publishing]")
                    expect(editor.locator(".page-header h1")).to_contain_text("发布日历")
                    editor.click("#view-week")
                    _shot(editor, "1-empty-week")
                    slot = editor.locator('td[data-drop-day="2026-03-11"][data-drop-hour="11"]')
                    slot.hover()
                    slot.locator(".cal-add").click()

                    # 2. The schedule page: choose the approved article; the time is the slot.
                    expect(editor.locator("#id_at")).to_have_value("2026-03-11T11:00")
                    # choosing the content reloads the page for its account's slot and warnings;
                    # publishing.js is deferred, so wait for it before choosing
                    editor.wait_for_load_state("load")
                    with editor.expect_navigation():
                        editor.select_option("#id_variant", str(variant.pk))
                    assert f"variant={variant.pk}" in editor.url
                    expect(editor.locator("#id_at")).to_have_value("2026-03-11T11:00")
                    expect(editor.locator("#schedule-warnings")).to_contain_text("最佳")
                    _shot(editor, "2-schedule")
                    editor.click("#schedule-button")
                    expect(editor.locator("#publication-state")).to_have_text("已排期")
                    pub = Publication.objects.get(variant=variant)

                    # 3. On the calendar, drag the chip from 11:00 to 12:00.
                    editor.click("#on-calendar")
                    editor.click("#view-week")
                    chip = editor.locator(f'[data-chip="publication-{pub.pk}"]')
                    expect(chip).to_be_visible()
                    editor.wait_for_load_state("load")  # the drag handlers are deferred
                    target = editor.locator('td[data-drop-day="2026-03-11"][data-drop-hour="12"]')
                    chip.drag_to(target)
                    moved = editor.locator(".flash-success")
                    expect(moved).to_contain_text("已改期到 2026-03-11 12:00")
                    expect(target.locator(f'[data-chip="publication-{pub.pk}"]')).to_be_visible()
                    pub.refresh_from_db()
                    assert pub.scheduled_at == local(2026, 3, 11, 12, 0)
                    _shot(editor, "3-moved")

                    # 4. 12:00 comes: the engine publishes it to the simulator.
                    clock.move_to(local(2026, 3, 11, 12, 0, 5))
                    run()
                    pub.refresh_from_db()  # submitted: WeChat now finishes its publish job
                    sim.control("POST", "jobs/finish", {"publish_id": pub.platform_job_id})
                    for _ in range(3):
                        clock.shift(timedelta(seconds=30))
                        run()
                    clock.shift(timedelta(minutes=11))  # and checks it after publishing
                    run()
                    pub.refresh_from_db()
                    assert pub.state == PublicationState.PUBLISHED, pub.error
                    assert len(sim.wechat_articles()) == 1
                    link = pub.url
                    assert link.startswith("http")

                    editor.reload()
                    chip = editor.locator(f'[data-chip="publication-{pub.pk}"]')
                    expect(chip).to_have_attribute("data-state", "published")
                    expect(chip).not_to_have_attribute("draggable", "true")
                    _shot(editor, "4-published-week")
                    chip.click()
                    expect(editor.locator("#publication-state")).to_have_text("已发布")
                    expect(editor.locator("#post-link")).to_have_attribute("href", link)
                    expect(editor.locator("#attempts")).to_contain_text("发送到平台")
                    expect(editor.locator("#verification")).to_contain_text("在线")

                    # 5. The operator asks for it to be withdrawn.
                    editor.fill("#id_reason", "价格信息有误，需下线更正。")
                    editor.click("#withdraw-button")
                    expect(editor.locator("#withdrawal-note")).to_contain_text("等待审批")
                    expect(editor.locator("#decide-form")).to_have_count(0)
                    _shot(editor, "5-withdrawal-requested")

                    # 6. HQ approves; the withdrawal is carried out through the connector.
                    hq = person(team.approver.username)
                    hq.goto(f"{base}/publishing/publications/{pub.pk}/")
                    expect(hq.locator("#decide-form")).to_contain_text("价格信息有误")
                    hq.fill("#id_comment", "同意，更正后重新排期。")
                    _shot(hq, "6-approve")
                    hq.click("#approve-withdrawal")
                    expect(hq.locator(".flash-success")).to_be_visible()
                    run()
                    pub.refresh_from_db()
                    assert pub.state == PublicationState.WITHDRAWN, pub.error
                    hq.reload()
                    expect(hq.locator("#publication-state")).to_have_text("已撤回")
                    expect(hq.locator("#withdrawals [data-status=done]")).to_be_visible()
                    _shot(hq, "7-withdrawn")
                    hq.goto(f"{base}/publishing/calendar/?day=2026-03-11")
                    expect(hq.locator(f'[data-chip="publication-{pub.pk}"]')).to_have_attribute(
                        "data-state", "withdrawn"
                    )
                    _shot(hq, "8-month")
                finally:
                    browser.close()
    finally:
        sim.http.close()
        simulator.stop()

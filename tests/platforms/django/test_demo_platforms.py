"""`make run`'s demo: the accounts with simulator apps point at the simulator, which can serve
their live menus and push to their callback endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mediadesk.accounts.conformity import check_account
from mediadesk.accounts.credentials import credential_value
from mediadesk.accounts.models import SocialAccount
from mediadesk.demo import load_demo
from mediadesk.platforms.menus import refresh_menu
from mediadesk.platforms.models import EventKind, PlatformBinding, PlatformEvent
from mediadesk.platforms.simulated import connect_callbacks, seed_menus
from mediadesk.platforms.simulator import Simulator
from mediadesk.platforms.simulator.embedded import DEMO_WECHAT_APPS, demo_config


@pytest.fixture
def demo_simulator(settings) -> Iterator[Simulator]:
    """The simulator as `mediadesk run` starts it, after the demo is loaded."""
    load_demo()
    simulator = Simulator(demo_config(port=0))
    settings.MEDIADESK_SIMULATOR_URL = simulator.start()
    seed_menus(simulator)
    yield simulator
    simulator.stop()


def group_wechat() -> SocialAccount:
    return SocialAccount.objects.get(name="示例集团", platform="wechat_service")


@pytest.mark.django_db
def test_every_demo_account_with_a_simulator_app_is_bound_to_the_simulator():
    load_demo()
    bound = {
        (b.account.name, b.account.platform, b.app_id)
        for b in PlatformBinding.objects.filter(base_url="simulator:")
    }
    assert {app_id for *_, app_id in bound if app_id.startswith("wx")} == {
        app.appid for app in DEMO_WECHAT_APPS
    }
    assert ("示例科技", "weibo", "demo-weibo-key") in bound
    assert ("示例科技", "douyin", "demo-douyin-key") in bound


@pytest.mark.django_db
def test_demo_secrets_are_in_the_vault():
    load_demo()
    account = group_wechat()
    assert credential_value(account, "app_secret") == DEMO_WECHAT_APPS[0].secret
    assert credential_value(account, "callback_token") and credential_value(account, "aes_key")


@pytest.mark.django_db
def test_the_demo_fetches_the_live_menu_from_the_simulator(demo_simulator):
    account = refresh_menu(account=group_wechat())
    assert account.wechat_menu["button"][0]["name"] == "走进示例"
    assert not [d for d in check_account(account) if d.code.startswith("menu")]


@pytest.mark.django_db(transaction=True)
def test_the_simulator_pushes_to_the_demo_callback_in_safe_mode(demo_simulator, live_server):
    connect_callbacks(demo_simulator, live_server.url)
    push = {"appid": DEMO_WECHAT_APPS[0].appid, "message": {"Content": "你好", "MsgId": 7770001}}
    answer = httpx.post(f"{demo_simulator.base_url}/_sim/wechat/push", json=push, timeout=10)
    record = answer.json()
    assert record["encrypted"] and record["response_body"] == "success", record
    event = PlatformEvent.objects.get(account=group_wechat())
    assert event.kind == EventKind.MESSAGE and event.encrypted

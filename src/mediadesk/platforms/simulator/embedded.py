"""The simulator as ``make run`` starts it: in-process, with the demo accounts' apps.

The demo's WeChat apps use the same app secrets the demo stores in the credentials vault, so
the product's connectors can authenticate against it exactly as against WeChat.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from mediadesk.platforms.simulator.config import DouyinApp, SimulatorConfig, WeChatApp, WeiboApp
from mediadesk.platforms.simulator.server import Simulator

DEMO_WECHAT_APPS = [
    WeChatApp(
        appid="wxdemogroup000001",
        secret="demo-group-app-secret-0001",
        name="示例集团",
        original_id="gh_demo_group",
    ),
    WeChatApp(
        appid="wxdemotech0000001",
        secret="demo-tech-app-secret-0001",
        name="示例科技",
        original_id="gh_demo_tech",
    ),
    WeChatApp(
        appid="wxdemohelper00001",
        secret="demo-helper-app-secret-01",
        name="科技小助手",
        account_type="subscription",
        original_id="gh_demo_helper",
    ),
    WeChatApp(
        appid="wxdemoestate00001",
        secret="demo-estate-app-secret-01",
        name="示例地产",
        verified=False,
        original_id="gh_demo_estate",
    ),
]
DEMO_WEIBO_APPS = [
    WeiboApp(key="demo-weibo-key", secret="demo-weibo-secret", safe_domains=["example.com"])
]
DEMO_DOUYIN_APPS = [DouyinApp(key="demo-douyin-key", secret="demo-douyin-secret")]


def demo_config(port: int | None = None) -> SimulatorConfig:
    if port is None:
        port = int(os.environ.get("MEDIADESK_SIMULATOR_PORT", "0") or 0)
    return SimulatorConfig(
        host="127.0.0.1",
        port=port,
        apps=list(DEMO_WECHAT_APPS),
        weibo_apps=list(DEMO_WEIBO_APPS),
        douyin_apps=list(DEMO_DOUYIN_APPS),
    )


def start_for_demo() -> tuple[str, Callable[[], None]]:
    """Start the simulator on ``MEDIADESK_SIMULATOR_PORT`` (default: a free port)."""
    simulator = Simulator(demo_config())
    base_url = simulator.start()
    return base_url, simulator.stop

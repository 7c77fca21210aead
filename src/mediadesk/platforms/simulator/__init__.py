"""``mediadesk simulator``: WeChat Official Account, Weibo and Douyin APIs, offline.

Standalone (no Django, no database). See README.md in this folder for the contract, the
endpoints covered and the control API.
"""

from .clock import Clock, ManualClock
from .config import (
    CallbackConfig,
    ConfigError,
    DouyinApp,
    SimulatorConfig,
    WeChatApp,
    WeiboApp,
)
from .server import Simulator

__all__ = [
    "CallbackConfig",
    "Clock",
    "ConfigError",
    "DouyinApp",
    "ManualClock",
    "Simulator",
    "SimulatorConfig",
    "WeChatApp",
    "WeiboApp",
]

"""Joining the embedded simulator (``mediadesk run``) to the accounts that point at it.

The simulator keeps its state in memory, so each start it knows nothing of the accounts. For
every WeChat binding whose base URL is ``simulator:`` and whose AppID the simulator serves:

* :func:`seed_menus` gives the simulated account the menu mediadesk last knew it to have
  (``SocialAccount.wechat_menu``), as if it had been set on WeChat earlier — so fetching the
  live menu finds it, and a menu applied through an approval survives a restart;
* :func:`connect_callbacks` makes the simulator push to that account's callback endpoint,
  signed with the callback token (and encrypted with the AES key) from the vault.

Both use the simulator object directly (not its HTTP API), so nothing shows in its request
log. Neither is used outside ``mediadesk run``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any

from mediadesk.accounts.credentials import credential_value
from mediadesk.platforms.models import SIMULATOR_MARKER, PlatformBinding

log = logging.getLogger(__name__)


def _simulated_wechat(simulator: Any) -> Iterator[tuple[PlatformBinding, Any]]:
    """(binding, simulated account) for each WeChat binding on ``simulator:`` it serves."""
    bindings = PlatformBinding.objects.filter(
        base_url__startswith=SIMULATOR_MARKER,
        account__platform__in=["wechat_service", "wechat_subscription"],
    ).select_related("account")
    for binding in bindings:
        simulated = simulator.wechat.accounts.get(binding.app_id)
        if simulated is not None:
            yield binding, simulated


def seed_menus(simulator: Any) -> int:
    from mediadesk.platforms.simulator.wechat.errors import WeChatError
    from mediadesk.platforms.simulator.wechat.menu import check_buttons

    seeded = 0
    with simulator.wechat.lock:
        for binding, simulated in _simulated_wechat(simulator):
            menu = binding.account.wechat_menu
            if not isinstance(menu, dict) or not menu.get("button"):
                continue
            try:
                buttons = check_buttons(copy.deepcopy(menu["button"]))
            except WeChatError as exc:
                log.warning("menu of account %s not given to the simulator: %s", binding.pk, exc)
                continue
            simulated.menu = {"button": buttons, "menuid": simulator.wechat.menu_ids.next()}
            seeded += 1
    return seeded


def connect_callbacks(simulator: Any, server_url: str) -> int:
    """Point the simulator's pushes for each account at ``server_url``'s callback endpoint."""
    from django.urls import reverse

    from mediadesk.platforms.simulator.config import CallbackConfig

    connected = 0
    for binding, simulated in _simulated_wechat(simulator):
        token = credential_value(binding.account, "callback_token")
        if not token:
            continue
        path = reverse("platforms:wechat-callback", kwargs={"account_id": binding.account_id})
        callback = CallbackConfig(
            url=server_url.rstrip("/") + path,
            token=token,
            aes_key=credential_value(binding.account, "aes_key") or None,
        )
        with simulator.wechat.lock:
            simulated.app.callback = callback
            for app in simulator.config.apps:  # kept across a /_sim/reset
                if app.appid == binding.app_id:
                    app.callback = callback
        connected += 1
    return connected

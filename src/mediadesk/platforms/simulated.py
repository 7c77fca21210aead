"""Joining the embedded simulator (``mediadesk run``) to the accounts that point at it.

The simulator keeps its state in memory, so each start it knows nothing of the accounts. For
every WeChat binding whose base URL is ``simulator:`` and whose AppID the simulator serves:

* :func:`seed_menus` gives the simulated account the menu mediadesk last knew it to have
  (``SocialAccount.wechat_menu``), as if it had been set on WeChat earlier — so fetching the
  live menu finds it, and a menu applied through an approval survives a restart;
* :func:`connect_callbacks` makes the simulator push to that account's callback endpoint,
  signed with the callback token (and encrypted with the AES key) from the vault.

Both use the simulator object directly (not its HTTP API), so nothing shows in its request
log. For every Weibo and Douyin binding on ``simulator:`` whose app the simulator serves:

* :func:`authorise_accounts` connects the account as its owner would — the simulator's
  authorisation page consents at once — so the account acts with a user token the simulator
  knows (those of an earlier run died with it). This goes through the simulator's HTTP API
  and the product's code exchange, and is audited like a person's connection.

None of them is used outside ``mediadesk run``.
"""

from __future__ import annotations

import copy
import logging
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from mediadesk.accounts.credentials import credential_value
from mediadesk.core.errors import DomainError
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


def authorise_accounts(simulator: Any, server_url: str) -> int:
    """Connect the Weibo and Douyin accounts bound to the simulator; returns how many.

    ``server_url`` is this server's address, for the callback the code is issued for (the
    simulator only names it in its redirect; nothing calls it). An account that cannot be
    connected is logged and left as it is.
    """
    from mediadesk.platforms.bindings import authorization_connector
    from mediadesk.platforms.oauth import authorize_url, callback_url, connect_with_code

    served = {
        "weibo": {app.key for app in simulator.config.weibo_apps},
        "douyin": {app.key for app in simulator.config.douyin_apps},
    }
    bindings = PlatformBinding.objects.filter(
        base_url__startswith=SIMULATOR_MARKER,
        enabled=True,
        account__platform__in=list(served),
    ).select_related("account__owning_unit")
    connected = 0
    for binding in bindings:
        account = binding.account
        if binding.app_id not in served[account.platform]:
            continue
        redirect_uri = callback_url(account.platform, server_url)
        try:
            with authorization_connector(account) as connector:
                url = authorize_url(connector, redirect_uri, secrets.token_urlsafe(16))
            answer = httpx.get(url, timeout=10, follow_redirects=False)
            location = answer.headers.get("location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if not code:
                log.warning(
                    "account %s: the simulator gave no authorisation code (HTTP %s)",
                    account.pk,
                    answer.status_code,
                )
                continue
            connect_with_code(
                account=account,
                code=code,
                redirect_uri=redirect_uri,
                via="simulator auto-consent at start",
            )
        except (DomainError, httpx.HTTPError) as exc:
            log.warning("account %s not authorised on the simulator: %s", account.pk, exc)
            continue
        connected += 1
    return connected

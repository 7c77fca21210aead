"""A refresh token close to its end is renewed along with the access token. The simulator's
clock (and the connector's) moves 26 days forward, so this module has a simulator of its own."""

from __future__ import annotations

import time

from mediadesk.platforms.connectors.tokens import MemoryTokenStore

from .conftest import SimHandle, authorised_douyin

DAY = 86400


def test_a_refresh_token_with_days_left_is_renewed_with_the_access_token(sim: SimHandle) -> None:
    offset = [0.0]
    douyin = authorised_douyin(sim, store=MemoryTokenStore(), clock=lambda: time.time() + offset[0])
    first = douyin.store.get(douyin.key)
    offset[0] = 26 * DAY
    sim.control("POST", "clock/advance", {"seconds": 26 * DAY})
    mark = sim.mark()
    info = douyin.authenticate()
    assert sim.paths(mark) == ["/douyin/oauth/refresh_token/", "/douyin/oauth/renew_refresh_token/"]
    renewed = douyin.store.get(douyin.key)
    assert first is not None and renewed is not None
    assert renewed.refresh_token != first.refresh_token and info.renewals_left == 4

"""Figures of a mass-sent article, read the day after sending: the simulator's clock moves a
day forward (so this module has a simulator of its own) and the connector's clock with it."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from mediadesk.platforms.connectors import Delivery, MediaFile, MediaKind, PostRequest
from mediadesk.platforms.connectors.wechat_api import CHINA

from .conftest import SimHandle, png_bytes, poll, wechat_connector

DAY = 86400


# WeChat keys datacube article rows by "<msg_data_id>_<index>" (getarticlesummary/total docs:
# "the msgid here is the msg_data_id returned by the mass-send call, plus the index"); the
# simulator keys them by the mass-send msg_id. Strict: this turns red once the simulator is fixed.
def test_a_mass_sent_article_has_figures_the_next_day(sim: SimHandle) -> None:
    wechat = wechat_connector(sim.base_url, clock=lambda: time.time() + DAY)
    cover = wechat.upload_media(MediaFile("cover.png", png_bytes()), MediaKind.IMAGE)
    post = PostRequest(
        title="周报",
        text="<p>本周要闻</p>",
        cover=cover,
        delivery=Delivery.MASS_SEND,
        idempotency_key="weekly-figures",
    )
    created = wechat.create_post(post)
    poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    sent_on = datetime.fromtimestamp(sim.control("GET", "clock")["now"], CHINA).date()
    sim.control("POST", "clock/advance", {"seconds": DAY})
    figures = wechat.fetch_post_figures(replace(created.ref(), sent_on=sent_on))
    assert figures.as_of == sent_on
    assert figures.metrics["reads"] > 0

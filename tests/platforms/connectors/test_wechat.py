"""The WeChat connector against the simulator: tokens, media, publish, mass send, comments,
menu, figures — and the refusals that must happen before anything is sent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from mediadesk.platforms.connectors import (
    CreatedPost,
    Delivery,
    InvalidContent,
    MediaFile,
    MediaKind,
    NotAuthorised,
    NotSupported,
    PlatformRejected,
    PlatformUnavailable,
    PostRef,
    PostRequest,
    PublishState,
    QuotaReached,
    ReconcileOutcome,
    Retry,
    TokenExpired,
)
from mediadesk.platforms.connectors.tokens import MemoryTokenStore
from mediadesk.platforms.connectors.wechat import WeChatConnector
from mediadesk.platforms.connectors.wechat_api import CHINA

from .conftest import (
    APPID,
    UNVERIFIED,
    UNVERIFIED_SECRET,
    SimHandle,
    gif_bytes,
    jpeg_bytes,
    png_bytes,
    poll,
    wechat_connector,
)


@pytest.fixture
def wechat(sim: SimHandle) -> WeChatConnector:
    return wechat_connector(sim.base_url)


def article(wechat: WeChatConnector, **changes: object) -> PostRequest:
    cover = wechat.upload_media(MediaFile("cover.png", png_bytes()), MediaKind.IMAGE)
    post = PostRequest(
        title="季度运营简报",
        text="<p>本季度重点工作回顾。</p>",
        digest="重点工作回顾",
        cover=cover,
        source_url="https://mediadesk.example/report",
        open_comments=True,
    )
    return replace(post, **changes)  # type: ignore[arg-type]


def stable_token_calls(sim: SimHandle, since: int = 0) -> list[dict[str, object]]:
    return [r for r in sim.requests(since) if r["path"] == "/cgi-bin/stable_token"]


# -- tokens ---------------------------------------------------------------------------------------
def test_the_token_is_fetched_once_and_reused(sim: SimHandle, wechat: WeChatConnector) -> None:
    wechat.get_menu()
    wechat.get_menu()
    assert len(stable_token_calls(sim)) == 1
    assert sim.paths().count("/cgi-bin/menu/get") == 2


def test_a_token_store_shares_one_token_between_connectors(sim: SimHandle) -> None:
    store = MemoryTokenStore()
    wechat_connector(sim.base_url, store=store).get_menu()
    wechat_connector(sim.base_url, store=store).get_menu()
    assert len(stable_token_calls(sim)) == 1


def test_a_connector_closed_after_its_job_leaves_the_next_ones_working(sim: SimHandle) -> None:
    store = MemoryTokenStore()
    first = wechat_connector(sim.base_url, store=store)
    first.get_menu()
    first.close()  # connectors share the process's connection pool; closing one keeps it
    with wechat_connector(sim.base_url, store=store) as second:
        second.get_menu()
    assert sim.paths().count("/cgi-bin/menu/get") == 2


def test_an_expired_token_is_renewed_and_the_call_retried(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    wechat.get_menu()
    sim.control("POST", "wechat/expire_tokens", {"appid": APPID})
    mark = sim.mark()
    assert wechat.get_menu() is None
    answers = [(r["path"], (r["response"] or {}).get("errcode")) for r in sim.requests(mark)]
    assert answers == [
        ("/cgi-bin/menu/get", 42001),
        ("/cgi-bin/stable_token", None),
        ("/cgi-bin/menu/get", 46003),
    ]


def test_40001_with_the_same_token_handed_back_forces_one_refresh(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    wechat.get_menu()
    sim.fault(kind="errcode", path="/cgi-bin/menu/get", errcode=40001)
    mark = sim.mark()
    wechat.get_menu()
    forced = [r["body"]["force_refresh"] for r in stable_token_calls(sim, mark)]
    assert forced == [False, True]


def test_a_token_rejected_twice_is_token_expired(sim: SimHandle, wechat: WeChatConnector) -> None:
    sim.fault(kind="errcode", path="/cgi-bin/menu/get", errcode=42001, times=2)
    with pytest.raises(TokenExpired) as caught:
        wechat.get_menu()
    assert caught.value.raw_code == 42001


def test_a_wrong_app_secret_is_not_authorised(sim: SimHandle) -> None:
    with pytest.raises(NotAuthorised) as caught:
        wechat_connector(sim.base_url, secret="wrong-secret").authenticate()
    assert caught.value.raw_code == 40125
    assert "wrong-secret" not in str(caught.value)


def test_errors_never_carry_the_token(sim: SimHandle, wechat: WeChatConnector) -> None:
    token = wechat.api.token().access_token
    sim.fault(kind="http_status", path="/cgi-bin/menu/get", status=502)
    with pytest.raises(PlatformUnavailable) as caught:
        wechat.get_menu()
    assert token not in str(caught.value) and token not in repr(caught.value.__dict__)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


# -- media ----------------------------------------------------------------------------------------
def test_an_article_image_upload_returns_a_wechat_url(wechat: WeChatConnector) -> None:
    uploaded = wechat.upload_media(MediaFile("body.jpg", jpeg_bytes()), MediaKind.ARTICLE_IMAGE)
    assert uploaded.url.startswith("http://mmbiz.qpic.cn/")


def test_an_oversized_image_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    big = MediaFile("huge.png", png_bytes(pad=10 * 1024 * 1024))
    with pytest.raises(InvalidContent) as caught:
        wechat.upload_media(big, MediaKind.IMAGE)
    assert caught.value.field == "media" and "10.0 MB" in caught.value.message
    assert sim.requests() == []


def test_a_renamed_text_file_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    with pytest.raises(InvalidContent):
        wechat.upload_media(MediaFile("photo.png", b"not an image at all"), MediaKind.IMAGE)
    assert sim.requests() == []


def test_a_gif_inside_an_article_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    with pytest.raises(InvalidContent) as caught:
        wechat.upload_media(MediaFile("anim.gif", gif_bytes()), MediaKind.ARTICLE_IMAGE)
    assert "GIF" in caught.value.message
    assert sim.requests() == []


def test_an_article_image_of_one_megabyte_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    with pytest.raises(InvalidContent):
        wechat.upload_media(MediaFile("a.jpg", jpeg_bytes(1024 * 1024)), MediaKind.ARTICLE_IMAGE)
    assert sim.requests() == []


# -- drafts refused before sending ---------------------------------------------------------------
def test_a_title_over_32_characters_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat, title="标" * 33)
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        wechat.create_post(post)
    assert caught.value.field == "title"
    assert sim.requests(mark) == []


def test_an_external_image_in_the_body_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat, text='<p>看图</p><img src="https://cdn.example.com/a.png">')
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        wechat.create_post(post)
    assert caught.value.field == "text"
    assert sim.requests(mark) == []


def test_a_cover_not_yet_uploaded_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = PostRequest(title="标题", text="<p>正文</p>", cover=MediaFile("c.png", png_bytes()))
    with pytest.raises(InvalidContent) as caught:
        wechat.create_post(post)
    assert caught.value.field == "cover"
    assert sim.requests() == []


def test_a_mass_send_without_a_key_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat, delivery=Delivery.MASS_SEND)
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        wechat.create_post(post)
    assert caught.value.field == "idempotency_key"
    assert sim.requests(mark) == []


# -- publishing (发布) --------------------------------------------------------------------------
def test_publish_submits_and_polling_sees_it_published(wechat: WeChatConnector) -> None:
    created = wechat.create_post(article(wechat))
    assert created.job_id and created.draft_id and created.thread_id
    result = poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    assert result.state == PublishState.PUBLISHED
    assert result.post_id and result.urls[0].startswith("https://mp.weixin.qq.com/s?")


def test_a_published_article_is_listed_by_batchget(wechat: WeChatConnector) -> None:
    created = wechat.create_post(article(wechat))
    result = poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    assert result.post_id in [a["article_id"] for a in wechat.published_articles()]


def test_a_failed_publish_reports_the_reason(sim: SimHandle, wechat: WeChatConnector) -> None:
    sim.control("POST", "wechat/publish_outcome", {"appid": APPID, "publish_status": 4})
    created = wechat.create_post(article(wechat))
    result = poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    assert result.state == PublishState.FAILED and "review" in result.reason


def test_withdrawing_a_publication_removes_it(wechat: WeChatConnector) -> None:
    created = wechat.create_post(article(wechat))
    result = poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    wechat.withdraw(replace(created.ref(), post_id=result.post_id))
    assert wechat.publish_result(created).state == PublishState.REMOVED


def test_an_unverified_account_is_not_authorised_to_publish(sim: SimHandle) -> None:
    wechat = wechat_connector(sim.base_url, UNVERIFIED, UNVERIFIED_SECRET)
    with pytest.raises(NotAuthorised) as caught:
        wechat.create_post(article(wechat))
    assert caught.value.raw_code == 48001
    assert caught.value.partial is not None and caught.value.partial.draft_id


def test_the_daily_quota_is_quota_reached_until_china_midnight(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    sim.control(
        "POST", "wechat/quota", {"appid": APPID, "path": "/cgi-bin/draft/add", "daily_limit": 0}
    )
    with pytest.raises(QuotaReached) as caught:
        wechat.create_post(article(wechat))
    assert caught.value.raw_code == 45009
    reset = caught.value.reset_at
    assert reset is not None and reset > datetime.now(UTC)
    assert reset.astimezone(CHINA).time().isoformat() == "00:00:00"


# -- reconciling after a failed submit ------------------------------------------------------------
def test_a_submit_that_hung_but_took_effect_is_found_by_reconcile(sim: SimHandle) -> None:
    wechat = wechat_connector(sim.base_url, timeout=0.3)
    post = article(wechat)
    sim.fault(kind="hang", path="/cgi-bin/freepublish/submit", seconds=0.8, process=True)
    attempted = datetime.now(UTC)
    with pytest.raises(PlatformUnavailable) as caught:
        wechat.create_post(post)
    assert caught.value.may_have_reached
    sim.wait_answered("/cgi-bin/freepublish/submit")
    found = poll(
        lambda: wechat.reconcile(post, caught.value.partial, attempted_at=attempted),
        lambda r: r.outcome != ReconcileOutcome.UNDETERMINED,
    )
    assert found.outcome == ReconcileOutcome.FOUND
    assert found.created is not None and found.created.post_id and found.created.thread_id


def test_a_submit_refused_with_5xx_is_undetermined_at_first(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat)
    sim.fault(kind="http_status", path="/cgi-bin/freepublish/submit", status=502)
    attempted = datetime.now(UTC)
    with pytest.raises(PlatformUnavailable) as caught:
        wechat.create_post(post)
    outcome = wechat.reconcile(post, caught.value.partial, attempted_at=attempted).outcome
    assert outcome == ReconcileOutcome.UNDETERMINED


def test_a_submit_that_never_arrived_is_not_found_once_settled(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat)
    sim.fault(kind="http_status", path="/cgi-bin/freepublish/submit", status=502)
    with pytest.raises(PlatformUnavailable) as caught:
        wechat.create_post(post)
    partial = caught.value.partial
    assert partial is not None
    long_ago = datetime.now(UTC) - timedelta(minutes=15)
    result = wechat.reconcile(post, partial, attempted_at=long_ago)
    assert result.outcome == ReconcileOutcome.NOT_FOUND
    assert result.created is not None and result.created.draft_id == partial.draft_id


def test_reusing_the_draft_after_reconcile_makes_no_second_draft(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat)
    sim.fault(kind="http_status", path="/cgi-bin/freepublish/submit", status=502)
    with pytest.raises(PlatformUnavailable) as caught:
        wechat.create_post(post)
    assert caught.value.partial is not None
    mark = sim.mark()
    wechat.create_post(replace(post, platform_draft_id=caught.value.partial.draft_id))
    assert sim.paths(mark) == ["/cgi-bin/freepublish/submit"]


def test_a_draft_add_that_hung_leaves_a_draft_to_reuse(sim: SimHandle) -> None:
    wechat = wechat_connector(sim.base_url, timeout=0.3)
    post = article(wechat)
    sim.fault(kind="hang", path="/cgi-bin/draft/add", seconds=0.8, process=True)
    with pytest.raises(PlatformUnavailable):
        wechat.create_post(post)
    sim.wait_answered("/cgi-bin/draft/add")
    result = wechat.reconcile(post)
    assert result.outcome == ReconcileOutcome.NOT_FOUND
    assert result.created is not None and result.created.draft_id


# -- mass send (群发) ----------------------------------------------------------------------------
def test_mass_send_twice_with_one_key_sends_one_message(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat, delivery=Delivery.MASS_SEND, idempotency_key="campaign-42")
    first = wechat.create_post(post)
    second = wechat.create_post(post)
    assert second.duplicate and second.job_id == first.job_id
    sent = [
        r
        for r in sim.requests(path="/cgi-bin/message/mass/sendall")
        if r["response"].get("errcode") == 0
    ]
    assert len(sent) == 1
    assert len(sim.control("GET", "jobs")["mass"]) == 1


def test_a_mass_send_with_a_key_is_idempotent_to_retry(wechat: WeChatConnector) -> None:
    keyed = PostRequest(text="x", delivery=Delivery.MASS_SEND, idempotency_key="k")
    assert wechat.create_retry_safety(keyed) == Retry.IDEMPOTENT
    assert wechat.create_retry_safety(PostRequest(text="x")) == Retry.RECONCILE_ONLY


def test_a_mass_send_finishes_as_published(wechat: WeChatConnector) -> None:
    post = article(wechat, delivery=Delivery.MASS_SEND, idempotency_key="weekly-1")
    created = wechat.create_post(post)
    result = poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    assert result.state == PublishState.PUBLISHED and result.thread_id == created.thread_id


def test_a_key_resent_too_fast_is_unavailable_and_may_have_reached(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    post = article(wechat, delivery=Delivery.MASS_SEND, idempotency_key="fast")
    sim.fault(kind="errcode", path="/cgi-bin/message/mass/sendall", errcode=45066)
    with pytest.raises(PlatformUnavailable) as caught:
        wechat.create_post(post)
    assert caught.value.may_have_reached and "same key" in caught.value.message


def test_the_mass_send_allowance_is_quota_reached(sim: SimHandle, wechat: WeChatConnector) -> None:
    for n in range(4):  # a service account: four a month
        wechat.create_post(article(wechat, delivery=Delivery.MASS_SEND, idempotency_key=f"m{n}"))
    with pytest.raises(QuotaReached) as caught:
        wechat.create_post(article(wechat, delivery=Delivery.MASS_SEND, idempotency_key="m5"))
    assert caught.value.raw_code == 45028


def test_a_mass_send_without_its_id_is_undetermined(wechat: WeChatConnector) -> None:
    post = PostRequest(text="x", delivery=Delivery.MASS_SEND, idempotency_key="k")
    assert wechat.reconcile(post).outcome == ReconcileOutcome.UNDETERMINED


# -- comments -----------------------------------------------------------------------------------
def published_with_comment(sim: SimHandle, wechat: WeChatConnector) -> tuple[CreatedPost, str]:
    created = wechat.create_post(article(wechat))
    poll(lambda: wechat.publish_result(created), lambda r: r.state != "pending")
    added = sim.control(
        "POST",
        "comments",
        {"platform": "wechat", "appid": APPID, "msg_data_id": created.thread_id, "content": "好文"},
    )
    return created, str(added["user_comment_id"])


def test_comments_are_listed(sim: SimHandle, wechat: WeChatConnector) -> None:
    created, comment_id = published_with_comment(sim, wechat)
    page = wechat.fetch_comments(created.ref())
    assert [(c.comment_id, c.text) for c in page.comments] == [(comment_id, "好文")]


def test_a_reply_is_shown_on_the_comment(sim: SimHandle, wechat: WeChatConnector) -> None:
    created, comment_id = published_with_comment(sim, wechat)
    wechat.reply_to_comment(created.ref(), comment_id, "谢谢支持")
    page = wechat.fetch_comments(created.ref())
    assert page.comments[0].reply_text == "谢谢支持"


def test_a_second_reply_is_refused_by_wechat(sim: SimHandle, wechat: WeChatConnector) -> None:
    created, comment_id = published_with_comment(sim, wechat)
    ref = created.ref()
    wechat.reply_to_comment(ref, comment_id, "谢谢")
    with pytest.raises(PlatformRejected) as caught:
        wechat.reply_to_comment(ref, comment_id, "再谢")
    assert caught.value.raw_code == 88005


def test_a_comment_page_of_fifty_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    with pytest.raises(InvalidContent):
        wechat.fetch_comments(PostRef(thread_id="2247484000"), count=50)
    assert sim.requests() == []


# -- menu ---------------------------------------------------------------------------------------
MENU = {
    "button": [
        {"type": "click", "name": "今日推荐", "key": "TODAY"},
        {
            "name": "服务",
            "sub_button": [{"type": "view", "name": "官网", "url": "https://mediadesk.example/"}],
        },
    ]
}


def test_an_account_without_a_menu_has_none(wechat: WeChatConnector) -> None:
    assert wechat.get_menu() is None


def test_a_menu_set_is_read_back(wechat: WeChatConnector) -> None:
    wechat.set_menu(MENU)
    menu = wechat.get_menu()
    assert menu is not None
    assert [b["name"] for b in menu["button"]] == ["今日推荐", "服务"]  # type: ignore[index]


def test_a_menu_with_four_buttons_is_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    four = {"button": [{"type": "click", "name": f"按钮{i}", "key": f"K{i}"} for i in range(4)]}
    with pytest.raises(InvalidContent) as caught:
        wechat.set_menu(four)
    assert caught.value.field == "menu"
    assert sim.requests() == []


# -- figures ------------------------------------------------------------------------------------
def test_account_figures_give_one_row_per_day(wechat: WeChatConnector) -> None:
    yesterday = datetime.now(CHINA).date() - timedelta(days=1)
    rows = wechat.fetch_account_figures(yesterday - timedelta(days=9), yesterday)
    assert [r.day for r in rows] == [yesterday - timedelta(days=n) for n in range(9, -1, -1)]
    assert all({"new_followers", "lost_followers", "followers"} <= set(r.metrics) for r in rows)


def test_account_figures_for_today_are_refused_before_sending(
    sim: SimHandle, wechat: WeChatConnector
) -> None:
    today = datetime.now(CHINA).date()
    with pytest.raises(InvalidContent) as caught:
        wechat.fetch_account_figures(today - timedelta(days=2), today)
    assert caught.value.field == "dates"
    assert sim.requests() == []


def test_a_published_article_has_no_figures(wechat: WeChatConnector) -> None:
    with pytest.raises(NotSupported):
        wechat.fetch_post_figures(PostRef(post_id="a", thread_id="1", sent_on=date(2026, 1, 1)))


def test_the_article_summary_lists_mass_sent_articles_by_msgid(wechat: WeChatConnector) -> None:
    yesterday = datetime.now(CHINA).date() - timedelta(days=1)
    rows = [r for n in range(14) for r in wechat.article_summary(yesterday - timedelta(days=n))]
    assert rows  # the simulator seeds a history of mass sends on most days
    assert all(re.fullmatch(r"\d+_\d+", r.post_id) and "reads" in r.metrics for r in rows)


def test_a_proxy_named_in_the_environment_is_still_honoured(monkeypatch) -> None:
    from mediadesk.platforms.connectors import http

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    http._environment_proxies.cache_clear()
    try:
        client = http.Http("https://api.weixin.qq.com", platform="WeChat").client
        routes = [t for t in client._mounts.values() if t is not None]
        assert routes and all(isinstance(t, httpx.HTTPTransport) for t in routes)
    finally:
        http._environment_proxies.cache_clear()

"""The Douyin connector against the simulator: OAuth refresh and renewal, video, data,
comments."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from mediadesk.platforms.connectors import (
    CreatedPost,
    InvalidContent,
    MediaFile,
    MediaKind,
    NotAuthorised,
    PostRequest,
    PostState,
    PublishState,
    ReconcileOutcome,
    TokenExpired,
)
from mediadesk.platforms.connectors.douyin import DouyinConnector
from mediadesk.platforms.connectors.tokens import MemoryTokenStore

from .conftest import SimHandle, authorised_douyin, douyin_connector, mp4_bytes, png_bytes, poll

REFRESH = "/douyin/oauth/refresh_token/"
RENEW = "/douyin/oauth/renew_refresh_token/"
CREATE = "/douyin/api/douyin/v1/video/create_video/"


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def douyin(sim: SimHandle, store: MemoryTokenStore) -> DouyinConnector:
    return authorised_douyin(sim, store=store)


def age(douyin: DouyinConnector, store: MemoryTokenStore, **changes: float) -> None:
    """Move the stored token's expiry times (seconds from now) to where a test needs them."""
    token = store.get(douyin.key)
    assert token is not None
    now = time.time()
    store.put(douyin.key, replace(token, **{k: now + v for k, v in changes.items()}))


def posted_video(douyin: DouyinConnector, text: str = "新品开箱 #开箱") -> CreatedPost:
    video = douyin.upload_media(MediaFile("clip.mp4", mp4_bytes()), MediaKind.VIDEO)
    return douyin.create_post(PostRequest(text=text, media=(video,)))


# -- OAuth --------------------------------------------------------------------------------------
def test_the_code_exchange_gives_five_renewals(douyin: DouyinConnector) -> None:
    info = douyin.authenticate()
    assert info.renewals_left == 5 and info.subject and info.refresh_expires_at


def test_an_old_access_token_is_refreshed_and_the_refresh_token_kept(
    sim: SimHandle, douyin: DouyinConnector, store: MemoryTokenStore
) -> None:
    before = store.get(douyin.key)
    age(douyin, store, expires_at=-1)
    douyin.authenticate()
    after = store.get(douyin.key)
    assert before is not None and after is not None
    assert after.access_token != before.access_token
    assert after.refresh_token == before.refresh_token
    assert [r["path"] for r in sim.requests()].count(REFRESH) == 1


def test_the_sixth_renewal_is_refused_without_calling_douyin(
    sim: SimHandle, douyin: DouyinConnector
) -> None:
    for _ in range(5):
        douyin.renew_refresh_token()
    mark = sim.mark()
    with pytest.raises(TokenExpired) as caught:
        douyin.renew_refresh_token()
    assert caught.value.raw_code == 10020
    assert sim.requests(mark) == []


def test_each_renewal_rotates_the_refresh_token(
    douyin: DouyinConnector, store: MemoryTokenStore
) -> None:
    seen = set()
    for _ in range(5):
        douyin.renew_refresh_token()
        token = store.get(douyin.key)
        assert token is not None
        seen.add(token.refresh_token)
    assert len(seen) == 5


def test_douyin_counting_more_renewals_than_us_is_remembered(
    sim: SimHandle, douyin: DouyinConnector, store: MemoryTokenStore
) -> None:
    sim.fault(kind="errcode", path=RENEW, errcode=10020)
    with pytest.raises(TokenExpired):
        douyin.renew_refresh_token()
    assert douyin.authenticate().renewals_left == 0


def test_a_refresh_token_from_the_vault_is_used_on_first_call(sim: SimHandle) -> None:
    authorised = authorised_douyin(sim)
    stored = authorised.store.get(authorised.key)
    assert stored is not None
    fresh = douyin_connector(sim.base_url, credentials={"refresh_token": stored.refresh_token})
    info = fresh.authenticate()
    assert info.subject == stored.subject


def test_an_expired_token_on_a_call_is_refreshed_and_the_call_retried(
    sim: SimHandle, douyin: DouyinConnector
) -> None:
    video = douyin.upload_media(MediaFile("clip.mp4", mp4_bytes()), MediaKind.VIDEO)
    sim.fault(kind="errcode", path=CREATE, errcode=2190008)
    mark = sim.mark()
    douyin.create_post(PostRequest(text="重试", media=(video,)))
    assert sim.paths(mark) == [CREATE, REFRESH, CREATE]


# -- video ----------------------------------------------------------------------------------------
def test_an_uploaded_video_is_created_and_reviewed(douyin: DouyinConnector) -> None:
    created = posted_video(douyin)
    assert created.state == PostState.SUBMITTED and created.post_id
    result = poll(lambda: douyin.publish_result(created), lambda r: r.state != "pending")
    assert result.state == PublishState.PUBLISHED and result.urls[0].startswith("https://")


def test_a_picture_as_video_is_refused_before_sending(
    sim: SimHandle, douyin: DouyinConnector
) -> None:
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        douyin.upload_media(MediaFile("clip.mp4", png_bytes()), MediaKind.VIDEO)
    assert caught.value.field == "media"
    assert sim.requests(mark) == []


def test_a_post_without_a_video_is_refused_before_sending(
    sim: SimHandle, douyin: DouyinConnector
) -> None:
    mark = sim.mark()
    with pytest.raises(InvalidContent):
        douyin.create_post(PostRequest(text="没有视频"))
    assert sim.requests(mark) == []


def test_a_create_that_hung_is_found_by_reconcile(sim: SimHandle, store: MemoryTokenStore) -> None:
    douyin = authorised_douyin(sim, store=store, timeout=0.3)
    video = douyin.upload_media(MediaFile("clip.mp4", mp4_bytes()), MediaKind.VIDEO)
    post = PostRequest(text="超时后对账", media=(video,))
    sim.fault(kind="hang", path=CREATE, seconds=0.8, process=True)
    with pytest.raises(Exception) as caught:
        douyin.create_post(post)
    assert getattr(caught.value, "may_have_reached", False)
    sim.wait_answered(CREATE)
    assert douyin.reconcile(post).outcome == ReconcileOutcome.FOUND


def test_a_missing_scope_is_not_authorised(sim: SimHandle, douyin: DouyinConnector) -> None:
    sim.fault(kind="errcode", path=CREATE, errcode=2190004)
    with pytest.raises(NotAuthorised):
        posted_video(douyin)


def test_item_data_gives_play_like_comment_share(douyin: DouyinConnector) -> None:
    created = posted_video(douyin)
    figures = douyin.fetch_post_figures(created.ref())
    assert set(figures.metrics) == {"plays", "likes", "comments", "shares"}


# -- comments -------------------------------------------------------------------------------------
def test_comments_are_listed_and_answered(sim: SimHandle, douyin: DouyinConnector) -> None:
    created = posted_video(douyin)
    added = sim.control(
        "POST", "comments", {"platform": "douyin", "item_id": created.post_id, "content": "好看"}
    )
    page = douyin.fetch_comments(created.ref())
    assert added["comment_id"] in [c.comment_id for c in page.comments]
    reply = douyin.reply_to_comment(created.ref(), added["comment_id"], "谢谢喜欢")
    assert reply.reply_id

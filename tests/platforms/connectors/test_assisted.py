"""Assisted publishing: a package for a person, then the link they confirm. No platform call."""

from __future__ import annotations

import pytest

from mediadesk.platforms.connectors import (
    AccountRef,
    Connector,
    InvalidContent,
    MediaFile,
    PostRequest,
    PostState,
    PublishState,
    ReconcileOutcome,
    Retry,
    for_platform,
    retry_safety,
)

from .conftest import png_bytes

LINKS = {
    "xiaohongshu": "https://www.xiaohongshu.com/explore/66a1b2c3d4e5f60718293a4b",
    "wechat_channels": "https://channels.weixin.qq.com/web/pages/feed?eid=export%2FUzFf",
    "zhihu": "https://zhuanlan.zhihu.com/p/712345678",
}


def connector(platform: str) -> Connector:
    return for_platform(platform, AccountRef(platform=platform, name="集团官方号"))


def post(**changes: object) -> PostRequest:
    base = {
        "title": "新品发布",
        "text": "今天发布了新品，欢迎体验。",
        "media": (MediaFile("p1.png", png_bytes()),),
    }
    return PostRequest(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("platform", sorted(LINKS))
def test_create_prepares_a_package_for_a_person(platform: str) -> None:
    created = connector(platform).create_post(post())
    assert created.state == PostState.AWAITING_PERSON
    package = created.package
    assert package is not None
    assert package.text == "今天发布了新品，欢迎体验。" and len(package.media) == 1
    assert package.target == "集团官方号" and "paste the link" in package.instructions


@pytest.mark.parametrize("platform", sorted(LINKS))
def test_confirming_the_link_records_the_post(platform: str) -> None:
    assisted = connector(platform)
    created = assisted.create_post(post())
    result = assisted.confirm(created, LINKS[platform])
    assert result.state == PublishState.PUBLISHED and result.urls == (LINKS[platform],)


@pytest.mark.parametrize("platform", sorted(LINKS))
def test_a_link_to_another_site_is_refused(platform: str) -> None:
    assisted = connector(platform)
    with pytest.raises(InvalidContent) as caught:
        assisted.confirm(assisted.create_post(post()), "https://evil.example/p/1")
    assert caught.value.field == "url"


def test_the_same_post_gives_the_same_package() -> None:
    assisted = connector("xiaohongshu")
    assert assisted.create_post(post()).job_id == assisted.create_post(post()).job_id


def test_a_xiaohongshu_title_over_20_characters_is_refused() -> None:
    with pytest.raises(InvalidContent) as caught:
        connector("xiaohongshu").create_post(post(title="标" * 21))
    assert caught.value.field == "title"


def test_a_channels_post_needs_media() -> None:
    with pytest.raises(InvalidContent) as caught:
        connector("wechat_channels").create_post(post(media=()))
    assert caught.value.field == "media"


def test_an_unconfirmed_package_is_pending() -> None:
    assisted = connector("zhihu")
    assert assisted.publish_result(assisted.create_post(post())).state == PublishState.PENDING


def test_preparing_again_is_safe() -> None:
    assisted = connector("zhihu")
    assert assisted.reconcile(post()).outcome == ReconcileOutcome.NOT_FOUND
    assert retry_safety(assisted, "create_post") == Retry.IDEMPOTENT


def test_kuaishou_and_bilibili_are_assisted_for_now() -> None:
    assert connector("kuaishou").assisted and connector("bilibili").assisted

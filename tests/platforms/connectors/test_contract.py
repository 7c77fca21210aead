"""The same cases against every API connector and the simulator: how failures are typed and
whether a request may have reached the platform, and that a refused post sends nothing.

Each platform supplies the steps; the assertions are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from mediadesk.platforms.connectors import (
    Connector,
    CreatedPost,
    InvalidContent,
    MediaFile,
    MediaKind,
    NotAuthorised,
    PlatformUnavailable,
    PostRequest,
    QuotaReached,
    UploadedMedia,
)

from .conftest import (
    APPID,
    SAFE_DOMAIN,
    UNVERIFIED,
    UNVERIFIED_SECRET,
    SimHandle,
    authorised_douyin,
    authorised_weibo,
    dead_url,
    douyin_connector,
    mp4_bytes,
    png_bytes,
    wechat_connector,
    weibo_connector,
)


@dataclass(frozen=True)
class Case:
    name: str
    connect: Callable[[SimHandle, float], Connector]  # a ready connector, given a timeout
    connect_dead: Callable[[str], Connector]  # one aimed at an address that refuses
    prepare: Callable[[Connector], PostRequest]  # uploads what the post needs
    offline: PostRequest  # a post as if its media were uploaded (no request needed)
    create_path: str  # the request that creates the post, as the request log shows it
    invalid: Callable[[PostRequest], PostRequest]  # the post made to break a rule
    quota: Callable[[SimHandle], None] | None  # arrange the platform's quota refusal
    unauthorised: Callable[[SimHandle], Connector]  # a connector the platform refuses


def wechat_prepare(connector: Connector) -> PostRequest:
    cover = connector.upload_media(MediaFile("cover.png", png_bytes()), MediaKind.IMAGE)
    return PostRequest(title="合同测试", text="<p>正文</p>", cover=cover)


def douyin_prepare(connector: Connector) -> PostRequest:
    video = connector.upload_media(MediaFile("clip.mp4", mp4_bytes()), MediaKind.VIDEO)
    return PostRequest(text="合同测试视频", media=(video,))


def weibo_prepare(connector: Connector) -> PostRequest:
    return PostRequest(text=f"合同测试 https://{SAFE_DOMAIN}/contract")


def wechat_unverified(sim: SimHandle) -> Connector:
    return wechat_connector(sim.base_url, UNVERIFIED, UNVERIFIED_SECRET)


def weibo_unauthorised(sim: SimHandle) -> Connector:
    sim.fault(kind="errcode", path="/weibo/2/statuses/share.json", errcode=10014)
    return authorised_weibo(sim)


def douyin_unauthorised(sim: SimHandle) -> Connector:
    sim.fault(kind="errcode", path="/douyin/api/douyin/v1/video/*", errcode=2190004)
    return authorised_douyin(sim)


CASES = [
    Case(
        name="wechat",
        connect=lambda sim, timeout: wechat_connector(sim.base_url, timeout=timeout),
        connect_dead=lambda url: wechat_connector(url),
        prepare=wechat_prepare,
        offline=PostRequest(
            title="t", text="<p>x</p>", cover=UploadedMedia(MediaKind.IMAGE, media_id="m")
        ),
        create_path="/cgi-bin/freepublish/submit",
        invalid=lambda post: replace(post, title="超" * 40),
        quota=lambda sim: sim.control(
            "POST",
            "wechat/quota",
            {"appid": APPID, "path": "/cgi-bin/freepublish/submit", "daily_limit": 0},
        ),
        unauthorised=wechat_unverified,
    ),
    Case(
        name="weibo",
        connect=lambda sim, timeout: authorised_weibo(sim, timeout=timeout),
        connect_dead=lambda url: weibo_connector(url, credentials={"access_token": "2.00abc"}),
        prepare=weibo_prepare,
        offline=PostRequest(text=f"x https://{SAFE_DOMAIN}/"),
        create_path="/weibo/2/statuses/share.json",
        invalid=lambda post: replace(post, text="超" * 140 + f" https://{SAFE_DOMAIN}/"),
        quota=lambda sim: sim.fault(
            kind="errcode", path="/weibo/2/statuses/share.json", errcode=10024
        ),
        unauthorised=weibo_unauthorised,
    ),
    Case(
        name="douyin",
        connect=lambda sim, timeout: authorised_douyin(sim, timeout=timeout),
        connect_dead=lambda url: douyin_connector(url, credentials={"refresh_token": "rft.x"}),
        prepare=douyin_prepare,
        offline=PostRequest(text="x", media=(UploadedMedia(MediaKind.VIDEO, media_id="v"),)),
        create_path="/douyin/api/douyin/v1/video/create_video/",
        invalid=lambda post: replace(post, media=()),
        quota=None,  # Douyin documents no quota error for these calls
        unauthorised=douyin_unauthorised,
    ),
]
QUOTA_CASES = [case for case in CASES if case.quota is not None]


@pytest.fixture(params=CASES, ids=lambda case: case.name)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


def create(case: Case, connector: Connector) -> CreatedPost:
    return connector.create_post(case.prepare(connector))


def test_a_5xx_is_unavailable_and_may_have_reached(sim: SimHandle, case: Case) -> None:
    connector = case.connect(sim, 5.0)
    post = case.prepare(connector)
    sim.fault(kind="http_status", path=case.create_path, status=502)
    with pytest.raises(PlatformUnavailable) as caught:
        connector.create_post(post)
    assert caught.value.may_have_reached and caught.value.raw_code == 502


def test_a_timeout_is_unavailable_and_may_have_reached(sim: SimHandle, case: Case) -> None:
    connector = case.connect(sim, 0.3)
    post = case.prepare(connector)
    sim.fault(kind="hang", path=case.create_path, seconds=0.6, process=False)
    with pytest.raises(PlatformUnavailable) as caught:
        connector.create_post(post)
    assert caught.value.may_have_reached and "timed out" in caught.value.message


def test_a_refused_connection_did_not_reach(case: Case) -> None:
    connector = case.connect_dead(dead_url())
    with pytest.raises(PlatformUnavailable) as caught:
        connector.create_post(case.offline)
    assert caught.value.may_have_reached is False


def test_a_broken_rule_sends_nothing(sim: SimHandle, case: Case) -> None:
    connector = case.connect(sim, 5.0)
    post = case.invalid(case.prepare(connector))
    mark = sim.mark()
    with pytest.raises(InvalidContent):
        connector.create_post(post)
    assert sim.requests(mark) == []


def test_a_good_post_is_created_once(sim: SimHandle, case: Case) -> None:
    connector = case.connect(sim, 5.0)
    created = create(case, connector)
    assert created.job_id or created.post_id
    assert len(sim.requests(path=case.create_path)) == 1


@pytest.mark.parametrize("quota_case", QUOTA_CASES, ids=lambda c: c.name)
def test_a_used_up_quota_is_quota_reached_with_a_reset_time(
    sim: SimHandle, quota_case: Case
) -> None:
    connector = quota_case.connect(sim, 5.0)
    post = quota_case.prepare(connector)
    assert quota_case.quota is not None
    quota_case.quota(sim)
    with pytest.raises(QuotaReached) as caught:
        connector.create_post(post)
    assert caught.value.reset_at is not None and caught.value.message


def test_a_refusal_for_the_account_is_not_authorised(sim: SimHandle, case: Case) -> None:
    connector = case.unauthorised(sim)
    with pytest.raises(NotAuthorised) as caught:
        create(case, connector)
    assert caught.value.raw_code and caught.value.message

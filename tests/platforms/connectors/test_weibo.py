"""The Weibo connector against the simulator: OAuth, share with its rules, comments."""

from __future__ import annotations

import pytest

from mediadesk.platforms.connectors import (
    AssistedPublishingNeeded,
    CreatedPost,
    CredentialsMissing,
    InvalidContent,
    MediaFile,
    PostRequest,
    PostState,
    PublishState,
    ReconcileOutcome,
    TokenExpired,
)
from mediadesk.platforms.connectors.weibo import WeiboConnector
from mediadesk.platforms.connectors.weibo_rules import weibo_length

from .conftest import SAFE_DOMAIN, SimHandle, authorised_weibo, png_bytes, weibo_connector

SHARE = "/weibo/2/statuses/share.json"
LINK = f"https://{SAFE_DOMAIN}/news/1"


@pytest.fixture
def weibo(sim: SimHandle) -> WeiboConnector:
    return authorised_weibo(sim)


def test_the_code_exchange_gives_a_token_for_the_user(sim: SimHandle) -> None:
    connector = weibo_connector(sim.base_url)
    code = sim.oauth_code(connector.authorization_url("https://mediadesk.example/cb"))
    info = connector.exchange_code(code, "https://mediadesk.example/cb")
    assert info.subject.isdigit() and info.expires_at.year >= 2026


def test_without_a_stored_token_the_vault_is_asked(sim: SimHandle) -> None:
    with pytest.raises(CredentialsMissing):
        weibo_connector(sim.base_url).create_post(PostRequest(text=f"新闻 {LINK}"))
    assert sim.requests() == []


def test_a_share_is_published_at_once(weibo: WeiboConnector) -> None:
    created = weibo.create_post(PostRequest(text=f"集团发布年度报告 {LINK}"))
    assert created.state == PostState.PUBLISHED and created.post_id
    assert created.url.startswith("https://weibo.com/")


def test_a_share_with_a_picture_sends_it(sim: SimHandle, weibo: WeiboConnector) -> None:
    post = PostRequest(text=f"活动现场 {LINK}", media=(MediaFile("scene.png", png_bytes()),))
    weibo.create_post(post)
    (sent,) = sim.requests(path=SHARE)
    assert sent["body"]["files"]["pic"]["content_type"] == "image/png"


def test_a_published_share_reads_back_as_published(weibo: WeiboConnector) -> None:
    created = weibo.create_post(PostRequest(text=f"周末活动预告 {LINK}"))
    assert weibo.publish_result(created).state == PublishState.PUBLISHED


def test_a_withdrawn_share_reads_back_as_removed(weibo: WeiboConnector) -> None:
    created = weibo.create_post(PostRequest(text=f"一条将被撤回的消息 {LINK}"))
    weibo.withdraw(created.ref())
    assert weibo.publish_result(created).state == PublishState.REMOVED


def test_a_topic_needs_assisted_publishing_and_nothing_is_sent(
    sim: SimHandle, weibo: WeiboConnector
) -> None:
    mark = sim.mark()
    with pytest.raises(AssistedPublishingNeeded) as caught:
        weibo.create_post(PostRequest(text=f"#年度报告# 发布了 {LINK}"))
    assert caught.value.field == "text" and "assisted" in caught.value.message
    assert sim.requests(mark) == []


def test_over_140_characters_is_refused_before_sending(
    sim: SimHandle, weibo: WeiboConnector
) -> None:
    text = "长" * 131 + " " + LINK  # 131 + ½ + 10 for the link
    assert weibo_length(text) == 142
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        weibo.create_post(PostRequest(text=text))
    assert caught.value.field == "text"
    assert sim.requests(mark) == []


def test_a_link_outside_the_safe_domain_is_refused_before_sending(
    sim: SimHandle, weibo: WeiboConnector
) -> None:
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        weibo.create_post(PostRequest(text="看这里 https://elsewhere.example/a"))
    assert SAFE_DOMAIN in caught.value.message
    assert sim.requests(mark) == []


def test_a_picture_over_5_mb_is_refused_before_sending(
    sim: SimHandle, weibo: WeiboConnector
) -> None:
    big = MediaFile("big.png", png_bytes(pad=5 * 1024 * 1024))
    mark = sim.mark()
    with pytest.raises(InvalidContent) as caught:
        weibo.create_post(PostRequest(text=f"图 {LINK}", media=(big,)))
    assert caught.value.field == "media"
    assert sim.requests(mark) == []


def test_the_same_text_twice_is_refused_by_weibo(weibo: WeiboConnector) -> None:
    post = PostRequest(text=f"重复的内容 {LINK}")
    weibo.create_post(post)
    with pytest.raises(InvalidContent) as caught:
        weibo.create_post(post)
    assert caught.value.raw_code == 20019


def test_an_expired_authorisation_is_token_expired(sim: SimHandle, weibo: WeiboConnector) -> None:
    sim.fault(kind="errcode", path=SHARE, errcode=21327)
    with pytest.raises(TokenExpired):
        weibo.create_post(PostRequest(text=f"过期 {LINK}"))


def test_a_share_without_its_id_is_undetermined(weibo: WeiboConnector) -> None:
    result = weibo.reconcile(PostRequest(text=f"不确定 {LINK}"))
    assert result.outcome == ReconcileOutcome.UNDETERMINED and "20019" in result.note


def test_post_figures_count_comments_reposts_and_likes(weibo: WeiboConnector) -> None:
    created = weibo.create_post(PostRequest(text=f"数据 {LINK}"))
    figures = weibo.fetch_post_figures(created.ref())
    assert set(figures.metrics) == {"comments", "reposts", "likes"}


# -- comments -------------------------------------------------------------------------------------
def shared_with_comment(sim: SimHandle, weibo: WeiboConnector) -> tuple[CreatedPost, str]:
    created = weibo.create_post(PostRequest(text=f"欢迎留言 {LINK}"))
    added = sim.control(
        "POST", "comments", {"platform": "weibo", "status_id": created.post_id, "text": "支持！"}
    )
    return created, str(added["id"])


def test_comments_are_listed(sim: SimHandle, weibo: WeiboConnector) -> None:
    created, comment_id = shared_with_comment(sim, weibo)
    page = weibo.fetch_comments(created.ref())
    assert (comment_id, "支持！") in [(c.comment_id, c.text) for c in page.comments]


def test_a_reply_answers_the_comment(sim: SimHandle, weibo: WeiboConnector) -> None:
    created, comment_id = shared_with_comment(sim, weibo)
    reply = weibo.reply_to_comment(created.ref(), comment_id, "谢谢！")
    assert reply.reply_id and reply.text.endswith("谢谢！")


def test_the_account_can_comment_on_its_post(weibo: WeiboConnector) -> None:
    created = weibo.create_post(PostRequest(text=f"置顶说明 {LINK}"))
    comment = weibo.comment_on_post(created.ref(), "补充说明：报名截至周五。")
    assert comment.reply_id

"""The interface itself: retry-safety tags, the registry, the typed errors."""

from __future__ import annotations

import pytest

from mediadesk.accounts.models import Platform
from mediadesk.core.errors import DomainError
from mediadesk.platforms.connectors import (
    CONNECTORS,
    OPERATIONS,
    AccountRef,
    AssistedPublishingNeeded,
    ConnectorError,
    CredentialsMissing,
    InvalidContent,
    NotAuthorised,
    NotSupported,
    PlatformUnavailable,
    QuotaReached,
    Retry,
    TokenExpired,
    for_platform,
    retry_safety,
)
from mediadesk.platforms.connectors.assisted import AssistedConnector
from mediadesk.platforms.connectors.douyin import DouyinConnector
from mediadesk.platforms.connectors.wechat import WeChatConnector
from mediadesk.platforms.connectors.weibo import WeiboConnector

CLASSES = [WeChatConnector, WeiboConnector, DouyinConnector, AssistedConnector]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_operation_carries_a_retry_tag(cls: type) -> None:
    assert all(isinstance(retry_safety(cls, name), Retry) for name in OPERATIONS)


def test_reads_are_safe_and_creates_reconcile_only() -> None:
    for cls in (WeChatConnector, WeiboConnector, DouyinConnector):
        assert retry_safety(cls, "publish_result") == Retry.SAFE
        assert retry_safety(cls, "fetch_comments") == Retry.SAFE
        assert retry_safety(cls, "create_post") == Retry.RECONCILE_ONLY


def test_replies_are_never_retried_where_they_would_double() -> None:
    assert retry_safety(WeiboConnector, "reply_to_comment") == Retry.NEVER
    assert retry_safety(DouyinConnector, "reply_to_comment") == Retry.NEVER
    assert retry_safety(WeChatConnector, "reply_to_comment") == Retry.RECONCILE_ONLY


def test_douyin_renewal_is_never_retried() -> None:
    assert retry_safety(DouyinConnector, "renew_refresh_token") == Retry.NEVER


def test_every_platform_but_the_website_has_a_connector() -> None:
    assert set(CONNECTORS) == set(Platform.values) - {Platform.WEBSITE}


@pytest.mark.parametrize(
    ("platform", "cls"),
    [
        ("wechat_service", WeChatConnector),
        ("wechat_subscription", WeChatConnector),
        ("weibo", WeiboConnector),
        ("douyin", DouyinConnector),
        ("xiaohongshu", AssistedConnector),
        ("wechat_channels", AssistedConnector),
        ("zhihu", AssistedConnector),
    ],
)
def test_the_registry_picks_the_connector(platform: str, cls: type) -> None:
    connector = for_platform(platform, AccountRef(platform=platform, app_id="x"))
    assert type(connector) is cls and connector.platform == platform
    connector.close()


def test_a_website_has_no_connector() -> None:
    with pytest.raises(NotSupported):
        for_platform("website", AccountRef(platform="website"))


def test_missing_operations_say_so() -> None:
    weibo = for_platform("weibo", AccountRef(platform="weibo"))
    with pytest.raises(NotSupported) as caught:
        weibo.get_menu()
    assert "weibo" in caught.value.message


def test_a_missing_secret_is_reported_before_anything_is_sent() -> None:
    wechat = for_platform(
        "wechat_service", AccountRef(platform="wechat_service", app_id="wx1", name="集团号")
    )
    with pytest.raises(CredentialsMissing) as caught:
        wechat.authenticate()
    assert "集团号" in caught.value.message and isinstance(caught.value, NotAuthorised)


def test_connector_errors_are_domain_errors_with_a_code() -> None:
    errors = [
        TokenExpired("x"),
        QuotaReached("x"),
        NotAuthorised("x"),
        InvalidContent("x", field="title"),
        AssistedPublishingNeeded("x", field="text"),
        PlatformUnavailable("x", may_have_reached=False),
    ]
    assert all(isinstance(e, DomainError) and isinstance(e, ConnectorError) for e in errors)
    assert len({e.code for e in errors}) == len(errors)


def test_invalid_content_names_its_field() -> None:
    error = InvalidContent("The title is too long.", field="title")
    assert error.fields == {"title": "The title is too long."}


def test_the_raw_code_shows_in_the_text_for_support() -> None:
    error = QuotaReached("Used up.", platform="WeChat", raw_code=45009, raw_message="rid: 1")
    assert str(error) == "Used up. [WeChat 45009]"

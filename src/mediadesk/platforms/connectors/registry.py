"""Which connector serves which ``Platform`` of ``mediadesk.accounts.models``.

The keys are the ``Platform`` values as plain strings so that this package needs no Django
(a test checks they match the model's choices). Kuaishou and Bilibili have publishing APIs
but no connector yet: they use assisted publishing for now. A website has no connector.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .assisted import AssistedConnector
from .base import Connector
from .douyin import DouyinConnector
from .errors import NotSupported
from .values import AccountRef
from .wechat import WeChatConnector
from .weibo import WeiboConnector

CONNECTORS: dict[str, type[Connector]] = {
    "wechat_service": WeChatConnector,
    "wechat_subscription": WeChatConnector,
    "weibo": WeiboConnector,
    "douyin": DouyinConnector,
    "xiaohongshu": AssistedConnector,
    "wechat_channels": AssistedConnector,
    "zhihu": AssistedConnector,
    "kuaishou": AssistedConnector,  # has an API; assisted until a connector is written
    "bilibili": AssistedConnector,  # likewise
}
ASSISTED_FOR_NOW = frozenset({"kuaishou", "bilibili"})


def for_platform(platform: str, ref: AccountRef, **options: Any) -> Connector:
    """The connector for ``platform`` acting for ``ref``. ``options`` (``store``,
    ``transport``, ``clock``) go to API connectors; assisted ones take none."""
    cls = CONNECTORS.get(platform)
    if cls is None:
        raise NotSupported(f"There is no connector for the platform {platform!r}.")
    if ref.platform != platform:
        ref = replace(ref, platform=platform)
    if cls is AssistedConnector:
        return AssistedConnector(ref)
    return cls(ref, **options)  # type: ignore[call-arg]


def ref_for_account(
    account: Any,
    *,
    app_id: str = "",
    base_url: str = "",
    options: dict[str, Any] | None = None,
    timeout: float | None = None,
) -> AccountRef:
    """An :class:`AccountRef` for a ``SocialAccount``, reading secrets from the vault on demand.

    Imports Django lazily: the rest of this package works without it.
    """
    from mediadesk.accounts.credentials import credential_value

    def credentials(kind: str, label: str = "") -> str | None:
        return credential_value(account, kind, label)

    return AccountRef(
        platform=account.platform,
        app_id=app_id or account.platform_account_id,
        base_url=base_url,
        credentials=credentials,
        account_id=str(account.pk),
        name=account.name,
        options=dict(options or {}),
        **({"timeout": timeout} if timeout is not None else {}),
    )

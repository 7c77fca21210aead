"""Platform connectors: one interface for WeChat, Weibo, Douyin and assisted publishing.

Start at :func:`for_platform`; the interface and retry-safety tags are in :mod:`.base`, the
typed errors in :mod:`.errors`, the values passed around in :mod:`.values`.
"""

from .base import OPERATIONS, Connector, Retry, retry_safety
from .errors import (
    AssistedPublishingNeeded,
    ConnectorError,
    CredentialsMissing,
    InvalidContent,
    MediaUnknown,
    NotAuthorised,
    NotSupported,
    PlatformRejected,
    PlatformUnavailable,
    QuotaReached,
    TokenExpired,
)
from .registry import CONNECTORS, for_platform, ref_for_account
from .values import (
    AccountRef,
    CreatedPost,
    Delivery,
    MediaFile,
    MediaKind,
    PostRef,
    PostRequest,
    PostState,
    PublishResult,
    PublishState,
    ReconcileOutcome,
    Reconciliation,
    UploadedMedia,
)

__all__ = [
    "CONNECTORS",
    "OPERATIONS",
    "AccountRef",
    "AssistedPublishingNeeded",
    "Connector",
    "ConnectorError",
    "CreatedPost",
    "CredentialsMissing",
    "Delivery",
    "InvalidContent",
    "MediaFile",
    "MediaKind",
    "MediaUnknown",
    "NotAuthorised",
    "NotSupported",
    "PlatformRejected",
    "PlatformUnavailable",
    "PostRef",
    "PostRequest",
    "PostState",
    "PublishResult",
    "PublishState",
    "QuotaReached",
    "ReconcileOutcome",
    "Reconciliation",
    "Retry",
    "TokenExpired",
    "UploadedMedia",
    "for_platform",
    "ref_for_account",
    "retry_safety",
]

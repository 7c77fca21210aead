"""The plain values connectors take and return: no Django model, no platform JSON.

Keeping these free of Django lets connectors be exercised against the simulator in a bare
test, and keeps the publishing state machine ignorant of each platform's shapes (which stay
available in ``raw`` for the rare screen that needs them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .errors import CredentialsMissing

CredentialGetter = Callable[..., "str | None"]  # (kind, label="") -> value or None


def no_credentials(kind: str, label: str = "") -> str | None:
    return None


@dataclass(frozen=True)
class AccountRef:
    """Everything a connector needs to act for one account.

    ``credentials(kind, label="")`` returns a secret by vault kind (``app_secret``,
    ``access_token``, ``refresh_token``…) or None; in the product it is
    ``accounts.credentials.credential_value`` bound to the account, in tests a dict lookup.
    ``options`` carries per-account settings that are not secret (Weibo ``safe_domains`` and
    ``rip``, Douyin ``open_id``, a WeChat ``mass_tag_id``…).
    """

    platform: str
    app_id: str = ""  # WeChat appid, Weibo app key, Douyin client_key
    base_url: str = ""  # "" means the real platform
    credentials: CredentialGetter = no_credentials
    account_id: str = ""  # our account's id, so user tokens of one app do not mix
    name: str = ""  # shown in messages and assisted packages
    options: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = 15.0

    def secret(self, kind: str, label: str = "") -> str:
        """A credential that must exist; a clear error (nothing sent) when it does not."""
        value = self.credentials(kind, label)
        if not value:
            what = kind.replace("_", " ")
            raise CredentialsMissing(
                f"The {what} of {self.name or self.app_id or 'this account'} is not in the "
                "credentials vault; add it before connecting the account.",
                platform=self.platform,
            )
        return value


class MediaKind(StrEnum):
    IMAGE = "image"  # a picture kept by the platform (WeChat permanent image, a cover)
    ARTICLE_IMAGE = "article_image"  # an image inside a WeChat article body (uploadimg)
    THUMB = "thumb"
    VOICE = "voice"
    VIDEO = "video"


@dataclass(frozen=True)
class MediaFile:
    """A file to upload; ``title``/``description`` are needed for WeChat video material."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str = ""
    title: str = ""
    description: str = ""

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class UploadedMedia:
    """A file the platform holds: ``media_id`` (WeChat, Douyin video_id) and/or ``url``."""

    kind: MediaKind
    media_id: str = ""
    url: str = ""


class Delivery(StrEnum):
    """How a post goes out. On WeChat the two differ in reach, quota and figures."""

    PUBLISH = "publish"  # WeChat 发布: on the account page, not pushed, not in datacube
    MASS_SEND = "mass_send"  # WeChat 群发: pushed to followers, scarce, counted by datacube


@dataclass(frozen=True)
class PostRequest:
    """A post as the product means it; each connector turns it into its platform's request.

    ``text`` is HTML for a WeChat article and plain text elsewhere. ``cover`` and ``media`` are
    uploaded first with ``upload_media`` (WeChat, Douyin) or given as files (Weibo picture,
    assisted packages). ``idempotency_key`` becomes WeChat's ``clientmsgid`` on a mass send.
    """

    text: str
    title: str = ""
    digest: str = ""
    author: str = ""
    cover: UploadedMedia | MediaFile | None = None
    media: tuple[UploadedMedia | MediaFile, ...] = ()
    source_url: str = ""  # WeChat "阅读原文" link
    delivery: Delivery = Delivery.PUBLISH
    idempotency_key: str = ""
    open_comments: bool = False
    fans_only_comments: bool = False
    audience_tag_id: int | None = None  # WeChat mass send to one tag; None: all followers
    platform_draft_id: str = ""  # a WeChat draft already made for this post, to reuse
    target: str = ""  # assisted publishing: where a person should post it
    extra: Mapping[str, Any] = field(default_factory=dict)


class PostState(StrEnum):
    DRAFTED = "drafted"  # only a platform draft exists (a create stopped half-way)
    SUBMITTED = "submitted"  # the platform took it; the outcome comes later
    PUBLISHED = "published"
    AWAITING_PERSON = "awaiting_person"  # assisted: a person must post it in the app


@dataclass(frozen=True)
class PostRef:
    """What identifies a post for follow-up calls (figures, comments, withdraw)."""

    post_id: str = ""  # WeChat article_id, Weibo status id, Douyin item_id
    job_id: str = ""  # WeChat publish_id or mass msg_id
    thread_id: str = ""  # WeChat msg_data_id, which keys comments and datacube rows
    index: int = 0  # article position in a WeChat post, 0-based
    delivery: Delivery = Delivery.PUBLISH
    sent_on: date | None = None  # day of sending (WeChat datacube needs it)


@dataclass(frozen=True)
class AssistedPackage:
    """What a person needs to publish a post in an app that has no publishing API."""

    platform: str
    target: str
    title: str
    text: str
    cover: MediaFile | UploadedMedia | None
    media: tuple[MediaFile | UploadedMedia, ...]
    instructions: str
    package_id: str


@dataclass(frozen=True)
class CreatedPost:
    """What a create returned. Store ``job_id``/``post_id`` before any follow-up call."""

    platform: str
    state: PostState
    delivery: Delivery = Delivery.PUBLISH
    job_id: str = ""
    post_id: str = ""
    url: str = ""
    draft_id: str = ""
    thread_id: str = ""
    duplicate: bool = False  # the platform recognised the idempotency key: no new post
    package: AssistedPackage | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def ref(self, index: int = 0) -> PostRef:
        return PostRef(
            post_id=self.post_id,
            job_id=self.job_id,
            thread_id=self.thread_id,
            index=index,
            delivery=self.delivery,
        )


class PublishState(StrEnum):
    PENDING = "pending"  # still being published or reviewed
    PUBLISHED = "published"
    FAILED = "failed"
    REMOVED = "removed"  # was out, then deleted by a person or blocked by the platform


@dataclass(frozen=True)
class PublishResult:
    state: PublishState
    post_id: str = ""
    urls: tuple[str, ...] = ()
    thread_id: str = ""
    failed_items: tuple[int, ...] = ()  # 1-based article positions (WeChat fail_idx)
    reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


class ReconcileOutcome(StrEnum):
    FOUND = "found"  # the create took effect: do not send again
    NOT_FOUND = "not_found"  # it did not: sending again is safe
    UNDETERMINED = "undetermined"  # cannot tell yet; ``note`` says what to do


@dataclass(frozen=True)
class Reconciliation:
    outcome: ReconcileOutcome
    created: CreatedPost | None = None  # when found, or a reusable partial (a draft)
    result: PublishResult | None = None
    note: str = ""


@dataclass(frozen=True)
class TokenInfo:
    """When the account's access (and refresh) token run out; never the token itself."""

    platform: str
    expires_at: datetime
    refresh_expires_at: datetime | None = None
    renewals_left: int | None = None
    subject: str = ""  # Weibo uid, Douyin open_id


@dataclass(frozen=True)
class Comment:
    comment_id: str
    text: str
    author_id: str = ""
    created_at: datetime | None = None
    reply_text: str = ""  # our reply, where the platform keeps one per comment (WeChat)
    elected: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CommentPage:
    comments: tuple[Comment, ...]
    next_cursor: str | None = None
    total: int | None = None


@dataclass(frozen=True)
class CommentReply:
    comment_id: str  # the comment answered
    reply_id: str = ""  # the reply's own id, where the platform gives one
    text: str = ""


@dataclass(frozen=True)
class PostFigures:
    """Figures for one post; keys are ``reads``, ``likes``, ``comments``, ``shares``,
    ``favourites``, ``reposts`` where the platform has them."""

    post_id: str
    metrics: Mapping[str, int]
    as_of: date | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class DailyFigures:
    """Account figures for one day (``new_followers``, ``lost_followers``, ``followers``…)."""

    day: date
    metrics: Mapping[str, int]

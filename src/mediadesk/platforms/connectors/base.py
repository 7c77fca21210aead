"""The one interface the product uses to talk to any platform, and how safe each call is to retry.

Publishing is a state machine on a database row (design notes): before it retries a platform
call it must know what a repeat would do. Every operation therefore carries a tag —

* ``SAFE``: a read; repeat at will;
* ``IDEMPOTENT``: a repeat has the same effect as one call (or at most leaves an invisible
  leftover, like an unused upload);
* ``RECONCILE_ONLY``: after a timeout or a "may have reached" failure, look the result up with
  :meth:`Connector.reconcile` before trying again — repeating blindly may post twice;
* ``NEVER``: do not repeat automatically; a person decides.

A platform whose call is safer than the interface's default re-tags its override (WeChat
replies are idempotent because WeChat keeps one reply per comment).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from .errors import NotSupported
from .values import (
    AccountRef,
    CommentPage,
    CommentReply,
    CreatedPost,
    DailyFigures,
    MediaFile,
    MediaKind,
    PostFigures,
    PostRef,
    PostRequest,
    PublishResult,
    Reconciliation,
    TokenInfo,
    UploadedMedia,
)

F = TypeVar("F", bound=Callable[..., Any])


class Retry(StrEnum):
    SAFE = "safe"
    IDEMPOTENT = "idempotent"
    RECONCILE_ONLY = "reconcile_only"
    NEVER = "never"


def operation(tag: Retry) -> Callable[[F], F]:
    """Mark a connector method with its retry-safety tag."""

    def mark(fn: F) -> F:
        fn.__retry__ = tag  # type: ignore[attr-defined]
        return fn

    return mark


OPERATIONS = (
    "authenticate",
    "upload_media",
    "create_post",
    "publish_result",
    "reconcile",
    "confirm",
    "withdraw",
    "fetch_post_figures",
    "fetch_account_figures",
    "fetch_comments",
    "reply_to_comment",
    "get_menu",
    "set_menu",
)


def retry_safety(connector: Connector | type[Connector], name: str) -> Retry:
    """The tag of ``name`` on this connector: its own override's, else the interface's."""
    klass = connector if isinstance(connector, type) else type(connector)
    for owner in klass.__mro__:
        fn = owner.__dict__.get(name)
        tag = getattr(fn, "__retry__", None)
        if tag is not None:
            return Retry(tag)
    raise KeyError(f"{klass.__name__}.{name} is not a tagged connector operation")


class Connector(ABC):
    """What the product needs from a platform. Operations a platform lacks raise
    :class:`NotSupported` with a sentence saying so."""

    platform: str = ""
    assisted: ClassVar[bool] = False  # True: a person publishes, the product prepares

    def __init__(self, ref: AccountRef) -> None:
        self.ref = ref
        self.platform = ref.platform or self.platform

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self) -> None:  # noqa: B027 - optional hook: only HTTP connectors hold a pool
        """Release the HTTP connection pool, if any."""

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(f"{what} is not available for {self.platform}.", platform=self.platform)

    # -- the operations -----------------------------------------------------------------------
    @operation(Retry.IDEMPOTENT)
    def authenticate(self, *, force: bool = False) -> TokenInfo:
        """Make sure a usable token is held (fetching or renewing it) and say until when."""
        raise self._unsupported("Connecting")

    @operation(Retry.IDEMPOTENT)
    def upload_media(self, media: MediaFile, kind: MediaKind) -> UploadedMedia:
        """Check the file against the platform's rules, then upload it. A repeat leaves at most
        an unused copy in the platform's library, never a visible post."""
        raise self._unsupported("Uploading media")

    @abstractmethod
    @operation(Retry.RECONCILE_ONLY)
    def create_post(self, post: PostRequest) -> CreatedPost:
        """Check the post against the platform's rules (nothing is sent when it breaks one),
        then create it. On failure after a partial success the error's ``partial`` says what
        exists (a WeChat draft)."""

    def create_retry_safety(self, post: PostRequest) -> Retry:
        """The tag of ``create_post`` for this very post (a WeChat mass send with an
        idempotency key is safer than the default)."""
        return retry_safety(self, "create_post")

    @abstractmethod
    @operation(Retry.SAFE)
    def publish_result(self, created: CreatedPost) -> PublishResult:
        """Where a created post stands now: pending, published (with URLs), failed, removed."""

    @abstractmethod
    @operation(Retry.SAFE)
    def reconcile(
        self,
        post: PostRequest,
        partial: CreatedPost | None = None,
        *,
        attempted_at: datetime | None = None,
    ) -> Reconciliation:
        """After a create failed with ``may_have_reached``: did the post come out? ``partial``
        is what the failed create left (``error.partial``), ``attempted_at`` when it ran."""

    @operation(Retry.IDEMPOTENT)
    def confirm(self, created: CreatedPost, url: str) -> PublishResult:
        """Assisted publishing: record the link of the post a person published in the app."""
        raise self._unsupported("Confirming a post by its link")

    @operation(Retry.IDEMPOTENT)
    def withdraw(self, ref: PostRef) -> None:
        """Delete a published post (or one article of it)."""
        raise self._unsupported("Withdrawing a post")

    @operation(Retry.SAFE)
    def fetch_post_figures(self, ref: PostRef) -> PostFigures:
        raise self._unsupported("Post figures")

    @operation(Retry.SAFE)
    def fetch_account_figures(self, start: date, end: date) -> list[DailyFigures]:
        raise self._unsupported("Account figures")

    @operation(Retry.SAFE)
    def fetch_comments(
        self, ref: PostRef, *, cursor: str | None = None, count: int = 20
    ) -> CommentPage:
        raise self._unsupported("Reading comments")

    @operation(Retry.NEVER)
    def reply_to_comment(self, ref: PostRef, comment_id: str, text: str) -> CommentReply:
        raise self._unsupported("Replying to comments")

    @operation(Retry.SAFE)
    def get_menu(self) -> dict[str, Any] | None:
        """The account's custom menu (WeChat), or None when it has none."""
        raise self._unsupported("A custom menu")

    @operation(Retry.IDEMPOTENT)
    def set_menu(self, menu: dict[str, Any]) -> None:
        """Replace the whole custom menu (WeChat). Approval and audit are the caller's job."""
        raise self._unsupported("A custom menu")

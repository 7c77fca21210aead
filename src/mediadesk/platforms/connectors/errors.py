"""The few errors a connector raises, whatever the platform said.

Product code (publishing, inbox, figures) reacts to *kinds* of failure — renew a token, wait
for a quota, ask a person to fix the post, retry later — not to the hundreds of platform codes.
Each platform module maps its codes onto these classes and keeps the platform's own code and
text on the exception (``raw_code``, ``raw_message``) for support staff and the audit log.

They are :class:`~mediadesk.core.errors.DomainError` subclasses, so the web UI and the API
show ``message`` as they show any other domain error. Messages never contain a token or an
URL with a token in it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mediadesk.core.errors import DomainError

if TYPE_CHECKING:
    from .values import CreatedPost


def _as_is(text: str) -> str:
    return text


_translate: Callable[[str], str] = _as_is


def use_translation(translate: Callable[[str], str]) -> None:
    """Show the connectors' fixed sentences in the reader's language: the platforms app passes
    Django's ``gettext`` (the catalogue is ``platforms/locale``); the connectors themselves
    stay free of Django. ``str(error)``, for logs, keeps the English."""
    global _translate
    _translate = translate


class ConnectorError(DomainError):
    """A platform call failed; ``message`` is for a person, ``raw_*`` for support."""

    code = "platform_error"
    http_status = 502

    @property
    def message(self) -> str:
        """In the language active when it is read (a sentence with the platform's own words
        or numbers in it is not in the catalogue and stays as it is)."""
        return _translate(self._message) if self._message else ""

    @message.setter
    def message(self, value: str) -> None:
        self._message = value

    @property
    def fields(self) -> dict[str, Any]:
        return {
            k: _translate(v) if isinstance(v, str) and v else v for k, v in self._fields.items()
        }

    @fields.setter
    def fields(self, value: dict[str, Any]) -> None:
        self._fields = value

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        raw_code: int | str | None = None,
        raw_message: str = "",
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, fields=fields)
        self.platform = platform
        self.raw_code = raw_code
        self.raw_message = raw_message
        # What a multi-step create managed before failing (a WeChat draft id, say), so the
        # caller can reconcile or reuse it instead of starting from nothing.
        self.partial: CreatedPost | None = None

    def __str__(self) -> str:
        if self.raw_code is None:
            return self._message
        return f"{self._message} [{self.platform} {self.raw_code}]"


class TokenExpired(ConnectorError):
    """The platform rejected the account's token even after one renewal: a person must
    reconnect the account (or fix its app secret)."""

    code = "platform_token_expired"
    http_status = 401


class QuotaReached(ConnectorError):
    """A platform limit is used up; ``reset_at`` (UTC) says when to try again, if known."""

    code = "platform_quota_reached"
    http_status = 429

    def __init__(self, message: str, *, reset_at: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at


class NotAuthorised(ConnectorError):
    """The platform refuses this operation for this account: unverified account (WeChat
    48001), missing permission or scope, IP not whitelisted, wrong app secret, banned."""

    code = "platform_not_authorised"
    http_status = 403


class CredentialsMissing(NotAuthorised):
    """The vault holds no value for a credential the connector needs; nothing was sent."""

    code = "platform_credentials_missing"


class InvalidContent(ConnectorError):
    """The post or file breaks a platform rule; ``field`` names the offending input.

    Raised before sending whenever the rule is known, so that nothing reaches the platform.
    """

    code = "platform_invalid_content"
    http_status = 422

    def __init__(self, message: str, *, field: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("fields", {field: message} if field else None)
        super().__init__(message, **kwargs)
        self.field = field


class MediaUnknown(InvalidContent):
    """The platform does not know a media id the post names (WeChat 40007): the file was
    never uploaded as it should be, or was since deleted from the account's library in the
    platform's back office. A caller that reused an earlier upload uploads the file again."""

    code = "platform_media_unknown"


class AssistedPublishingNeeded(InvalidContent):
    """The platform's API cannot publish this post as it is (a Weibo #topic#, say); a person
    can still publish it in the app, through the assisted-publishing flow."""

    code = "platform_assisted_publishing_needed"


class PlatformUnavailable(ConnectorError):
    """The platform did not answer usefully: HTTP 5xx, a timeout, a dropped connection, a busy
    signal. ``may_have_reached`` is True when the request may have arrived and taken effect
    (so a create must be reconciled before it is tried again) and False when it certainly
    did not (the connection was never made)."""

    code = "platform_unavailable"
    http_status = 503

    def __init__(self, message: str, *, may_have_reached: bool, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.may_have_reached = may_have_reached


class NotSupported(ConnectorError):
    """The platform (or this connector) does not offer the operation at all."""

    code = "platform_not_supported"
    http_status = 501


class PlatformRejected(ConnectorError):
    """Any other refusal (unknown id, wrong state…): the platform's code says what."""

    code = "platform_rejected"
    http_status = 502

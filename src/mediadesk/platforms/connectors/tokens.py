"""Where connectors keep access tokens between calls, and the lock that guards a renewal.

Tokens are scarce (WeChat allows a handful of forced refreshes a day; Douyin five refresh-token
renewals per authorisation) and shared (every worker uses the same WeChat token). So a
connector renews under the store's lock for that key and re-reads the store inside it: when
two threads see the same rejected token, only the first renews and the second picks the new
one up. The in-memory store serves one process; a database-backed store with the same three
methods (``select_for_update`` as the lock) will share tokens across processes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True)
class StoredToken:
    access_token: str
    expires_at: float  # epoch seconds
    refresh_token: str = ""
    refresh_expires_at: float | None = None
    renewals: int = 0  # refresh-token renewals used (Douyin allows five)
    subject: str = ""  # Weibo uid, Douyin open_id

    def fresh(self, now: float, margin: float = 300.0) -> bool:
        return bool(self.access_token) and self.expires_at - margin > now

    def __repr__(self) -> str:  # never show a token in a log or a traceback
        return f"StoredToken(expires_at={self.expires_at!r}, subject={self.subject!r})"


def merged(previous: StoredToken | None, new: StoredToken) -> StoredToken:
    """``new``, keeping the previous refresh token when the platform sent none.

    A platform answer without a refresh token must never wipe a stored one: the account
    would need a person to authorise it again (a classic peer bug, design notes).
    """
    if new.refresh_token or previous is None or not previous.refresh_token:
        return new
    return replace(
        new,
        refresh_token=previous.refresh_token,
        refresh_expires_at=previous.refresh_expires_at,
        renewals=max(new.renewals, previous.renewals),
    )


class TokenStore(Protocol):
    def get(self, key: str) -> StoredToken | None: ...

    def put(self, key: str, token: StoredToken) -> None:
        """Save ``token``; implementations must keep a stored refresh token when
        ``token.refresh_token`` is empty (use :func:`merged`)."""
        ...

    def discard(self, key: str) -> None: ...

    def lock(self, key: str) -> AbstractContextManager[None]: ...


class MemoryTokenStore:
    """Tokens in a dict, one ``threading.Lock`` per key."""

    def __init__(self) -> None:
        self._tokens: dict[str, StoredToken] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> StoredToken | None:
        with self._guard:
            return self._tokens.get(key)

    def put(self, key: str, token: StoredToken) -> None:
        with self._guard:
            self._tokens[key] = merged(self._tokens.get(key), token)

    def discard(self, key: str) -> None:
        with self._guard:
            self._tokens.pop(key, None)

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._guard:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            yield


_shared = MemoryTokenStore()


def shared_store() -> MemoryTokenStore:
    """The process-wide store used when a connector is not given one."""
    return _shared


def token_key(platform: str, base_url: str, app_id: str, account_id: str = "") -> str:
    """Keys include the base URL so simulator and real-platform tokens never mix."""
    return "|".join((platform, base_url.rstrip("/"), app_id, account_id))

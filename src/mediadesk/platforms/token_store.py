"""A :class:`~mediadesk.platforms.connectors.tokens.TokenStore` in the database.

Every process (web server, embedded job threads, Celery workers) sees the same tokens, so a
WeChat token fetched by one worker is used by all, and a Douyin refresh token renewed by one is
never renewed again by another.

* Values are encrypted with the credentials vault's key; expiries and the renewal count are
  plain columns so that reminders can query them.
* ``put`` merges under a row lock: a platform answer without a refresh token never replaces a
  stored one (:func:`~mediadesk.platforms.connectors.tokens.merged`).
* ``lock`` is a lease taken by an atomic compare-and-set (``UPDATE … WHERE lease is free``),
  not a transaction held open across the platform call: on SQLite an open write transaction
  would stall every other writer for as long as the platform takes to answer. A lease whose
  holder died expires after :data:`LEASE_SECONDS`. Within one process a per-key thread lock
  queues the threads first, so they do not poll the database against each other.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from mediadesk.accounts import vault
from mediadesk.platforms.connectors.errors import PlatformUnavailable
from mediadesk.platforms.connectors.tokens import StoredToken, merged
from mediadesk.platforms.models import PlatformToken

LEASE_SECONDS = 90.0  # longer than a refresh plus a renewal at the connectors' 15 s timeout
WAIT_SECONDS = LEASE_SECONDS + 10.0
POLL_SECONDS = 0.1

#: Tokens this process has read, decrypted, by stored key: every publishing job asks for its
#: account's token, and reading and decrypting the row each time cost a query and a decryption
#: per platform step. An entry serves for at most CACHE_SECONDS; taking the lock (the renewal
#: path, which a rejected token takes), ``put`` and ``discard`` drop it, so a token the
#: platform refused is never handed out again from here.
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[StoredToken, float]] = {}
_cache_guard = threading.Lock()

_process_locks: dict[str, threading.Lock] = {}
_process_guard = threading.Lock()
_held = threading.local()


def forget_cached(key: str | None = None) -> None:
    """Drop this process's copy of one token (``key``, as stored) or of all of them."""
    with _cache_guard:
        if key is None:
            _cache.clear()
        else:
            _cache.pop(key, None)


def _cached(key: str) -> StoredToken | None:
    with _cache_guard:
        entry = _cache.get(key)
    if entry is None or time.monotonic() - entry[1] > CACHE_SECONDS:
        return None
    return entry[0]


def _remember(key: str, token: StoredToken | None) -> None:
    with _cache_guard:
        if token is None:
            _cache.pop(key, None)
        else:
            _cache[key] = (token, time.monotonic())


def _process_lock(key: str) -> threading.Lock:
    with _process_guard:
        return _process_locks.setdefault(key, threading.Lock())


def _held_keys() -> set[str]:
    keys = getattr(_held, "keys", None)
    if keys is None:
        keys = _held.keys = set()
    return keys


def _when(epoch: float | None) -> datetime | None:
    if epoch is None or not math.isfinite(epoch):
        return None
    return datetime.fromtimestamp(epoch, UTC)


def _encrypt(value: str) -> str:
    return vault.encrypt(value) if value else ""


def _decrypt(value: str) -> str:
    return vault.decrypt(value) if value else ""


def stored_token(row: PlatformToken | None) -> StoredToken | None:
    """The row as a :class:`StoredToken`; None when it holds no token at all."""
    if row is None or not (row.access_ciphertext or row.refresh_ciphertext):
        return None
    access = _decrypt(row.access_ciphertext)
    if row.expires_at is not None:
        expires = row.expires_at.timestamp()
    else:
        expires = math.inf if access else 0.0  # a token of unknown lifetime (Weibo)
    return StoredToken(
        access_token=access,
        expires_at=expires,
        refresh_token=_decrypt(row.refresh_ciphertext),
        refresh_expires_at=row.refresh_expires_at.timestamp() if row.refresh_expires_at else None,
        renewals=row.renewals,
        subject=row.subject,
    )


class DbTokenStore:
    """Tokens in :class:`PlatformToken` rows.

    ``account`` links the rows to the account for reminders. ``aliases`` rewrites the base URL
    inside keys (``{"http://127.0.0.1:41237": "simulator:"}``) so that a key stays the same
    when the embedded simulator comes back on another port.
    """

    def __init__(self, *, account: object = None, aliases: Mapping[str, str] | None = None):
        self.account_id = getattr(account, "pk", None)
        self.aliases = {k.rstrip("/"): v for k, v in (aliases or {}).items() if k and k != v}

    # -- keys ---------------------------------------------------------------------------------
    def stored_key(self, key: str) -> str:
        parts = key.split("|")
        if len(parts) >= 2:
            for resolved, alias in self.aliases.items():
                if parts[1] == resolved:
                    parts[1] = alias
                elif parts[1].startswith(resolved + "/"):
                    parts[1] = alias + parts[1][len(resolved) :]
        return "|".join(parts)

    def _row(self, key: str) -> PlatformToken:
        """The row for ``key``, created empty when missing (the lease needs a row to hold)."""
        row = PlatformToken.objects.filter(key=key).first()
        if row is not None:
            if self.account_id and row.account_id is None:
                PlatformToken.objects.filter(pk=row.pk).update(account_id=self.account_id)
            return row
        try:
            with transaction.atomic():
                return PlatformToken.objects.create(
                    key=key, account_id=self.account_id, platform=key.split("|", 1)[0]
                )
        except IntegrityError:  # another process created it meanwhile
            return PlatformToken.objects.get(key=key)

    # -- the TokenStore protocol ------------------------------------------------------------
    def get(self, key: str) -> StoredToken | None:
        key = self.stored_key(key)
        if key not in _held_keys():  # under the lock (a renewal): always the row itself
            cached = _cached(key)
            if cached is not None:
                return cached
        token = stored_token(PlatformToken.objects.filter(key=key).first())
        _remember(key, token)
        return token

    def put(self, key: str, token: StoredToken) -> None:
        """Save ``token``; a stored refresh token survives an answer that carried none."""
        key = self.stored_key(key)
        self._row(key)
        forget_cached(key)
        with transaction.atomic():
            row = PlatformToken.objects.select_for_update().get(key=key)
            token = merged(stored_token(row), token)
            row.access_ciphertext = _encrypt(token.access_token)
            row.expires_at = _when(token.expires_at)
            if token.refresh_token:  # never blank a stored refresh token
                row.refresh_ciphertext = _encrypt(token.refresh_token)
                row.refresh_expires_at = _when(token.refresh_expires_at)
            row.renewals = max(0, token.renewals)
            row.subject = token.subject[:100]
            row.version += 1
            if self.account_id and row.account_id is None:
                row.account_id = self.account_id
            row.save()

    def discard(self, key: str) -> None:
        """Forget the token (the row stays: it anchors the lease)."""
        forget_cached(self.stored_key(key))
        PlatformToken.objects.filter(key=self.stored_key(key)).update(
            access_ciphertext="",
            expires_at=None,
            refresh_ciphertext="",
            refresh_expires_at=None,
            renewals=0,
            subject="",
            version=F("version") + 1,
            updated_at=timezone.now(),
        )

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        key = self.stored_key(key)
        held = _held_keys()
        if key in held:  # re-entered by the same thread: it holds the lease already
            yield
            return
        with _process_lock(key):
            owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
            self._acquire(key, owner)
            forget_cached(key)
            held.add(key)
            try:
                yield
            finally:
                held.discard(key)
                self.release(key, owner)

    # -- the lease --------------------------------------------------------------------------
    def try_acquire(self, key: str, owner: str) -> bool:
        """Take the lease on ``key`` for ``owner`` if it is free or expired (one UPDATE)."""
        key = self.stored_key(key)
        self._row(key)
        now = timezone.now()
        taken = (
            PlatformToken.objects.filter(key=key)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .update(lease_owner=owner[:100], lease_until=now + timedelta(seconds=LEASE_SECONDS))
        )
        return bool(taken)

    def release(self, key: str, owner: str) -> None:
        PlatformToken.objects.filter(key=self.stored_key(key), lease_owner=owner[:100]).update(
            lease_owner="", lease_until=None
        )

    def _acquire(self, key: str, owner: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not self.try_acquire(key, owner):
            if time.monotonic() > deadline:
                raise PlatformUnavailable(
                    "Another worker has been renewing this account's token for too long; "
                    "try again in a minute.",
                    may_have_reached=False,
                )
            time.sleep(POLL_SECONDS)

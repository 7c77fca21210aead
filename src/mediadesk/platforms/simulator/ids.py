"""Identifiers shaped like the platforms' own, so clients that validate shapes accept them."""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
import string
import threading

_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"


def token(length: int, alphabet: str = _URLSAFE) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def alnum(length: int) -> str:
    return token(length, _ALNUM)


def hex_id(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def seeded(*parts: object) -> random.Random:
    """A random generator fixed by its inputs: the same figures on every run and machine."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def stable_token(length: int, *parts: object, alphabet: str = _URLSAFE) -> str:
    rng = seeded("token", *parts)
    return "".join(rng.choice(alphabet) for _ in range(length))


class Counter:
    """Thread-safe increasing numbers (publish ids, msg ids, status ids…)."""

    def __init__(self, start: int) -> None:
        self._it = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._it)

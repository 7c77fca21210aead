"""Encryption at rest for account credentials (ACC-6).

Keys are Fernet keys (AES-128-CBC + HMAC-SHA256, from ``cryptography``): from
``MEDIADESK_VAULT_KEYS`` (comma-separated, newest first) or from ``vault.key`` in the data
directory, created with mode 0600 on first use. Several keys may be live at once so that a
re-key can proceed row by row; the first encrypts, all decrypt.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from mediadesk import config

ENV_VAR = "MEDIADESK_VAULT_KEYS"

# Every vault-encrypted column ("app_label.Model" → fields; "" means no value), so that a re-key
# re-encrypts them all before the old key is retired. Apps add theirs with register_encrypted.
_ENCRYPTED: dict[str, tuple[str, ...]] = {"accounts.Credential": ("ciphertext",)}


class VaultError(Exception):
    """The vault cannot decrypt: a key is missing or the ciphertext was altered."""


def key_file() -> Path:
    return config.data_dir() / "vault.key"


def _read_keys() -> tuple[bytes, ...]:
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return tuple(k.strip().encode() for k in from_env.split(",") if k.strip())
    path = key_file()
    if not path.exists():
        _write_keys(path, [Fernet.generate_key()])
    keys = tuple(line.strip().encode() for line in path.read_text().splitlines() if line.strip())
    if not keys:
        raise VaultError(f"{path} holds no key")
    return keys


def _write_keys(path: Path, keys: list[bytes]) -> None:
    """Replace the key file atomically, readable by the owner only."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(k.decode() for k in keys) + "\n")
    os.replace(tmp, path)


@functools.cache
def _cipher(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def cipher() -> MultiFernet:
    return _cipher(_read_keys())


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise VaultError("cannot decrypt: the key is missing or the value was altered") from exc


def register_encrypted(model_label: str, *fields: str) -> None:
    """Declare another model's vault-encrypted text columns, for :func:`rekey`."""
    _ENCRYPTED[model_label] = tuple(dict.fromkeys((*_ENCRYPTED.get(model_label, ()), *fields)))


def rekey(new_key: bytes | None = None) -> int:
    """Re-encrypt every credential (and every registered column) under a new key, then retire
    the old ones; the number of rows re-encrypted.

    With keys from the environment the caller must pass the new key and update the variable
    afterwards; with the key file, the file first holds new + old keys (so a crash midway
    leaves everything readable) and finally only the new key.
    """
    from django.apps import apps
    from django.db import transaction

    old = list(_read_keys())
    new_key = new_key or Fernet.generate_key()
    Fernet(new_key)  # validates the format
    using_file = not os.environ.get(ENV_VAR, "").strip()
    if using_file:
        _write_keys(key_file(), [new_key, *old])
    rotating = MultiFernet([Fernet(new_key), *(Fernet(k) for k in old)])
    count = 0
    with transaction.atomic():
        for label, fields in _ENCRYPTED.items():
            model = apps.get_model(label)
            for row in model.objects.select_for_update().only("pk", *fields).iterator():
                fresh = {}
                for field in fields:
                    value = getattr(row, field)
                    if not value:
                        continue
                    try:
                        fresh[field] = rotating.rotate(value.encode("ascii")).decode("ascii")
                    except InvalidToken as exc:
                        raise VaultError(f"{label} {row.pk} cannot be decrypted") from exc
                if fresh:
                    model.objects.filter(pk=row.pk).update(**fresh)
                    count += 1
    if using_file:
        _write_keys(key_file(), [new_key])
    return count

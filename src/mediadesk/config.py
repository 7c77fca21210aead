"""Runtime configuration read from the environment.

Kept apart from Django settings so the CLI can learn the data directory and secrets
without importing Django (``mediadesk check`` must work with no database).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    """The directory holding the SQLite database, the secret key and uploaded files."""
    path = Path(os.environ.get("MEDIADESK_DATA_DIR", "var")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_or_create_secret(path: Path, nbytes: int) -> str:
    """Return the secret stored in ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


def secret_key() -> str:
    """Django's SECRET_KEY: ``SECRET_KEY`` from the environment, else generated and kept."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    return _read_or_create_secret(data_dir() / "secret_key", 50)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}

"""The request log: the witness of what clients actually sent.

Every platform request (not the ``/_sim/`` control calls) is recorded with its method, path,
query, body and response, in arrival order, so a test can prove a post was created exactly
once. App secrets are masked completely; tokens, codes and refresh tokens keep their last six
characters so rotations stay distinguishable without leaking a usable credential.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from .http import Request

SECRET_KEYS = frozenset({"secret", "client_secret", "appsecret", "app_secret"})
TOKEN_KEYS = frozenset(
    {"access_token", "refresh_token", "code", "access-token", "authorization", "ticket"}
)


def mask_value(key: str, value: Any) -> Any:
    k = key.lower()
    if k in SECRET_KEYS and value not in (None, ""):
        return "***"
    if k in TOKEN_KEYS and isinstance(value, str) and value:
        return "***" + value[-6:]
    return value


def mask(data: Any) -> Any:
    """Mask secrets and tokens anywhere in a JSON-like structure."""
    if isinstance(data, dict):
        return {
            k: mask(v) if isinstance(v, dict | list) else mask_value(str(k), v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [mask(v) for v in data]
    return data


def describe_body(request: Request) -> Any:
    """A loggable view of the body: JSON as parsed, forms as fields, files as digests."""
    if not request.body:
        return None
    if request.is_multipart:
        return {
            "fields": mask(request.form),
            "files": {
                name: {
                    "filename": f.filename,
                    "content_type": f.content_type,
                    "size": f.size,
                    "sha256": hashlib.sha256(f.data).hexdigest(),
                }
                for name, f in request.files.items()
            },
        }
    if request.content_type.lower().startswith("application/x-www-form-urlencoded"):
        return mask(request.form)
    try:
        return mask(request.json())
    except Exception:
        text = request.body[:4096].decode("utf-8", "replace")
        return {"raw": text, "size": len(request.body)}


@dataclass
class LoggedRequest:
    id: int
    at: float
    platform: str
    method: str
    path: str
    query: dict[str, str]
    body: Any
    remote_addr: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    response: Any = None
    fault: str | None = None
    duration_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self, limit: int = 50_000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)
        self._next = 1
        self._lock = threading.Lock()

    def record(self, platform: str, request: Request, at: float) -> LoggedRequest:
        headers = {
            k: mask_value(k, v)
            for k, v in request.headers.items()
            if k in ("content-type", "access-token", "authorization", "user-agent", "host")
        }
        entry = LoggedRequest(
            id=0,
            at=at,
            platform=platform,
            method=request.method,
            path=request.path,
            query=mask(request.query),
            body=describe_body(request),
            remote_addr=request.remote_addr,
            headers=headers,
        )
        with self._lock:
            entry.id = self._next
            self._next += 1
            self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        platform: str | None = None,
        path: str | None = None,
        method: str | None = None,
        since: int = 0,
    ) -> list[LoggedRequest]:
        with self._lock:
            items = list(self._entries)
        return [
            e
            for e in items
            if e.id > since
            and (platform is None or e.platform == platform)
            and (path is None or e.path.rstrip("/") == path.rstrip("/"))
            and (method is None or e.method == method.upper())
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

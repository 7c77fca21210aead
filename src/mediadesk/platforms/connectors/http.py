"""The HTTP client every connector shares: timeouts, JSON, and transport failures mapped once.

Whether a failed request *may have reached* the platform decides whether a create can be
retried or must be reconciled first, so the mapping is deliberate:

* no connection was made (refused, DNS, connect timeout, pool timeout) → it did not;
* the connection was made and then timed out, dropped or answered 5xx → it may have
  (a 5xx proves the request reached the platform's front door, and nothing says it was
  turned away before taking effect).

Errors carry the request *path* only: WeChat puts the access token in the query string, and
an URL must never reach a log or an exception message. httpx's own exceptions (which hold
the full URL) are not chained.
"""

from __future__ import annotations

import functools
import json
import os
import ssl
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any

import httpx

from .errors import PlatformUnavailable

USER_AGENT = "mediadesk-connector/1.0"


_ssl_context: ssl.SSLContext | None = None
_ssl_guard = threading.Lock()


def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one loads the CA bundle, which
    costs ~20 ms of CPU — more than the rest of a publication's work on our side."""
    with _ssl_guard:
        return _context()


def _context() -> ssl.SSLContext:  # with _ssl_guard held
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl.create_default_context()
    return _ssl_context


class _SharedPool(httpx.BaseTransport):
    """The process's connection pool, behind every client that brings no transport of its own.

    A connector lives for one job; with a pool of its own each job opened (and the platform
    accepted) a new connection. Shared, connections to a platform are kept alive across jobs
    (httpx checks that a pooled connection is still open before reusing it). Closing a client
    leaves the pool open; a forked child starts its own.
    """

    _pool: httpx.HTTPTransport | None = None
    _pid = 0

    def _transport(self) -> httpx.HTTPTransport:
        with _ssl_guard:
            if self._pool is None or _SharedPool._pid != os.getpid():
                limits = httpx.Limits(
                    max_connections=None, max_keepalive_connections=64, keepalive_expiry=5.0
                )
                _SharedPool._pool = httpx.HTTPTransport(verify=_context(), limits=limits)
                _SharedPool._pid = os.getpid()
            assert self._pool is not None
            return self._pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport().handle_request(request)

    def close(self) -> None:
        """Nothing: other clients use the pool."""


_shared_pool = _SharedPool()


@functools.cache
def _environment_proxies() -> bool:
    return bool(urllib.request.getproxies())


def _default_transport() -> httpx.BaseTransport | None:
    """The shared pool — unless the environment names a proxy: then each client builds its
    own transport as before, so httpx applies ``HTTPS_PROXY`` / ``NO_PROXY`` per URL."""
    return None if _environment_proxies() else _shared_pool


def timeouts(total: float) -> httpx.Timeout:
    """Connect quickly or give up; allow the platform ``total`` seconds to answer."""
    return httpx.Timeout(total, connect=min(5.0, total), pool=min(5.0, total))


class Http:
    def __init__(
        self,
        base_url: str,
        *,
        platform: str,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeouts(timeout),
            transport=transport or _default_transport(),
            verify=ssl_context(),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self.client.close()

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        ok_statuses: tuple[int, ...] = (),
    ) -> httpx.Response:
        """One request; transport failures and 5xx become :class:`PlatformUnavailable`."""
        content = None
        request_headers = dict(headers or {})
        if json_body is not None:
            # Chinese unescaped, as WeChat asks (escaped titles show as \u… in the app).
            content = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            request_headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self.client.request(
                method,
                path,
                params=params,
                content=content,
                data=data,
                files=files,
                headers=request_headers,
            )
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.UnsupportedProtocol,
        ) as exc:
            raise self._unavailable(path, exc, reached=False) from None
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise self._unavailable(path, exc, reached=True) from None
        if response.status_code >= 500 and response.status_code not in ok_statuses:
            raise PlatformUnavailable(
                f"{self.platform} answered HTTP {response.status_code} to {path}; it may or may "
                "not have acted on the request.",
                may_have_reached=True,
                platform=self.platform,
                raw_code=response.status_code,
            )
        return response

    def _unavailable(self, path: str, exc: Exception, *, reached: bool) -> PlatformUnavailable:
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        if reached:
            detail = "the request may have reached it and taken effect"
        else:
            detail = "the request did not reach it"
        return PlatformUnavailable(
            f"The call to {self.platform} ({path}) {what}; {detail}.",
            may_have_reached=reached,
            platform=self.platform,
            raw_message=type(exc).__name__,
        )


def json_of(response: httpx.Response, platform: str, path: str) -> Any:
    """The JSON body; a non-JSON answer (a proxy's HTML page) counts as unavailable."""
    try:
        return response.json()
    except ValueError:
        raise PlatformUnavailable(
            f"{platform} answered {path} with something that is not JSON "
            f"(HTTP {response.status_code}); it may or may not have acted on the request.",
            may_have_reached=True,
            platform=platform,
            raw_code=response.status_code,
        ) from None

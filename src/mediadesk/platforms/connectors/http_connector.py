"""The shared constructor of the connectors that speak HTTP to a platform."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from .base import Connector
from .http import Http
from .tokens import TokenStore, shared_store, token_key
from .values import AccountRef


class HttpConnector(Connector):
    """A connector that talks to one platform's HTTP API and keeps its token in a shared store.

    Subclasses name ``default_base_url`` and ``http_platform`` (the label in error messages).
    """

    default_base_url: str = ""
    http_platform: str = ""

    def __init__(
        self,
        ref: AccountRef,
        *,
        store: TokenStore | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ref)
        self.base_url = (ref.base_url or self.default_base_url).rstrip("/")
        self.http = Http(
            self.base_url, platform=self.http_platform, timeout=ref.timeout, transport=transport
        )
        self.store = store or shared_store()
        self.clock = clock
        self.key = token_key(self.platform, self.base_url, ref.app_id, ref.account_id)

    def close(self) -> None:
        self.http.close()

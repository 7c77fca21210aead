"""Injected faults: the bad days a connector must survive, on demand.

A fault matches requests by path (a glob; ``*`` for all) and optionally method, and fires for
the next ``times`` matches (``null``: until cleared). Kinds:

* ``latency`` — wait ``latency_ms`` then answer normally (several may add up);
* ``hang`` — wait ``seconds`` (a client timeout), then answer normally when ``process`` is true
  (the request took effect although the client gave up: the reconcile case) or with HTTP 504
  without touching state when it is false;
* ``http_status`` — answer ``status`` (default 503) with an HTML error page, state untouched;
* ``errcode`` — answer the platform's own error envelope with ``errcode`` (WeChat HTTP 200
  ``errcode/errmsg``, Weibo HTTP 4xx ``error_code``, Douyin ``data.error_code``), state untouched.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("latency", "hang", "http_status", "errcode")


class FaultSpecError(ValueError):
    pass


@dataclass
class Fault:
    id: int
    kind: str
    path: str = "*"
    method: str | None = None
    times: int | None = 1
    errcode: int | None = None
    errmsg: str | None = None
    status: int = 503
    seconds: float = 0.0
    latency_ms: float = 0.0
    process: bool = True
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return fnmatch.fnmatchcase(path, self.path) or fnmatch.fnmatchcase(
            path.rstrip("/"), self.path.rstrip("/")
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _build(fid: int, spec: dict[str, Any]) -> Fault:
    kind = spec.get("kind")
    if kind not in KINDS:
        raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
    allowed = set(Fault.__dataclass_fields__) - {"id", "hits"}
    unknown = set(spec) - allowed
    if unknown:
        raise FaultSpecError(f"unknown fault keys: {', '.join(sorted(unknown))}")
    try:
        fault = Fault(id=fid, **spec)
        fault.times = None if fault.times is None else int(fault.times)
        fault.status = int(fault.status)
        fault.seconds = float(fault.seconds)
        fault.latency_ms = float(fault.latency_ms)
        fault.errcode = None if fault.errcode is None else int(fault.errcode)
    except (TypeError, ValueError) as exc:
        raise FaultSpecError(str(exc)) from exc
    if kind == "errcode" and fault.errcode is None:
        raise FaultSpecError("an errcode fault needs errcode")
    if fault.times is not None and fault.times < 1:
        raise FaultSpecError("times must be at least 1 (or null for until cleared)")
    if fault.seconds < 0 or fault.latency_ms < 0:
        raise FaultSpecError("durations cannot be negative")
    return fault


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next = 1
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> Fault:
        with self._lock:
            fault = _build(self._next, spec)
            self._next += 1
            self._faults.append(fault)
            return fault

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> tuple[float, Fault | None]:
        """Consume the faults a request meets: total latency (s) and at most one other fault."""
        latency = 0.0
        chosen: Fault | None = None
        with self._lock:
            for fault in list(self._faults):
                if not fault.matches(method, path):
                    continue
                if fault.kind == "latency":
                    latency += fault.latency_ms / 1000.0
                elif chosen is None:
                    chosen = fault
                else:
                    continue
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
        return latency, chosen

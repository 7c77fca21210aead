"""Load-insensitive figures for the publishing bench: CPU seconds and database queries.

Throughput on a shared two-core machine says as much about the neighbours as about the code;
CPU time per post and queries per post do not. ``install()`` counts every query on every
database connection of this process (a wrapper added when Django opens a connection), from
threads other than the main one when ``threads_only`` (the bench's own polling loop runs
there). ``BENCH_QUERY_LOG`` names a file to which :func:`dump_templates` writes the counts per
statement shape, most frequent first — what to look at when the count goes up.
"""

from __future__ import annotations

import json
import os
import re
import resource
import threading
from collections import Counter
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_count = 0
_shapes: Counter[str] = Counter()
_keep_shapes = False
_threads_only = False
_NUMBERS = re.compile(r"\b\d+\b")
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_LISTS = re.compile(r"\((?:%s, )+%s\)")


def _shape(sql: str) -> str:
    sql = _STRINGS.sub("?", _NUMBERS.sub("N", sql))
    return _LISTS.sub("(%s…)", sql)[:400]


def _wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    global _count
    if not _threads_only or threading.current_thread() is not threading.main_thread():
        with _lock:
            _count += 1
            if _keep_shapes:
                _shapes[_shape(sql)] += 1
    return execute(sql, params, many, context)


def _attach(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_wrapper)


def install(*, threads_only: bool = False) -> None:
    """Count the queries of every connection opened from now on (call before any query)."""
    global _keep_shapes, _threads_only
    from django.db.backends.signals import connection_created

    _threads_only = threads_only
    _keep_shapes = bool(os.environ.get("BENCH_QUERY_LOG"))
    connection_created.connect(_attach, weak=False)


def queries() -> int:
    with _lock:
        return _count


def cpu_seconds() -> float:
    """User + system CPU time of this whole process (every thread) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process of ours (Linux ``/proc``); NaN if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def snapshot() -> dict[str, float]:
    return {"cpu": cpu_seconds(), "queries": float(queries())}


def dump_templates(label: str) -> None:
    path = os.environ.get("BENCH_QUERY_LOG")
    if not path:
        return
    with _lock:
        top = _shapes.most_common(60)
        total = _count
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"label": label, "queries": total, "shapes": top}, indent=1) + "\n")

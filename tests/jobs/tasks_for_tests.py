"""Task functions the job tests enqueue; importing this module registers them."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any

from mediadesk.jobs.errors import TransientJobError
from mediadesk.jobs.registry import task

calls: Counter[str] = Counter()
_calls_lock = threading.Lock()


@task("tests.echo")
def echo(payload: dict[str, Any]) -> dict[str, Any]:
    return {"echo": payload}


@task("tests.odd_result")
def odd_result(payload: dict[str, Any]) -> dict[str, Any]:
    return {"when": payload.get("when") and object()}


@task("tests.flaky", max_attempts=4)
def flaky(payload: dict[str, Any]) -> dict[str, Any]:
    """Fails transiently ``fail_times`` times (counted per ``key``), then succeeds."""
    with _calls_lock:
        calls[payload["key"]] += 1
        n = calls[payload["key"]]
    if n <= payload["fail_times"]:
        raise TransientJobError("platform answered 503", retry_after=payload.get("retry_after"))
    return {"calls": n}


@task("tests.boom")
def boom(payload: dict[str, Any]) -> None:
    raise ValueError("rejected: title too long (access_token=SECRET123)")


@task("tests.redis_witness")
def redis_witness(payload: dict[str, Any]) -> None:
    """Appends the job's marker to a Redis list: an execution log outside the jobs table."""
    import redis

    time.sleep(payload.get("sleep", 0))
    client = redis.Redis.from_url(os.environ["MEDIADESK_REDIS_URL"])
    client.rpush(payload["list"], payload["n"])
    client.sadd(payload["list"] + ":pids", os.getpid())


@task("tests.language")
def language(payload: dict[str, Any]) -> dict[str, Any]:
    """Reports the language a job runs in and a word it would write for a person."""
    from django.utils import translation
    from django.utils.translation import gettext

    return {"language": translation.get_language(), "word": gettext("Yes")}

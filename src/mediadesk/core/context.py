"""Who is acting and from where, for the audit log.

The web middleware, the API authentication, the CLI and the job runner each set this once;
services read it when they write an audit entry, so no service needs a ``request`` argument.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ActionContext:
    source: str = "system"  # web, api, cli, job, system
    ip: str = ""
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


_current: contextvars.ContextVar[ActionContext] = contextvars.ContextVar(
    "mediadesk_action_context",
    default=ActionContext(),  # noqa: B039 - frozen, so sharing the default is safe
)


def current() -> ActionContext:
    return _current.get()


@contextlib.contextmanager
def acting(**changes: str) -> Iterator[ActionContext]:
    """Run a block with the given source / ip / user agent recorded on its audit entries."""
    ctx = replace(_current.get(), **changes)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)

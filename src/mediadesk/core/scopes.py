"""Where an object sits in the organisation, for permissions and for scoping audit entries.

A scope is a materialised org-unit path such as ``/1/4/9/`` (group 1 → unit 4 → department 9),
optionally with an account id once roles can be granted on single accounts. Each app registers
how to find the scope of its models, so the permission service needs no knowledge of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    unit_path: str = ""  # "" means "nowhere in particular": only group-wide grants match
    account_id: int | None = None


_resolvers: dict[type, Callable[[object], Scope]] = {}


def register(model: type, resolver: Callable[[object], Scope]) -> None:
    _resolvers[model] = resolver


def scope_of(obj: object) -> Scope:
    if isinstance(obj, Scope):
        return obj
    for klass in type(obj).__mro__:
        resolver = _resolvers.get(klass)
        if resolver is not None:
            return resolver(obj)
    raise TypeError(f"no permission scope registered for {type(obj).__name__}")

"""Demo data for ``make run``: idempotent, so running it again neither duplicates nor resets.

Each domain adds a ``seed_*`` step to ``STEPS``; later steps may rely on earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable

from mediadesk.demo.accounts import seed_accounts
from mediadesk.demo.content import seed_content
from mediadesk.demo.orgs import DEMO_PASSWORD, DEMO_USERS, seed_orgs
from mediadesk.demo.planning import seed_planning
from mediadesk.demo.platforms import seed_platforms
from mediadesk.demo.publishing import seed_publishing

STEPS: list[Callable[[], None]] = [
    seed_orgs,
    seed_accounts,
    seed_platforms,
    seed_content,
    seed_planning,
    seed_publishing,
]


def load_demo() -> None:
    for step in STEPS:
        step()


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load_demo"]

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    """Each test starts with an empty database, so no platform token may linger in the
    process-wide cache from the one before (the simulator that issued it is gone too)."""
    from mediadesk.platforms import token_store

    token_store.forget_cached()
    yield
    token_store.forget_cached()


@pytest.fixture(autouse=True)
def _english_messages():
    """Service-level tests read messages in English; pages choose their language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _uses_database(request: pytest.FixtureRequest) -> tuple[bool, bool]:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(
        {"transactional_db", "live_server"} & names
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    return marker is not None or bool(
        {"db", "transactional_db", "live_server"} & names
    ), transactional


@pytest.fixture(autouse=True)
def _audit_guards(request: pytest.FixtureRequest):
    """Keep the audit table's append-only triggers in place for every database test.

    Transactional tests end by emptying every table, which the triggers forbid for young audit
    entries, so those tests drop the triggers at teardown and the next test puts them back.
    """
    uses_db, transactional = _uses_database(request)
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    from mediadesk.audit import guards

    guards.install(connection)
    yield
    if transactional:
        guards.uninstall(connection)

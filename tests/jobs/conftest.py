from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.jobs import tasks_for_tests  # noqa: F401 - registers the test tasks

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    """Time stands still at T0 unless the test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


def run_concurrently(*targets):
    """Start ``targets`` together in threads; re-raise the first error any of them hit."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(target):
        def run():
            try:
                barrier.wait()
                target()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]

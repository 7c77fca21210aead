from __future__ import annotations

import pytest
import time_machine

from tests.publishing.world import World, build, local

#: A Wednesday morning in Shanghai.
NOW = local(2026, 3, 11, 10, 0)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads land in a throw-away directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(db, clock) -> World:
    return build()

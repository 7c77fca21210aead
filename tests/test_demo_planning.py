"""The demo's publish planning: plan rows, own best times, rules, a pause in the history, a
blackout ahead, and reposts — one recorded, one overdue."""

import pytest

from mediadesk.demo import load_demo
from mediadesk.publishing.models import (
    BestTimeSlot,
    BlackoutPeriod,
    FrequencyRule,
    PlanEntry,
    PublishingPause,
    RepostStatus,
    RepostTask,
)
from mediadesk.publishing.propagation import is_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _counts():
    return [
        m.objects.count()
        for m in (PlanEntry, BestTimeSlot, FrequencyRule, PublishingPause, RepostTask)
    ]


def test_the_demo_plans_pauses_and_reposts_and_loads_twice_without_duplicates():
    load_demo()
    assert PlanEntry.objects.filter(account__isnull=True, platform="douyin").exists()
    assert (
        PlanEntry.objects.filter(targets_text="曝光30万+，互动1万+").get().target_exposure
        == 300_000
    )
    assert (
        BestTimeSlot.objects.filter(account__name="示例科技", account__platform="weibo").count()
        == 4
    )
    assert FrequencyRule.objects.filter(account__isnull=False).count() == 3
    pause = PublishingPause.objects.get()
    assert pause.ended_at is not None
    assert BlackoutPeriod.objects.count() == 1
    tasks = list(RepostTask.objects.all())
    assert any(t.status == RepostStatus.DONE for t in tasks)
    assert any(is_overdue(t) for t in tasks)
    counts = _counts()
    load_demo()
    assert _counts() == counts

"""Best times (PUB-2): the seeds' slots, the next free slot, an account's own slots."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.core.errors import PermissionDenied, ValidationFailed
from mediadesk.publishing.models import BestTimeSlot, FrequencyRule, SlotKind
from mediadesk.publishing.plan_entries import create_plan_entry
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_pauses import create_blackout, pause_publishing
from mediadesk.publishing.planning_rules import effective_slots, seed_default_planning
from mediadesk.publishing.planning_slots import (
    set_account_slots,
    set_platform_slots,
    suggest_slot,
)
from tests import factories as f
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


def windows(slots):
    return sorted((f"{s.starts:%H:%M}", f"{s.ends:%H:%M}", s.kind, s.weight) for s in slots)


def test_seeding_twice_writes_the_defaults_once(db):
    assert seed_default_planning() is True
    count = BestTimeSlot.objects.count(), FrequencyRule.objects.count()
    assert seed_default_planning() is False
    assert (BestTimeSlot.objects.count(), FrequencyRule.objects.count()) == count


def test_wechat_gets_the_seeds_morning_and_evening_and_daytime_promotions(world):
    assert windows(effective_slots(world.wechat)) == [
        ("08:00", "09:00", "regular", 1),
        ("09:00", "18:00", "promotion", 1),
        ("19:00", "20:00", "regular", 1),
    ]


def test_douyin_gets_noon_and_evening(world):
    assert windows(effective_slots(world.douyin)) == [
        ("12:00", "13:00", "regular", 1),
        ("20:00", "22:00", "regular", 1),
    ]


def test_weibo_favours_wednesday_and_thursday_evenings(world):
    evening = [s for s in effective_slots(world.weibo) if s.starts == dt.time(18)]
    weights = {d: s.weight for s in evening for d in s.weekdays}
    assert weights == {1: 1, 2: 1, 3: 2, 4: 2, 5: 1}


def test_the_next_weibo_slot_on_a_wednesday_morning_is_that_evening(world):
    suggestion = suggest_slot(world.weibo, local(2026, 3, 11, 10, 0))
    assert suggestion.at == local(2026, 3, 11, 18, 0)
    assert suggestion.slot.weight == 2


def test_the_higher_weight_wins_within_a_day(world):
    set_account_slots(
        actor=world.author,
        account=world.weibo,
        slots=[
            {"starts": "12:00", "ends": "13:00", "weight": 1},
            {"starts": "20:00", "ends": "21:00", "weight": 3},
        ],
    )
    assert suggest_slot(world.weibo, local(2026, 3, 11, 10, 0)).at == local(2026, 3, 11, 20, 0)


def test_inside_a_slot_the_suggestion_starts_now_rounded_up(world):
    suggestion = suggest_slot(world.weibo, local(2026, 3, 11, 18, 41, 10))
    assert suggestion.at == local(2026, 3, 11, 18, 45)


def test_a_slot_the_account_already_uses_is_skipped(world):
    item = approved_item(world, world.weibo)
    schedule_publication(
        actor=world.author, variant=variant(item, world.weibo), at=local(2026, 3, 11, 19, 0)
    )
    assert suggest_slot(world.weibo, local(2026, 3, 11, 10, 0)).at == local(2026, 3, 12, 18, 0)


def test_a_timed_plan_row_occupies_its_slot(world):
    create_plan_entry(
        actor=world.author,
        account=world.weibo,
        planned_on=dt.date(2026, 3, 11),
        planned_time=dt.time(20, 0),
        topic="新品",
    )
    assert suggest_slot(world.weibo, local(2026, 3, 11, 10, 0)).at == local(2026, 3, 12, 18, 0)


def test_a_blackout_pushes_the_suggestion_past_its_end(world):
    create_blackout(
        actor=world.hq,
        unit=world.unit,
        starts_at=local(2026, 3, 11, 17, 0),
        ends_at=local(2026, 3, 11, 21, 30),
        reason="静默期",
    )
    assert suggest_slot(world.weibo, local(2026, 3, 11, 10, 0)).at == local(2026, 3, 11, 21, 30)


def test_nothing_is_suggested_under_a_pause(world):
    pause_publishing(actor=world.hq, unit=world.unit, reason="舆情")
    assert suggest_slot(world.weibo, local(2026, 3, 11, 10, 0)) is None


def test_a_promotion_on_wechat_goes_out_in_the_daytime(world):
    suggestion = suggest_slot(world.wechat, local(2026, 3, 11, 10, 2), kind=SlotKind.PROMOTION)
    assert suggestion.at == local(2026, 3, 11, 10, 5)


def test_a_platform_without_promotion_slots_suggests_its_regular_best_time(world):
    suggestion = suggest_slot(world.douyin, local(2026, 3, 11, 10, 0), kind=SlotKind.PROMOTION)
    assert suggestion.at == local(2026, 3, 11, 12, 0)


def test_an_accounts_own_slots_replace_its_platforms(world):
    set_account_slots(
        actor=world.author,
        account=world.wechat,
        slots=[{"weekdays": [1, 2, 3, 4, 5], "starts": "07:30", "ends": "08:00"}],
    )
    assert windows(effective_slots(world.wechat)) == [("07:30", "08:00", "regular", 1)]
    assert suggest_slot(world.wechat, local(2026, 3, 11, 10, 0)).at == local(2026, 3, 12, 7, 30)
    other = f.account(world.unit, platform="wechat_subscription", name="另一个公众号")
    assert len(effective_slots(other)) == 3  # the platform's are untouched


def test_an_empty_list_goes_back_to_the_platforms_slots(world):
    set_account_slots(
        actor=world.author, account=world.wechat, slots=[{"starts": "07:30", "ends": "08:00"}]
    )
    set_account_slots(actor=world.author, account=world.wechat, slots=[])
    assert len(effective_slots(world.wechat)) == 3


def test_a_slot_ending_before_it_starts_is_refused(world):
    with pytest.raises(ValidationFailed, match="ends after"):
        set_account_slots(
            actor=world.author, account=world.wechat, slots=[{"starts": "20:00", "ends": "19:00"}]
        )


def test_a_reviewer_cannot_change_an_accounts_slots(world):
    with pytest.raises(PermissionDenied):
        set_account_slots(actor=world.l1, account=world.wechat, slots=[])


def test_only_group_settings_managers_change_a_platforms_defaults(world):
    with pytest.raises(PermissionDenied):
        set_platform_slots(actor=world.author, platform="douyin", slots=[])
    set_platform_slots(
        actor=world.hq, platform="douyin", slots=[{"starts": "18:00", "ends": "19:00"}]
    )
    assert windows(effective_slots(world.douyin)) == [("18:00", "19:00", "regular", 1)]

"""Month and week calendars per account, unit and group (PUB-1)."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.core.errors import PermissionDenied
from mediadesk.publishing.plan_entries import create_plan_entry
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_pauses import create_blackout
from mediadesk.publishing.planning_selectors import PlanScope, calendar, resolve_scope
from tests import factories as f
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


def day_of(cal, day):
    return next(d for d in cal.days if d.day == day)


def test_a_month_is_whole_weeks_from_monday(world):
    cal = calendar(
        user=world.author,
        scope=PlanScope(unit=world.unit),
        view="month",
        anchor=dt.date(2026, 3, 11),
    )
    assert (cal.start, cal.end) == (dt.date(2026, 2, 23), dt.date(2026, 4, 5))
    assert len(cal.weeks) == 6 and all(len(w) == 7 for w in cal.weeks)
    assert not day_of(cal, dt.date(2026, 2, 28)).in_range
    assert day_of(cal, dt.date(2026, 3, 11)).is_today


def test_holidays_and_make_up_days_are_marked(world):
    cal = calendar(user=world.author, scope=PlanScope(), view="month", anchor=dt.date(2026, 10, 1))
    assert not day_of(cal, dt.date(2026, 10, 1)).is_working_day  # 国庆节
    assert day_of(cal, dt.date(2026, 10, 10)).is_working_day  # a Saturday, 调休


def test_a_week_shows_publications_and_unfilled_plan_rows_in_local_time(world):
    item = approved_item(world)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication
    create_plan_entry(
        actor=world.author, account=world.weibo, planned_on=dt.date(2026, 3, 12), topic="话题"
    )
    cal = calendar(
        user=world.author,
        scope=PlanScope(unit=world.unit),
        view="week",
        anchor=dt.date(2026, 3, 11),
    )
    wednesday = day_of(cal, dt.date(2026, 3, 11)).entries
    assert [(e.kind, e.id, e.time, e.state, e.status_label) for e in wednesday] == [
        ("publication", publication.pk, dt.time(19, 30), "scheduled", "待发布")
    ]
    assert wednesday[0].movable and wednesday[0].plan_entry_id is not None
    thursday = day_of(cal, dt.date(2026, 3, 12)).entries
    assert [(e.kind, e.title, e.state) for e in thursday] == [("plan", "话题", "planned")]


def test_posts_land_on_their_shanghai_day_not_their_utc_day(world):
    late = approved_item(world, world.weibo)
    schedule_publication(
        actor=world.author, variant=variant(late, world.weibo), at=local(2026, 3, 15, 23, 30)
    )
    early = approved_item(world, world.douyin)
    schedule_publication(  # 16:30 UTC on the 15th
        actor=world.author, variant=variant(early, world.douyin), at=local(2026, 3, 16, 0, 30)
    )
    cal = calendar(
        user=world.author,
        scope=PlanScope(unit=world.unit),
        view="month",
        anchor=dt.date(2026, 3, 1),
    )
    assert [e.account_id for e in day_of(cal, dt.date(2026, 3, 15)).entries] == [world.weibo.pk]
    assert [e.account_id for e in day_of(cal, dt.date(2026, 3, 16)).entries] == [world.douyin.pk]
    assert day_of(cal, dt.date(2026, 3, 16)).entries[0].at.hour == 0


def test_entries_carry_their_warnings(world):
    create_blackout(
        actor=world.hq,
        unit=world.group,
        starts_at=local(2026, 3, 11, 19, 0),
        ends_at=local(2026, 3, 11, 20, 0),
        reason="集团发布会",
    )
    item = approved_item(world)
    schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    )
    cal = calendar(
        user=world.author,
        scope=PlanScope(account=world.wechat),
        view="week",
        anchor=dt.date(2026, 3, 11),
    )
    wednesday = day_of(cal, dt.date(2026, 3, 11))
    assert [w.code for w in wednesday.entries[0].warnings] == ["blackout"]
    assert [b.reason for b in wednesday.blackouts] == ["集团发布会"]


def test_day_gaps_show_on_their_day(world):
    cal = calendar(
        user=world.author,
        scope=PlanScope(account=world.weibo),
        view="week",
        anchor=dt.date(2026, 3, 11),
    )
    assert [w.code for w in day_of(cal, dt.date(2026, 3, 13)).warnings] == ["frequency_gap"]


def test_the_group_calendar_shows_only_what_the_reader_may_see(world):
    other_unit = f.unit(world.group, name="示例地产")
    other = f.account(other_unit, platform="weibo", name="地产微博")
    outsider = f.person(other_unit, "operator")
    create_plan_entry(
        actor=world.author, account=world.weibo, planned_on=dt.date(2026, 3, 12), topic="科技"
    )
    create_plan_entry(actor=outsider, account=other, planned_on=dt.date(2026, 3, 12), topic="地产")
    cal = calendar(user=outsider, scope=PlanScope(), view="week", anchor=dt.date(2026, 3, 12))
    titles = [e.title for d in cal.days for e in d.entries]
    assert titles == ["地产"]
    assert {w.account_id for w in cal.warnings} == {other.pk}
    hq_cal = calendar(user=world.hq, scope=PlanScope(), view="week", anchor=dt.date(2026, 3, 12))
    assert sorted(e.title for d in hq_cal.days for e in d.entries) == ["地产", "科技"]


def test_another_units_account_cannot_be_chosen_as_scope(world):
    outsider = f.person(f.unit(world.group), "operator")
    with pytest.raises(PermissionDenied):
        resolve_scope(user=outsider, account_id=world.weibo.pk)


def test_a_post_outside_the_best_times_is_flagged_on_the_calendar(world):
    item = approved_item(world)
    schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 14, 0)
    )
    cal = calendar(
        user=world.author,
        scope=PlanScope(account=world.wechat),
        view="week",
        anchor=dt.date(2026, 3, 11),
    )
    entry = day_of(cal, dt.date(2026, 3, 11)).entries[0]
    assert [w.code for w in entry.warnings] == ["outside_best_time"]

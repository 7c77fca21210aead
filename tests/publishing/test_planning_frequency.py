"""Frequency rules and the calendar's warnings (PUB-3)."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.models import Notification
from mediadesk.publishing.models import Publication
from mediadesk.publishing.plan_entries import create_plan_entry
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_frequency import (
    create_frequency_rule,
    update_frequency_rule,
)
from mediadesk.publishing.planning_pauses import pause_publishing
from mediadesk.publishing.planning_rules import rules_for
from mediadesk.publishing.planning_warnings import calendar_warnings
from mediadesk.publishing.planning_warnings_job import warn_ahead
from tests import factories as f
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


def summary(rules):
    return sorted((r.period, r.minimum, r.maximum, r.source) for r in rules)


def plan(world, account, day, topic="计划"):
    return create_plan_entry(actor=world.author, account=account, planned_on=day, topic=topic)


def codes(warnings, account=None):
    return sorted(
        (w.code, w.period, str(w.starts_on))
        for w in warnings
        if account is None or w.account_id == account.pk
    )


def test_wechat_posts_at_least_three_times_a_week_and_at_most_three_a_day(world):
    assert summary(rules_for(world.wechat)) == [
        ("day", 0, 3, "platform"),
        ("week", 3, None, "platform"),
    ]


def test_weibo_posts_at_least_once_a_day(world):
    assert summary(rules_for(world.weibo)) == [("day", 1, 10, "platform")]


def test_a_campaign_account_posts_daily_whatever_its_platform(world):
    campaign = f.account(world.unit, platform="douyin", matrix_role="campaign")
    assert summary(rules_for(campaign)) == [
        ("day", 0, 3, "platform"),
        ("day", 1, None, "matrix_role"),
    ]


def test_an_accounts_weekly_target_is_a_weekly_minimum(world):
    account = f.account(world.unit, platform="douyin", target_posts_per_week=5)
    assert ("week", 5, None, "weekly_target") in summary(rules_for(account))


def test_an_accounts_own_rules_replace_the_defaults(world):
    create_frequency_rule(actor=world.hq, account=world.weibo, period="week", minimum=2, maximum=20)
    assert summary(rules_for(world.weibo)) == [("week", 2, 20, "account")]


def test_an_operator_cannot_change_an_accounts_frequency(world):
    with pytest.raises(PermissionDenied):
        create_frequency_rule(actor=world.author, account=world.weibo, period="day", minimum=2)


def test_a_maximum_below_the_minimum_is_refused(world):
    with pytest.raises(ValidationFailed, match="maximum"):
        create_frequency_rule(
            actor=world.hq, account=world.weibo, period="day", minimum=3, maximum=2
        )


def test_a_second_rule_for_the_same_period_is_a_conflict(world):
    create_frequency_rule(actor=world.hq, account=world.weibo, period="day", minimum=2)
    with pytest.raises(Conflict):
        create_frequency_rule(actor=world.hq, account=world.weibo, period="day", minimum=3)


def test_changing_a_default_changes_what_accounts_get(world):
    rule = next(r for r in rules_for(world.weibo) if r.period == "day")
    from mediadesk.publishing.models import FrequencyRule

    update_frequency_rule(
        actor=world.hq, rule=FrequencyRule.objects.get(pk=rule.rule_id), minimum=2
    )
    assert summary(rules_for(world.weibo)) == [("day", 2, 10, "platform")]


def test_a_weibo_day_without_posts_is_a_gap(world):
    plan(world, world.weibo, dt.date(2026, 3, 11))
    warnings = calendar_warnings(
        scope=world.weibo, start=dt.date(2026, 3, 11), end=dt.date(2026, 3, 12)
    )
    assert codes(warnings) == [("frequency_gap", "day", "2026-03-12")]


def test_a_wechat_week_with_two_posts_is_a_gap_for_the_whole_week(world):
    plan(world, world.wechat, dt.date(2026, 3, 9))
    plan(world, world.wechat, dt.date(2026, 3, 15))  # Sunday, outside the window asked about
    warnings = calendar_warnings(
        scope=world.wechat, start=dt.date(2026, 3, 11), end=dt.date(2026, 3, 11)
    )
    gap = next(w for w in warnings if w.code == "frequency_gap")
    assert (gap.starts_on, gap.ends_on) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert gap.details["count"] == 2 and gap.details["minimum"] == 3


def test_too_many_posts_in_a_day_is_an_overload(world):
    for n in range(4):
        plan(world, world.wechat, dt.date(2026, 3, 12), topic=f"第{n}篇")
    warnings = calendar_warnings(
        scope=world.wechat, start=dt.date(2026, 3, 12), end=dt.date(2026, 3, 12)
    )
    assert ("frequency_overload", "day", "2026-03-12") in codes(warnings)


def test_a_cancelled_post_stays_planned_until_its_plan_row_is_deleted(world):
    from mediadesk.publishing.models import PlanEntry
    from mediadesk.publishing.plan_entries import delete_plan_entry
    from mediadesk.publishing.planning import cancel_publication

    item = approved_item(world, world.weibo)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.weibo), at=local(2026, 3, 11, 19, 0)
    ).publication
    day = dt.date(2026, 3, 11)
    cancel_publication(actor=world.author, publication=publication, version=1)
    assert calendar_warnings(scope=world.weibo, start=day, end=day) == []
    entry = PlanEntry.objects.get(publication=publication)
    delete_plan_entry(actor=world.author, entry=entry, version=entry.version)
    assert codes(calendar_warnings(scope=world.weibo, start=day, end=day)) == [
        ("frequency_gap", "day", "2026-03-11")
    ]


def test_an_over_quota_mass_send_shows_as_a_breach_ahead(world):
    for n, hour in enumerate((8, 19)):
        item = approved_item(world, title=f"第{n}篇")
        Publication.objects.create(
            variant=variant(item, world.wechat),
            item=item,
            account=world.wechat,
            scheduled_at=local(2026, 3, 12, hour, 0),
            delivery="mass_send",
            approved_fingerprint=item.approved_fingerprint,
            idempotency_key=f"k{n}",
            owner=world.author,
            scheduled_by=world.author,
        )  # e.g. imported or made before the quota rule: the calendar still shows it
    day = dt.date(2026, 3, 12)
    assert ("quota_breach", "day", "2026-03-12") in codes(
        calendar_warnings(scope=world.wechat, start=day, end=day)
    )


def test_a_post_under_an_open_pause_is_flagged(world):
    item = approved_item(world, world.weibo)
    schedule_publication(
        actor=world.author, variant=variant(item, world.weibo), at=local(2026, 3, 11, 19, 0)
    )
    pause_publishing(actor=world.hq, unit=world.unit, reason="舆情")
    day = dt.date(2026, 3, 11)
    assert "paused" in {w.code for w in calendar_warnings(scope=world.unit, start=day, end=day)}


def test_the_daily_job_tells_the_accounts_operators_once_per_period(world):
    operator = f.person(world.unit, "operator")
    stranger = f.person(f.unit(world.group), "operator")
    sent = warn_ahead(dt.date(2026, 3, 11))
    assert sent > 0
    notes = Notification.objects.filter(recipient=operator, kind="publishing.frequency_gap")
    weibo_days = {n.dedupe_key for n in notes if f":{world.weibo.pk}:day:" in n.dedupe_key}
    assert len(weibo_days) == 3  # today and the next two days
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert not Notification.objects.filter(
        recipient=world.hq, kind__startswith="publishing.frequency"
    ).exists()
    assert warn_ahead(dt.date(2026, 3, 11)) == 0

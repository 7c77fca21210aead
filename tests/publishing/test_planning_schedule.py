"""Scheduling an approved variant: what is refused, what is warned, what is stored (PUB-1…3)."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.accounts import services as account_services
from mediadesk.audit.models import AuditEntry
from mediadesk.content import services as content
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.publishing.models import (
    DeliveryMode,
    PlanEntry,
    Publication,
    PublicationState,
)
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.planning_pauses import create_blackout, pause_publishing
from tests import factories as f
from tests.publishing.world import approved_item, goal_of, local, variant

pytestmark = pytest.mark.django_db


def schedule(world, account=None, at=None, item=None, **extra):
    account = account or world.wechat
    item = item or approved_item(world, account)
    return schedule_publication(
        actor=world.author,
        variant=variant(item, account),
        at=at or local(2026, 3, 11, 19, 30),
        **extra,
    )


def test_an_approved_variant_is_scheduled_with_its_approval_and_a_fresh_key(world):
    item = approved_item(world)
    result = schedule(world, item=item)
    publication = result.publication
    assert publication.state == PublicationState.SCHEDULED
    assert publication.approved_fingerprint == item.approved_fingerprint
    assert len(publication.idempotency_key) == 32
    int(publication.idempotency_key, 16)  # hex
    assert publication.delivery == DeliveryMode.PUBLISH
    assert publication.owner == world.author and publication.version == 1
    assert result.warnings == []


def test_the_time_is_stored_in_utc_and_a_naive_time_means_shanghai(world):
    result = schedule(world, at=dt.datetime(2026, 3, 11, 19, 30))
    publication = Publication.objects.get(pk=result.publication.pk)
    assert publication.scheduled_at == dt.datetime(2026, 3, 11, 11, 30, tzinfo=dt.UTC)


def test_an_aware_time_in_another_zone_keeps_its_instant(world):
    at = dt.datetime(2026, 3, 11, 11, 30, tzinfo=dt.UTC)  # 19:30 in Shanghai
    result = schedule(world, at=at)
    assert result.publication.scheduled_at == at
    assert result.warnings == []  # inside WeChat's 19–20 best time, counted in local time


def test_scheduling_is_audited_with_the_time_in_both_zones(world):
    publication = schedule(world).publication
    entry = AuditEntry.objects.get(action="publishing.publication.schedule")
    assert entry.object_id == str(publication.pk)
    assert entry.after["scheduled_local"] == "2026-03-11 19:30"
    assert entry.after["state"] == "scheduled"


def test_someone_without_publishing_rights_is_refused(world):
    item = approved_item(world)
    with pytest.raises(PermissionDenied):
        schedule_publication(
            actor=world.l1, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
        )
    assert not Publication.objects.exists()


def test_an_operator_of_another_unit_is_refused(world):
    other = f.person(f.unit(world.group), "operator")
    item = approved_item(world)
    with pytest.raises(PermissionDenied):
        schedule_publication(
            actor=other, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
        )


def test_an_item_not_yet_approved_is_refused(world):
    item = content.create_item(
        actor=world.author,
        owning_unit=world.unit,
        title="草稿",
        variants=[{"account": world.wechat, "body": "<p>草稿</p>"}],
        goal=goal_of(world),
    )
    with pytest.raises(ValidationFailed, match="not approved") as caught:
        schedule(world, item=item)
    assert caught.value.code == "not_approved"
    assert not Publication.objects.exists()


def test_an_item_edited_after_its_approval_is_refused(world):
    item = approved_item(world)
    content.update_item(
        actor=world.author,
        item=item,
        base_revision=item.revision_number,
        variants=[{"account": world.wechat, "title": "改了", "body": "<p>改过的正文</p>"}],
    )
    item.refresh_from_db()
    with pytest.raises(ValidationFailed):
        schedule(world, item=item)
    assert not Publication.objects.exists()


def test_an_account_that_is_not_active_is_refused(world):
    item = approved_item(world)
    account_services.file_status_change(
        actor=f.superuser(), account=world.wechat, kind="suspension", reason="平台封禁"
    )
    with pytest.raises(ValidationFailed, match="not active"):
        schedule(world, item=item)


def test_a_time_in_the_past_is_refused(world):
    with pytest.raises(ValidationFailed, match="in the past") as caught:
        schedule(world, at=local(2026, 3, 11, 9, 0))
    assert "at" in caught.value.fields


def test_publish_now_within_a_minute_is_accepted(world):
    result = schedule(world, at=local(2026, 3, 11, 9, 59, 30))
    assert result.publication.state == PublicationState.SCHEDULED


def test_a_variant_already_on_the_calendar_is_refused(world):
    item = approved_item(world)
    schedule(world, item=item)
    with pytest.raises(Conflict, match="already on the calendar"):
        schedule(world, item=item, at=local(2026, 3, 12, 19, 30))
    assert Publication.objects.count() == 1


def test_a_cancelled_publication_frees_its_variant(world):
    from mediadesk.publishing.planning import cancel_publication

    item = approved_item(world)
    first = schedule(world, item=item).publication
    cancel_publication(actor=world.author, publication=first, version=first.version)
    second = schedule(world, item=item, at=local(2026, 3, 12, 19, 30)).publication
    assert second.pk != first.pk


def test_mass_send_is_refused_on_weibo(world):
    with pytest.raises(ValidationFailed, match="mass send"):
        schedule(world, account=world.weibo, at=local(2026, 3, 11, 20, 0), delivery="mass_send")


def test_assisted_platforms_get_assisted_delivery(world):
    result = schedule(world, account=world.xhs, at=local(2026, 3, 11, 20, 0))
    assert result.publication.delivery == DeliveryMode.ASSISTED


def test_a_plan_entry_of_another_account_is_refused(world):
    from mediadesk.publishing.plan_entries import create_plan_entry

    entry = create_plan_entry(
        actor=world.author, account=world.weibo, planned_on=dt.date(2026, 3, 11), topic="新品"
    )
    with pytest.raises(ValidationFailed, match="another account"):
        schedule(world, plan_entry=entry)
    assert not Publication.objects.exists()


def test_a_second_mass_send_the_same_day_on_a_subscription_account_is_refused(world):
    schedule(world, delivery="mass_send", at=local(2026, 3, 11, 8, 30) + dt.timedelta(hours=11))
    second = approved_item(world, title="第二篇")
    with pytest.raises(ValidationFailed, match="mass send") as caught:
        schedule(world, item=second, delivery="mass_send", at=local(2026, 3, 11, 21, 0))
    assert caught.value.code == "quota_exceeded"
    assert Publication.objects.count() == 1


def test_the_next_days_mass_send_is_within_the_quota(world):
    schedule(world, delivery="mass_send")
    second = approved_item(world, title="第二篇")
    result = schedule(world, item=second, delivery="mass_send", at=local(2026, 3, 12, 8, 30))
    assert result.publication.delivery == DeliveryMode.MASS_SEND


def test_a_service_account_has_four_mass_sends_a_month(world):
    service = f.account(world.unit, platform="wechat_service", name="示例服务号")
    for day in (12, 13, 14, 15):
        item = approved_item(world, service, title=f"第{day}篇")
        schedule(
            world, account=service, item=item, delivery="mass_send", at=local(2026, 3, day, 8, 30)
        )
    fifth = approved_item(world, service, title="第五篇")
    with pytest.raises(ValidationFailed, match="4"):
        schedule(
            world, account=service, item=fifth, delivery="mass_send", at=local(2026, 3, 31, 8, 30)
        )
    april = schedule(
        world, account=service, item=fifth, delivery="mass_send", at=local(2026, 4, 1, 8, 30)
    )
    assert april.publication.pk


def test_outside_the_best_times_is_a_warning_not_a_refusal(world):
    result = schedule(world, at=local(2026, 3, 11, 14, 0))
    assert result.publication.state == PublicationState.SCHEDULED
    assert [w.code for w in result.warnings] == ["outside_best_time"]
    assert "08:00–09:00" in result.warnings[0].message


def test_more_posts_than_the_daily_maximum_warn(world):
    for n in range(3):
        item = approved_item(world, title=f"第{n}篇")
        schedule(world, item=item, at=local(2026, 3, 12, 19, 0) + dt.timedelta(minutes=10 * n))
    fourth = approved_item(world, title="第四篇")
    result = schedule(world, item=fourth, at=local(2026, 3, 12, 19, 40))
    assert [w.code for w in result.warnings] == ["frequency_overload"]
    assert result.warnings[0].details == {"count": 4, "maximum": 3, "source": "platform"}


def test_a_blackout_ahead_is_a_warning(world):
    create_blackout(
        actor=world.hq,
        unit=world.unit,
        starts_at=local(2026, 3, 11, 18, 0),
        ends_at=local(2026, 3, 11, 22, 0),
        reason="发布会静默期",
    )
    result = schedule(world)
    assert [w.code for w in result.warnings] == ["blackout"]


def test_an_open_pause_is_a_warning(world):
    pause_publishing(actor=world.gm, unit=world.group, reason="舆情处置")
    result = schedule(world)
    assert [w.code for w in result.warnings] == ["paused"]


def test_scheduling_without_a_plan_row_adds_one_to_the_plan(world):
    item = approved_item(world)
    publication = schedule(world, item=item).publication
    entry = PlanEntry.objects.get(publication=publication)
    assert entry.topic == "新品上市推文" and entry.account == world.wechat
    assert entry.planned_on == dt.date(2026, 3, 11) and entry.planned_time == dt.time(19, 30)
    assert entry.targets_text == "曝光30万+，互动1万+"
    assert entry.reviewer == world.l3 and entry.owner == world.author


def test_scheduling_fills_the_plan_row_it_names(world):
    from mediadesk.publishing.plan_entries import create_plan_entry

    entry = create_plan_entry(
        actor=world.l1, account=world.wechat, planned_on=dt.date(2026, 3, 12), topic="新品"
    )
    publication = schedule(world, plan_entry=entry).publication
    entry.refresh_from_db()
    assert entry.publication == publication and entry.item_id == publication.item_id
    assert entry.planned_on == dt.date(2026, 3, 11)  # the plan follows the schedule
    assert PlanEntry.objects.count() == 1


def test_a_plan_row_filled_by_a_live_publication_cannot_be_filled_again(world):
    from mediadesk.publishing.plan_entries import create_plan_entry

    entry = create_plan_entry(
        actor=world.l1, account=world.wechat, planned_on=dt.date(2026, 3, 12), topic="新品"
    )
    schedule(world, plan_entry=entry)
    other = approved_item(world, title="另一篇")
    with pytest.raises(Conflict, match="already filled"):
        schedule(world, item=other, plan_entry=entry, at=local(2026, 3, 12, 8, 30))


def test_the_owner_must_be_able_to_publish_on_the_account(world):
    with pytest.raises(ValidationFailed, match="owner"):
        schedule(world, owner=world.l1)


def test_a_different_owner_is_told(world):
    from mediadesk.core.models import Notification

    colleague = f.person(world.unit, "operator")
    publication = schedule(world, owner=colleague).publication
    assert publication.owner == colleague
    assert Notification.objects.filter(recipient=colleague, kind="publishing.owner").exists()


def test_a_platform_plan_row_of_another_unit_cannot_be_filled(world):
    from mediadesk.publishing.plan_entries import create_plan_entry

    other_unit = f.unit(world.group, name="示例地产")
    entry = create_plan_entry(
        actor=world.hq,
        unit=other_unit,
        platform="wechat_subscription",
        planned_on=dt.date(2026, 3, 11),
        topic="地产的计划",
    )
    with pytest.raises(ValidationFailed, match="another unit"):
        schedule(world, plan_entry=entry)


def test_activity_content_may_go_out_in_wechats_daytime_promotion_slot(world):
    from mediadesk.content.models import Topic

    item = approved_item(world)
    topic = Topic.objects.create(
        owning_unit=world.unit, name="618大促", category="activity", created_by=world.author
    )
    item.topic = topic
    item.save(update_fields=["topic"])
    result = schedule(world, item=item, at=local(2026, 3, 11, 14, 0))
    assert result.warnings == []

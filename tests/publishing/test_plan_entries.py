"""The publish plan's rows (PUB-1, 模板1)."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.publishing.models import PlanEntry, Publication, PublicationState
from mediadesk.publishing.plan_entries import (
    create_plan_entry,
    delete_plan_entry,
    plan_status,
    update_plan_entry,
)
from mediadesk.publishing.planning import schedule_publication
from tests import factories as f
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


def test_a_planner_writes_a_row_before_the_content_exists(world):
    entry = create_plan_entry(
        actor=world.l1,
        account=world.wechat,
        planned_on=dt.date(2026, 3, 20),
        topic="新品上市：3大功能升级",
        format="图文+视频",
        targets="曝光30万+，互动1万+",
        owner=world.author,
        reviewer=world.l2,
        notes="附产品手册",
    )
    assert (entry.target_exposure, entry.target_interaction) == (300_000, 10_000)
    assert entry.platform == "wechat_subscription" and entry.owning_unit == world.unit
    assert plan_status(entry) == "pending"
    assert AuditEntry.objects.filter(action="publishing.plan.create").exists()


def test_a_row_may_name_only_a_unit_and_a_platform(world):
    entry = create_plan_entry(
        actor=world.author,
        unit=world.unit,
        platform="douyin",
        planned_on=dt.date(2026, 3, 20),
        topic="新品开箱：30秒看懂核心卖点",
    )
    assert entry.account is None and entry.platform == "douyin"


def test_bad_target_figures_name_the_part(world):
    with pytest.raises(ValidationFailed, match="很多") as caught:
        create_plan_entry(
            actor=world.author,
            account=world.weibo,
            planned_on=dt.date(2026, 3, 20),
            topic="话题",
            targets="转发很多",
        )
    assert "targets" in caught.value.fields
    assert not PlanEntry.objects.exists()


def test_someone_who_only_analyses_cannot_plan(world):
    analyst = f.person(world.unit, "data_analyst")
    with pytest.raises(PermissionDenied):
        create_plan_entry(
            actor=analyst, account=world.weibo, planned_on=dt.date(2026, 3, 20), topic="话题"
        )


def test_the_status_follows_the_publication(world):
    item = approved_item(world)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication
    entry = PlanEntry.objects.get(publication=publication)
    assert plan_status(entry) == "pending"
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.PUBLISHED)
    assert plan_status(PlanEntry.objects.get(pk=entry.pk)) == "published"
    Publication.objects.filter(pk=publication.pk).update(state=PublicationState.WITHDRAWN)
    assert plan_status(PlanEntry.objects.get(pk=entry.pk)) == "withdrawn"


def test_an_edit_names_the_version_it_was_made_on(world):
    entry = create_plan_entry(
        actor=world.author, account=world.weibo, planned_on=dt.date(2026, 3, 20), topic="话题"
    )
    update_plan_entry(actor=world.author, entry=entry, version=1, topic="#新品体验官#")
    with pytest.raises(Conflict):
        update_plan_entry(actor=world.author, entry=entry, version=1, topic="别的")
    entry.refresh_from_db()
    assert entry.topic == "#新品体验官#" and entry.version == 2


def test_a_filled_row_keeps_the_publications_time(world):
    item = approved_item(world)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication
    entry = PlanEntry.objects.get(publication=publication)
    with pytest.raises(Conflict, match="move or cancel it"):
        update_plan_entry(
            actor=world.author, entry=entry, version=entry.version, planned_on=dt.date(2026, 3, 25)
        )
    update_plan_entry(actor=world.author, entry=entry, version=entry.version, notes="附产品手册")


def test_a_row_with_a_publication_on_its_way_cannot_be_deleted(world):
    item = approved_item(world)
    publication = schedule_publication(
        actor=world.author, variant=variant(item, world.wechat), at=local(2026, 3, 11, 19, 30)
    ).publication
    entry = PlanEntry.objects.get(publication=publication)
    with pytest.raises(Conflict):
        delete_plan_entry(actor=world.author, entry=entry, version=entry.version)


def test_an_empty_row_is_deleted_and_audited(world):
    entry = create_plan_entry(
        actor=world.author, account=world.weibo, planned_on=dt.date(2026, 3, 20), topic="话题"
    )
    delete_plan_entry(actor=world.author, entry=entry, version=1)
    assert not PlanEntry.objects.exists()
    assert AuditEntry.objects.get(action="publishing.plan.delete").before["topic"] == "话题"

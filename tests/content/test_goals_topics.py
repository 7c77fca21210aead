"""SMART goals (CNT-1) and the topic matrix (CNT-2)."""

from __future__ import annotations

import datetime as dt

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.content import planning, selectors, services
from mediadesk.content.models import ContentItem, Goal, Topic
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.content.world import make_goal, make_item, variants

pytestmark = pytest.mark.django_db


def test_an_operator_sets_a_smart_goal_for_their_unit_and_it_is_audited(team):
    goal = make_goal(team.unit, team.author, platforms=["douyin", "weibo"])
    assert (goal.metric, goal.target, goal.deadline) == (
        "exposure",
        500_000,
        dt.date(2026, 10, 23),
    )
    assert goal.platforms == ["weibo", "douyin"]  # in the platforms' own order
    entry = AuditEntry.objects.filter(action="content.goal.create").last()
    assert entry.after["target"] == 500_000 and entry.actor_id == team.author.pk


def test_hq_sets_goals_without_a_drafting_role(team):
    hq = f.person(f.group(), "hq_communications")
    goal = make_goal(f.group(), hq, name="集团品牌季度曝光")
    assert goal.owning_unit == f.group()


def test_a_reviewer_may_not_set_goals(team):
    with pytest.raises(PermissionDenied, match="plan content"):
        make_goal(team.unit, team.l1)
    assert not Goal.objects.exclude(pk=team.goal.pk).exists()


def test_a_goal_needs_a_positive_target_and_a_deadline(team):
    with pytest.raises(ValidationFailed) as caught:
        make_goal(team.unit, team.author, target=0)
    assert "target" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        make_goal(team.unit, team.author, deadline=None)
    assert "deadline" in caught.value.fields


def test_a_goal_cannot_start_after_its_deadline(team):
    with pytest.raises(ValidationFailed, match="starts after"):
        make_goal(team.unit, team.author, starts_on=dt.date(2026, 11, 1))


def test_updating_a_goal_records_only_what_changed(team):
    planning.update_goal(actor=team.author, goal=team.goal, target=450_000)
    entry = AuditEntry.objects.get(action="content.goal.update")
    assert entry.before == {"target": 500_000} and entry.after == {"target": 450_000}


def test_an_archived_goal_is_kept_on_its_items_but_offered_no_more(team):
    item = make_item(team)
    planning.archive_goal(actor=team.author, goal=team.goal)
    item.refresh_from_db()
    assert item.goal == team.goal
    assert team.goal not in selectors.goals_for_unit(team.unit)
    with pytest.raises(ValidationFailed, match="archived"):
        make_item(team)


def test_every_item_links_to_a_goal(team):
    with pytest.raises(ValidationFailed, match="goal") as caught:
        make_item(team, goal=None)
    assert caught.value.fields == {"goal": "required"}
    assert not ContentItem.objects.exists()


def test_an_item_may_use_a_goal_of_a_unit_above_it_but_not_of_a_sibling(team):
    hq = f.person(f.group(), "hq_communications")
    group_goal = make_goal(f.group(), hq, name="集团目标")
    assert make_item(team, goal=group_goal).goal == group_goal

    sibling = f.unit()
    other_goal = make_goal(sibling, f.person(sibling, "operator"), name="兄弟单位目标")
    with pytest.raises(ValidationFailed, match="another unit"):
        make_item(team, goal=other_goal)


def test_a_goal_lists_its_items_and_the_sum_of_their_targets(team):
    make_item(team, target_exposure=200_000, target_interaction=5_000)
    make_item(team, target_exposure=100_000)
    progress = selectors.goal_with_items(user=team.author, goal=team.goal)
    assert len(progress.items) == 2
    assert progress.planned == {"exposure": 300_000, "interaction": 5_000, "conversion": 0}
    listed = selectors.list_goals(user=team.author).get(pk=team.goal.pk)
    assert listed.item_count == 2


def test_goals_of_the_group_are_visible_to_a_unit_but_a_siblings_are_not(team):
    hq = f.person(f.group(), "hq_communications")
    group_goal = make_goal(f.group(), hq, name="集团目标")
    sibling = f.unit()
    sibling_goal = make_goal(sibling, f.person(sibling, "operator"), name="兄弟目标")
    seen = set(selectors.list_goals(user=team.author))
    assert {team.goal, group_goal} <= seen and sibling_goal not in seen


def test_a_topic_is_a_cell_of_the_matrix_with_audience_notes(team):
    topic = planning.create_topic(
        actor=team.author,
        owning_unit=team.unit,
        name="新品上市",
        category="product",
        audience="25–35岁科技爱好者",
    )
    assert (topic.category, topic.audience) == ("product", "25–35岁科技爱好者")
    assert AuditEntry.objects.filter(action="content.topic.create").exists()


def test_the_same_topic_twice_in_a_category_is_refused(team):
    planning.create_topic(actor=team.author, owning_unit=team.unit, name="新品", category="product")
    with pytest.raises(Conflict, match="already has the topic"):
        planning.create_topic(
            actor=team.author, owning_unit=team.unit, name="新品", category="product"
        )
    assert Topic.objects.count() == 1


def test_an_unknown_topic_category_is_refused(team):
    with pytest.raises(ValidationFailed) as caught:
        planning.create_topic(actor=team.author, owning_unit=team.unit, name="x", category="gossip")
    assert "category" in caught.value.fields


def test_the_topic_matrix_counts_items_per_topic_and_category(team):
    launch = planning.create_topic(
        actor=team.author, owning_unit=team.unit, name="新品上市", category="product"
    )
    planning.create_topic(actor=team.author, owning_unit=team.unit, name="618", category="activity")
    make_item(team, topic=launch)
    make_item(team, topic=launch)
    make_item(team)

    matrix = {row.category: row for row in selectors.topic_matrix(user=team.author)}
    assert list(matrix) == ["product", "brand", "activity", "service", "industry"]
    assert matrix["product"].item_count == 2
    assert [(t.name, t.item_count) for t in matrix["activity"].topics] == [("618", 0)]
    assert matrix["brand"].topics == []


def test_an_items_topic_can_be_changed_and_cleared(team):
    topic = planning.create_topic(
        actor=team.author, owning_unit=team.unit, name="品牌故事", category="brand"
    )
    item = make_item(team, topic=topic)
    services.update_item(actor=team.author, item=item, base_revision=1, topic=None)
    item.refresh_from_db()
    assert item.topic is None and item.revision_number == 2


def test_an_archived_topic_cannot_be_chosen(team):
    topic = planning.create_topic(
        actor=team.author, owning_unit=team.unit, name="旧活动", category="activity"
    )
    planning.archive_topic(actor=team.author, topic=topic)
    with pytest.raises(ValidationFailed, match="archived"):
        make_item(team, topic=topic)


def test_notes_alone_change_no_revision_but_are_audited(team):
    item = make_item(team)
    services.update_item(actor=team.author, item=item, base_revision=1, notes="附产品手册")
    item.refresh_from_db()
    assert (item.notes, item.revision_number) == ("附产品手册", 1)
    entry = AuditEntry.objects.filter(action="content.item.update").last()
    assert entry.after == {"notes": "附产品手册"}


def test_an_item_keeps_its_format_and_targets_from_template_1(team):
    item = make_item(team, format="short_video", target_exposure=500_000, target_conversion=2_000)
    assert (item.format, item.target_exposure, item.target_conversion) == (
        "short_video",
        500_000,
        2_000,
    )
    with pytest.raises(ValidationFailed, match="format"):
        make_item(team, format="hologram", variants=variants(team))

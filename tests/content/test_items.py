"""Items in lists: their state, filters and search, and backup content (CNT-5)."""

from __future__ import annotations

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.content import planning, selectors, services
from mediadesk.core.errors import ValidationFailed
from tests import factories as f
from tests.content.world import act, approve, make_goal, make_item, through_all, variants

pytestmark = pytest.mark.django_db


def state(item, user) -> str:
    row = selectors.list_items(user=user).get(pk=item.pk)
    return selectors.state_of(row.review_status)


def test_a_new_item_is_a_draft(team):
    item = make_item(team)
    assert state(item, team.author) == "draft"
    assert selectors.item_status(item).as_dict()["state"] == "draft"


def test_an_item_in_review_names_its_stage(team):
    item = make_item(team)
    round_ = approve(services.submit_for_review(actor=team.author, item=item), team.l1)
    row = selectors.list_items(user=team.author).get(pk=item.pk)
    assert selectors.state_of(row.review_status) == "in_review"
    assert (row.review_stage_name, row.review_stage_level) == ("二审（部门经理）", 2)
    status = selectors.item_status(item)
    assert (status.stage, status.round) == (round_.stage, round_)


def test_returned_and_rejected_items_show_it(team):
    returned, rejected = make_item(team), make_item(team)
    act(
        services.submit_for_review(actor=team.author, item=returned),
        team.l1,
        "request_changes",
        "补数据",
    )
    act(services.submit_for_review(actor=team.author, item=rejected), team.l1, "reject", "不发")
    assert (state(returned, team.author), state(rejected, team.author)) == (
        "changes_requested",
        "rejected",
    )


def test_an_approved_item_is_approved_and_matches_what_was_approved(team):
    item = make_item(team)
    through_all(services.submit_for_review(actor=team.author, item=item), team)
    assert state(item, team.author) == "approved"
    assert selectors.item_status(item).approved_matches


def test_an_edit_after_approval_puts_the_item_back_in_review(team):
    item = make_item(team)
    through_all(services.submit_for_review(actor=team.author, item=item), team)
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "改了一句。")
    )
    assert state(item, team.author) == "in_review"


def test_an_edit_that_leaves_a_blocking_term_puts_the_item_back_to_draft(team):
    item = make_item(team)
    through_all(services.submit_for_review(actor=team.author, item=item), team)
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "全网最低价！")
    )
    assert state(item, team.author) == "draft"
    assert not selectors.item_status(item).approved_matches


def test_lists_filter_by_state(team):
    draft, in_review = make_item(team), make_item(team)
    services.submit_for_review(actor=team.author, item=in_review)
    assert list(selectors.list_items(user=team.author, state="draft")) == [draft]
    assert list(selectors.list_items(user=team.author, state="in_review")) == [in_review]
    with pytest.raises(ValidationFailed, match="Unknown state"):
        selectors.list_items(user=team.author, state="lost")


def test_lists_search_titles_and_filter_by_goal_topic_author_and_unit(team):
    topic = planning.create_topic(
        actor=team.author, owning_unit=team.unit, name="新品", category="product"
    )
    other_goal = make_goal(team.unit, team.author, name="互动目标", metric="interaction")
    launch = make_item(team, title="新品发布会直播", topic=topic)
    tips = make_item(team, title="使用小技巧", goal=other_goal)
    colleague = f.person(team.unit, "operator")
    theirs = make_item(team, actor=colleague, title="同事的稿件")

    def ids(**filters) -> list[int]:
        return sorted(i.pk for i in selectors.list_items(user=team.l1, **filters))

    assert ids(q="发布会") == [launch.pk]
    assert ids(topic=topic) == [launch.pk]
    assert ids(goal=other_goal) == [tips.pk]
    assert ids(author=colleague) == [theirs.pk]
    assert ids(unit=team.unit) == sorted([launch.pk, tips.pk, theirs.pk])
    assert ids(unit=f.unit()) == []
    assert ids(account=team.weibo) == sorted([launch.pk, tips.pk, theirs.pk])


def test_people_of_another_unit_do_not_see_the_items(team):
    make_item(team)
    outsider = f.person(f.unit(), "reviewer_l1")
    assert list(selectors.list_items(user=outsider)) == []


def test_backup_content_is_prepared_for_an_event(team):
    item = make_item(team, backup_for="门店突发停电")
    assert (item.is_backup, item.backup_for) == (True, "门店突发停电")


def test_marking_and_unmarking_backup_content_is_audited_and_keeps_the_review(team):
    item = make_item(team)
    through_all(services.submit_for_review(actor=team.author, item=item), team)
    services.set_backup(actor=team.author, item=item, backup_for="台风天备用")
    item.refresh_from_db()
    assert (item.is_backup, item.backup_for, item.revision_number) == (True, "台风天备用", 1)
    assert services.approved_fingerprint_matches(item)
    services.set_backup(actor=team.author, item=item, backup_for=None)
    item.refresh_from_db()
    assert (item.is_backup, item.backup_for) == (False, "")
    entries = AuditEntry.objects.filter(action="content.item.backup")
    assert [e.after["is_backup"] for e in entries.order_by("seq")] == [True, False]


def test_backup_items_are_listed_by_event_with_the_approved_ones_first(team):
    ready = make_item(team, title="停电致歉（已审）", backup_for="门店停电")
    draft = make_item(team, title="停电致歉（草稿）", backup_for="门店停电")
    other = make_item(team, title="热点借势", backup_for="国庆热点")
    make_item(team, title="日常推文")
    through_all(services.submit_for_review(actor=team.author, item=ready), team)

    groups = selectors.backup_items(user=team.author)
    assert [g.prepared_for for g in groups] == ["国庆热点", "门店停电"]
    power = groups[1]
    assert [i.pk for i in power.items] == [ready.pk, draft.pk]
    assert [i.pk for i in power.approved] == [ready.pk]
    assert [i.pk for i in groups[0].items] == [other.pk]
    assert [
        g.prepared_for for g in selectors.backup_items(user=team.author, prepared_for="停电")
    ] == ["门店停电"]


def test_awaiting_my_review_and_returned_to_me_are_the_two_queues(team):
    mine = make_item(team)
    round_ = services.submit_for_review(actor=team.author, item=mine)
    assert selectors.awaiting_my_review(user=team.l1) == [round_]
    act(round_, team.l1, "request_changes", "再改改")
    assert selectors.awaiting_my_review(user=team.l1) == []
    assert [r.item for r in selectors.returned_to_me(user=team.author)] == [mine]

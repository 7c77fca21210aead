"""Configuring review workflows (REV-1, REV-2) without stranding rounds in progress."""

from __future__ import annotations

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.content import services, workflows
from mediadesk.content.models import Workflow, WorkflowStage
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.content.world import approve, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq():
    return f.person(f.group(), "hq_communications")


TWO_LEVELS = [
    {"name": "一审", "level": 1, "role": "reviewer_l1", "checklist": ["无错别字"]},
    {"name": "二审", "level": 2, "role": "reviewer_l2", "checklist": ["品牌调性一致"]},
]


def two_levels(team, hq) -> Workflow:
    return workflows.create_workflow(
        actor=hq, name="两级审核", owning_unit=team.unit, stages=TWO_LEVELS
    )


def test_hq_gives_a_unit_its_own_workflow_which_then_reviews_its_content(team, hq):
    workflow = two_levels(team, hq)
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    assert state.workflow == workflow and len(state.route) == 2
    entry = AuditEntry.objects.get(action="content.workflow.create")
    assert [s["name"] for s in entry.after["stages"]] == ["一审", "二审"]


def test_an_account_workflow_with_named_reviewers_who_must_all_approve(team, hq):
    second = f.person(team.unit, "reviewer_l1")
    workflow = workflows.create_workflow(
        actor=hq,
        name="会签",
        account=team.wechat,
        stages=[{"name": "会签", "people": [team.l1.pk, second.pk], "mode": "all"}],
    )
    stage = workflow.stages.get()
    assert set(stage.people.all()) == {team.l1, second} and stage.mode == "all"
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    assert approve(state, team.l1).status == "in_progress"
    assert approve(state, second).status == "approved"


def test_an_operator_cannot_configure_workflows(team):
    with pytest.raises(PermissionDenied):
        workflows.create_workflow(
            actor=team.author, name="x", owning_unit=team.unit, stages=TWO_LEVELS
        )
    assert not Workflow.objects.filter(owning_unit=team.unit).exists()


def test_a_unit_has_one_active_workflow(team, hq):
    two_levels(team, hq)
    with pytest.raises(Conflict, match="already has an active workflow"):
        two_levels(team, hq)
    assert Workflow.objects.filter(owning_unit=team.unit).count() == 1


def test_a_workflow_belongs_to_a_unit_or_an_account_not_both(team, hq):
    with pytest.raises(ValidationFailed, match="one unit or to one account"):
        workflows.create_workflow(
            actor=hq, name="x", owning_unit=team.unit, account=team.wechat, stages=TWO_LEVELS
        )


@pytest.mark.parametrize(
    ("stages", "field"),
    [
        ([], "stages"),
        ([{"name": "", "role": "reviewer_l1"}], "stages.0.name"),
        ([{"name": "一审"}], "stages.0.role"),
        ([{"name": "一审", "role": "astrologer"}], "stages.0.role"),
        ([{"name": "一审", "role": "reviewer_l1", "mode": "most"}], "stages.0.mode"),
        ([{"name": "一审", "role": "reviewer_l1", "level": 0}], "stages.0.level"),
        ([{"name": "一审", "people": [987_654]}], "stages.0.people"),
    ],
)
def test_a_malformed_stage_is_refused_and_nothing_is_created(team, hq, stages, field):
    with pytest.raises(ValidationFailed) as caught:
        workflows.create_workflow(actor=hq, name="坏的", owning_unit=team.unit, stages=stages)
    assert field in caught.value.fields
    assert not Workflow.objects.filter(name="坏的").exists()


def test_renaming_and_reordering_keeps_the_stages(team, hq):
    workflow = two_levels(team, hq)
    first, second = workflow.stages.order_by("order")
    data = workflows.workflow_data(workflow)["stages"]
    workflows.update_workflow(
        actor=hq, workflow=workflow, name="两级（调整）", stages=[data[1], data[0]]
    )
    workflow.refresh_from_db()
    assert workflow.name == "两级（调整）"
    assert list(workflow.stages.order_by("order")) == [second, first]


def test_a_stage_removed_while_a_round_walks_it_is_retired_and_the_round_finishes(team, hq):
    workflow = two_levels(team, hq)
    running = services.submit_for_review(actor=team.author, item=make_item(team))
    first, second = workflow.stages.order_by("order")
    workflows.update_workflow(
        actor=hq, workflow=workflow, stages=[workflows.workflow_data(workflow)["stages"][0]]
    )
    second.refresh_from_db()
    assert second.retired and WorkflowStage.objects.filter(pk=second.pk).exists()

    running = approve(running, team.l1)
    assert running.stage == second  # the round keeps its route
    assert approve(running, team.l2).status == "approved"
    fresh = services.submit_for_review(actor=team.author, item=make_item(team))
    assert fresh.route == [first.pk]


def test_a_stage_nobody_used_is_deleted_when_removed(team, hq):
    workflow = two_levels(team, hq)
    second = workflow.stages.order_by("order").last()
    workflows.update_workflow(
        actor=hq, workflow=workflow, stages=[workflows.workflow_data(workflow)["stages"][0]]
    )
    assert not WorkflowStage.objects.filter(pk=second.pk).exists()


def test_new_reviewers_on_a_kept_stage_serve_the_round_waiting_there(team, hq):
    workflow = two_levels(team, hq)
    waiting = services.submit_for_review(actor=team.author, item=make_item(team))
    stand_in = f.person(team.unit, "reviewer_l2")
    data = workflows.workflow_data(workflow)["stages"]
    data[0] = {**data[0], "people": [stand_in.pk]}
    workflows.update_workflow(actor=hq, workflow=workflow, stages=data)
    assert approve(waiting, stand_in).stage.name == "二审"


def test_a_stage_id_of_another_workflow_is_refused(team, hq):
    workflow = two_levels(team, hq)
    foreign = services.seed_default_workflow().stages.first()
    with pytest.raises(ValidationFailed, match="not a stage of this workflow"):
        workflows.update_workflow(
            actor=hq,
            workflow=workflow,
            stages=[{"id": foreign.pk, "name": "x", "role": "reviewer_l1"}],
        )


def test_a_deactivated_workflow_hands_new_submissions_back_to_the_default(team, hq):
    workflow = two_levels(team, hq)
    running = services.submit_for_review(actor=team.author, item=make_item(team))
    workflows.deactivate_workflow(actor=hq, workflow=workflow)
    fresh = services.submit_for_review(actor=team.author, item=make_item(team))
    assert fresh.workflow.is_default and len(fresh.route) == 3
    assert approve(approve(running, team.l1), team.l2).status == "approved"
    assert AuditEntry.objects.filter(action="content.workflow.deactivate").exists()


def test_the_default_workflow_stays(team, hq):
    with pytest.raises(ValidationFailed, match="default workflow stays"):
        workflows.deactivate_workflow(actor=hq, workflow=services.seed_default_workflow())


def test_only_group_wide_settings_managers_edit_the_default_workflow(team, hq):
    default = services.seed_default_workflow()
    unit_tech = f.person(team.unit, "technical_support")
    with pytest.raises(PermissionDenied):
        workflows.update_workflow(actor=unit_tech, workflow=default, name="改默认")
    workflows.update_workflow(actor=hq, workflow=default, name="三级审核（集团默认）")
    default.refresh_from_db()
    assert default.name == "三级审核（集团默认）"

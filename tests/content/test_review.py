"""The review workflow engine: one behaviour per test (REV-1 … REV-4, CMP-5)."""

from __future__ import annotations

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.content import selectors, services
from mediadesk.content.models import (
    ReviewStatus,
    StageDecision,
    Workflow,
    WorkflowStage,
    WorkflowState,
)
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.models import Notification
from tests import factories as f
from tests.content.world import (
    act,
    approve,
    make_asset,
    make_item,
    png,
    through_all,
    ticked,
    variants,
)

pytestmark = pytest.mark.django_db


def test_three_level_happy_path(team):
    item = make_item(team)
    state = services.submit_for_review(actor=team.author, item=item)
    assert state.stage.level == 1
    state = approve(state, team.l1)
    assert state.stage.level == 2
    state = approve(state, team.l2, action="approve_with_comment", opinion="品牌调性一致")
    assert state.stage.level == 3
    state = approve(state, team.l3)

    assert state.status == ReviewStatus.APPROVED and state.completed_at is not None
    assert services.approved_fingerprint_matches(item)
    assert [d.reviewer for d in state.decisions.order_by("pk")] == [team.l1, team.l2, team.l3]
    assert Notification.objects.filter(recipient=team.l2, kind="content.review.awaiting").exists()
    assert Notification.objects.filter(recipient=team.author, kind="content.review.approved")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"content.review.submit", "content.review.approve"} <= actions


def test_the_default_workflow_carries_the_rev1_checklists(team):
    workflow = services.seed_default_workflow()
    stages = list(workflow.stages.order_by("order"))
    assert [s.level for s in stages] == [1, 2, 3]
    assert "无广告法禁用词" in stages[1].checklist and stages[2].is_legal


def test_approving_needs_every_checklist_item_ticked(team):
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    with pytest.raises(ValidationFailed, match="Tick every checklist item"):
        services.decide(
            actor=team.l1, state=state, action="approve", revision=1, version=state.version
        )
    assert not StageDecision.objects.exists()


def test_request_changes_returns_the_item_to_its_author_and_a_resubmission_starts_over(team):
    item = make_item(team)
    state = services.submit_for_review(actor=team.author, item=item)
    state = act(state, team.l1, "request_changes", "需补充竞品对比数据")

    assert state.status == ReviewStatus.CHANGES_REQUESTED
    assert list(selectors.returned_to_me(user=team.author)) == [state]
    note = Notification.objects.get(recipient=team.author, kind="content.review.changes_requested")
    assert note.body == "需补充竞品对比数据"

    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "补充了对比数据。")
    )
    again = services.submit_for_review(actor=team.author, item=item)
    assert (again.stage.level, again.revision.number) == (1, 2)
    assert list(selectors.returned_to_me(user=team.author)) == []


def test_request_changes_needs_an_opinion(team):
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    with pytest.raises(ValidationFailed, match="opinion"):
        act(state, team.l1, "request_changes", "  ")


def test_blocked_advertising_law_term_refuses_submission_until_the_author_fixes_it(team):
    item = make_item(team, "全网最低价，仅此一天。")
    with pytest.raises(ValidationFailed, match="全网最低价") as caught:
        services.submit_for_review(actor=team.author, item=item)
    assert caught.value.fields["findings"][0]["suggestion"] == "限时特惠"
    assert not WorkflowState.objects.exists()

    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "限时特惠。")
    )
    state = services.submit_for_review(actor=team.author, item=item)
    assert state.status == ReviewStatus.IN_PROGRESS and not state.has_blocking_findings


def test_legal_overrides_a_blocking_finding_only_with_a_written_reason(team):
    item = make_item(team, "行业第一的服务团队。")
    state = services.submit_for_review(
        actor=team.author, item=item, override_request="第一 是第三方榜单排名，附证明"
    )
    assert state.requires_legal and state.has_blocking_findings
    state = approve(state, team.l1)
    state = approve(state, team.l2)
    with pytest.raises(ValidationFailed, match="reason for overriding"):
        approve(state, team.l3)

    state = approve(state, team.l3, override_reason="已核验榜单出处，可引用")
    assert state.status == ReviewStatus.APPROVED
    assert (state.override_reason, state.overridden_by) == ("已核验榜单出处，可引用", team.l3)
    entry = AuditEntry.objects.get(action="content.review.override")
    assert entry.after["reason"] == "已核验榜单出处，可引用"


def test_only_the_legal_stage_may_override(team):
    item = make_item(team, "行业第一的服务团队。")
    state = services.submit_for_review(actor=team.author, item=item, override_request="有出处")
    with pytest.raises(ValidationFailed, match="Only the legal stage"):
        approve(state, team.l1, override_reason="我觉得可以")


def test_special_industry_content_always_gets_the_legal_stage(team):
    two_levels = Workflow.objects.create(name="两级", owning_unit=team.unit)
    for order, spec in enumerate(services.DEFAULT_STAGES[:2], start=1):
        WorkflowStage.objects.create(workflow=two_levels, order=order, **spec)
    plain = services.submit_for_review(actor=team.author, item=make_item(team))
    assert len(plain.route) == 2

    medical = services.submit_for_review(
        actor=team.author, item=make_item(team, "本品适合糖尿病人群食用。")
    )
    assert medical.requires_legal and len(medical.route) == 3
    medical = approve(approve(medical, team.l1), team.l2)
    assert medical.stage.is_legal and medical.status == ReviewStatus.IN_PROGRESS


def test_an_author_never_approves_their_own_item(team):
    f.services.grant_role(
        actor=f.superuser(), person=team.author, role="reviewer_l1", org_unit=team.unit
    )
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    with pytest.raises(PermissionDenied, match="your own content"):
        approve(state, team.author)
    assert team.author not in services.stage_reviewers(state.stage, state.item)


def test_a_reviewer_not_assigned_to_the_stage_is_refused(team):
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    with pytest.raises(PermissionDenied, match="not a reviewer"):
        approve(state, team.l2)
    outsider = f.person(f.unit(), "reviewer_l1")
    with pytest.raises(PermissionDenied, match="not a reviewer"):
        approve(state, outsider)
    state.refresh_from_db()
    assert state.stage.level == 1 and not StageDecision.objects.exists()


def test_two_reviewers_acting_on_the_same_stage_make_one_transition(team):
    second_planner = f.person(team.unit, "reviewer_l1")
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    form_a = WorkflowState.objects.get(pk=state.pk)  # both opened the form at version 1
    form_b = WorkflowState.objects.get(pk=state.pk)

    services.decide(
        actor=team.l1,
        state=form_a,
        action="approve",
        revision=1,
        version=form_a.version,
        checklist=ticked(form_a),
    )
    with pytest.raises(Conflict, match="Someone else acted"):
        services.decide(
            actor=second_planner,
            state=form_b,
            action="request_changes",
            opinion="改一下",
            revision=1,
            version=form_b.version,
        )
    state.refresh_from_db()
    assert (state.stage.level, state.version, state.status) == (2, 2, "in_progress")
    assert StageDecision.objects.count() == 1


def test_an_all_stage_needs_every_named_reviewer_and_nobody_approves_twice(team):
    second = f.person(team.unit, "reviewer_l1")
    workflow = Workflow.objects.create(name="会签", account=team.wechat)
    stage = WorkflowStage.objects.create(
        workflow=workflow, order=1, name="会签", level=1, mode="all", checklist=["事实核对"]
    )
    stage.people.set([team.l1, second])
    state = services.submit_for_review(actor=team.author, item=make_item(team))

    state = approve(state, team.l1)
    assert state.status == ReviewStatus.IN_PROGRESS and state.stage == stage
    with pytest.raises(Conflict, match="already decided"):
        approve(state, team.l1)
    state = approve(state, second)
    assert state.status == ReviewStatus.APPROVED


def test_a_decision_on_a_stale_revision_is_refused(team):
    item = make_item(team)
    old_round = services.submit_for_review(actor=team.author, item=item)
    old_checklist = ticked(old_round)  # the reviewer's form, opened before the edit
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "改过的文字。")
    )
    new_round = item.reviews.get(status=ReviewStatus.IN_PROGRESS)
    with pytest.raises(Conflict, match="changed since you opened it"):
        services.decide(
            actor=team.l1,
            state=new_round,
            action="approve",
            revision=1,
            version=new_round.version,
            checklist=ticked(new_round),
        )
    with pytest.raises(Conflict, match="already closed"):
        services.decide(
            actor=team.l1,
            state=old_round,
            action="approve",
            revision=1,
            version=old_round.version,
            checklist=old_checklist,
        )
    assert not StageDecision.objects.exists()


def test_a_stale_edit_form_is_refused(team):
    item = make_item(team)
    services.update_item(actor=team.author, item=item, base_revision=1, title="新标题")
    with pytest.raises(Conflict, match="changed since you opened it"):
        services.update_item(actor=team.author, item=item, base_revision=1, title="另一个标题")


def test_an_edit_after_approval_resets_to_stage_one_and_the_fingerprint_no_longer_matches(team):
    item = make_item(team)
    approved = through_all(services.submit_for_review(actor=team.author, item=item), team)
    assert services.approved_fingerprint_matches(item)

    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "发布前改了一句。")
    )
    approved.refresh_from_db()
    item.refresh_from_db()
    assert approved.status == ReviewStatus.SUPERSEDED
    assert not services.approved_fingerprint_matches(item)
    assert item.approved_fingerprint == ""
    restarted = item.reviews.get(status=ReviewStatus.IN_PROGRESS)
    assert (restarted.stage.level, restarted.revision.number) == (1, 2)
    assert AuditEntry.objects.filter(action="content.review.supersede").count() == 1


def test_rescheduling_fields_are_not_part_of_the_fingerprint_but_media_and_accounts_are(team):
    item = make_item(team)
    base = services.current_fingerprint(item)
    services.update_item(
        actor=team.author, item=item, base_revision=1, title="新品上市推文（终稿）"
    )
    assert services.current_fingerprint(item) == base
    changed = variants(team)
    changed[0]["media"] = [make_asset(team.unit, team.author, png(colour="green")).pk]
    services.update_item(actor=team.author, item=item, base_revision=2, variants=changed)
    assert services.current_fingerprint(item) != base


def test_variant_html_is_sanitised(team):
    item = make_item(
        team,
        variants=[
            {"account": team.wechat, "body": '<p onclick="x()">正文<script>x()</script></p>'}
        ],
    )
    assert item.variants.get().body == "<p>正文</p>"


def test_awaiting_my_review_lists_what_the_current_stage_needs_from_me(team):
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    assert selectors.awaiting_my_review(user=team.l1) == [state]
    assert selectors.awaiting_my_review(user=team.l2) == []
    approve(state, team.l1)
    assert selectors.awaiting_my_review(user=team.l1) == []
    assert [s.pk for s in selectors.awaiting_my_review(user=team.l2)] == [state.pk]


def test_timeline_shows_revisions_with_diffs_and_every_decision(team):
    item = make_item(team)
    state = services.submit_for_review(actor=team.author, item=item)
    act(state, team.l1, "request_changes", "需补充数据")
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "补充数据。")
    )
    entries = selectors.timeline(item)
    assert [e.kind for e in entries] == ["revision", "submitted", "decision", "closed", "revision"]
    assert "+<p>补充数据。</p>" not in entries[-1].detail  # diffs read as text, not HTML
    assert "+补充数据。" in entries[-1].detail and "-新品上市，三大功能升级。" in entries[-1].detail
    assert entries[2].detail == "需补充数据"


def test_review_flow_rows_follow_template_2(team):
    item = make_item(team)
    first = services.submit_for_review(actor=team.author, item=item)
    act(first, team.l1, "request_changes", "需补充竞品对比数据")
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "补充对比。")
    )
    second = services.submit_for_review(actor=team.author, item=item)
    second = approve(second, team.l1)
    second = approve(second, team.l2, action="approve_with_comment", opinion="改为“限时特惠”")
    second = approve(second, team.l3)

    assert selectors.REVIEW_FLOW_HEADERS[2] == "一审人（内容策划）"
    rows = selectors.review_flow_rows(user=f.superuser())
    assert [r.state.pk for r in rows] == [second.pk, first.pk]
    latest, earlier = rows
    assert latest.cells()[0] == "新品上市推文"
    assert latest.reviewers == ("planner", "manager", "legal")
    assert latest.opinions == ("Approved", "改为“限时特惠”", "Approved")
    assert latest.result == "Approved after changes"
    assert latest.completed_at == second.completed_at
    assert earlier.reviewers == ("planner", "", "")
    assert earlier.opinions[0] == "需补充竞品对比数据"
    assert earlier.result == "Changes requested"
    assert len(latest.cells()) == len(selectors.REVIEW_FLOW_HEADERS)


def test_review_flow_rows_show_only_what_the_reader_may_see(team):
    services.submit_for_review(actor=team.author, item=make_item(team))
    assert len(selectors.review_flow_rows(user=team.l1)) == 1
    assert selectors.review_flow_rows(user=f.person(f.unit(), "reviewer_l1")) == []


def test_an_edit_adding_a_blocking_term_after_approval_leaves_the_item_with_its_author(team):
    item = make_item(team)
    through_all(services.submit_for_review(actor=team.author, item=item), team)
    services.update_item(
        actor=team.author, item=item, base_revision=1, variants=variants(team, "全网最低价！")
    )
    assert not item.reviews.filter(status=ReviewStatus.IN_PROGRESS).exists()
    assert [s.status for s in selectors.returned_to_me(user=team.author)] == ["superseded"]
    assert not services.approved_fingerprint_matches(item)

"""The review pages: my queue, what came back to me, the decision page (checklist, opinion,
legal override, conflicts) and the review flow table (模板2) with its Excel export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from mediadesk.audit.models import AuditEntry
from mediadesk.content import services
from mediadesk.content.models import ReviewStatus, StageDecision
from mediadesk.content.selectors import REVIEW_FLOW_HEADERS
from tests.content.world import act, approve, make_item
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def submitted(team, **fields):
    item = make_item(team, **fields)
    return item, services.submit_for_review(actor=team.author, item=item)


def decision(state, action="approve", **extra):
    state.refresh_from_db()
    data = {
        "action": action,
        "revision": state.revision.number,
        "version": state.version,
        "opinion": "",
        "checklist": list(state.stage.checklist),
    }
    data.update(extra)
    return data


def test_the_queue_lists_what_waits_at_my_stage_only(team):
    _item, state = submitted(team)
    html = client_for(team.l1).get("/review/").content.decode()
    assert f'href="/review/{state.pk}/"' in html
    assert "一审（内容策划）" in html
    html = client_for(team.l2).get("/review/").content.decode()
    assert f'href="/review/{state.pk}/"' not in html
    assert "没有等待您审核的内容" in html


def test_the_decision_page_shows_variants_findings_and_the_stage_checklist(team):
    _item, state = submitted(team, text="行业领先的降噪技术")
    html = client_for(team.l1).get(f"/review/{state.pk}/").content.decode()
    assert 'id="decision-form"' in html
    for line in state.stage.checklist:
        assert f'value="{line}"' in html
    assert f'name="revision" value="{state.revision.number}"' in html
    assert f'name="version" value="{state.version}"' in html
    assert 'class="hl hl-warn"' in html and ">行业领先</mark>" in html
    assert f'data-preview="{team.weibo.pk}"' in html
    assert 'name="override_reason"' not in html  # not the legal stage


def test_approving_at_level_one_moves_the_round_to_level_two(team):
    _item, state = submitted(team)
    response = client_for(team.l1).post(
        f"/review/{state.pk}/", decision(state, opinion="选题与目标一致")
    )
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.stage.level == 2
    assert StageDecision.objects.get(state=state).opinion == "选题与目标一致"


def test_approving_needs_every_checklist_item(team):
    _item, state = submitted(team)
    data = decision(state)
    data["checklist"] = data["checklist"][:1]
    response = client_for(team.l1).post(f"/review/{state.pk}/", data)
    assert response.status_code == 400
    assert "勾选" in response.content.decode()
    state.refresh_from_db()
    assert state.stage.level == 1 and not StageDecision.objects.exists()


def test_an_operator_cannot_decide(team):
    from tests import factories as f

    other_operator = f.person(team.unit, "operator", username="someone")
    _item, state = submitted(team)
    html = client_for(other_operator).get(f"/review/{state.pk}/").content.decode()
    assert 'id="decision-form"' not in html
    response = client_for(other_operator).post(f"/review/{state.pk}/", decision(state))
    assert response.status_code == 403
    assert client_for(team.author).post(f"/review/{state.pk}/", decision(state)).status_code == 403
    state.refresh_from_db()
    assert state.stage.level == 1 and not StageDecision.objects.exists()


def test_a_decision_someone_else_made_first_is_a_conflict_that_changes_nothing(team):
    _item, state = submitted(team)
    stale = decision(state, opinion="我的意见还留着")
    approve(state, team.l1)  # another L1 reviewer acted first (here: the same stage moved on)
    state.refresh_from_db()
    response = client_for(team.l2).post(f"/review/{state.pk}/", {**stale, "action": "reject"})
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="conflict"' in html
    assert "已有其他人处理了该审核" in html
    assert "我的意见还留着" in html
    state.refresh_from_db()
    assert state.status == ReviewStatus.IN_PROGRESS and state.stage.level == 2
    assert StageDecision.objects.count() == 1


def test_a_stale_revision_is_a_conflict(team):
    item, state = submitted(team)
    stale = decision(state)
    services.update_item(actor=team.author, item=item, base_revision=1, title="作者又改了")
    response = client_for(team.l1).post(f"/review/{state.pk}/", stale)
    assert response.status_code == 409
    assert not StageDecision.objects.filter(state=state).exists()


def test_request_changes_needs_an_opinion_and_comes_back_to_the_author(team):
    item, state = submitted(team)
    client = client_for(team.l1)
    response = client.post(f"/review/{state.pk}/", decision(state, action="request_changes"))
    assert response.status_code == 400
    response = client.post(
        f"/review/{state.pk}/",
        decision(state, action="request_changes", opinion="标题太长，请精简"),
    )
    assert response.status_code == 302
    html = client_for(team.author).get("/review/returned/").content.decode()
    assert item.title in html and "标题太长，请精简" in html
    assert f'href="/content/{item.pk}/edit/"' in html


def test_the_legal_stage_overrides_a_blocking_finding_only_with_a_reason(team):
    item = make_item(team, text="本店全网最低价")
    state = services.submit_for_review(
        actor=team.author, item=item, override_request="报告原文引用"
    )
    state = approve(approve(state, team.l1), team.l2)
    client = client_for(team.l3)
    html = client.get(f"/review/{state.pk}/").content.decode()
    assert 'name="override_reason"' in html
    assert "报告原文引用" in html
    response = client.post(f"/review/{state.pk}/", decision(state))
    assert response.status_code == 400
    response = client.post(
        f"/review/{state.pk}/", decision(state, override_reason="引用有出处，法务同意保留")
    )
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == ReviewStatus.APPROVED
    assert state.override_reason == "引用有出处，法务同意保留"


def test_the_review_flow_table_has_the_seeds_headers_and_every_round(team):
    item, state = submitted(team)
    act(state, team.l1, "request_changes", "补充数据来源")
    services.update_item(actor=team.author, item=item, base_revision=1, title="补充了来源")
    state = services.submit_for_review(actor=team.author, item=item)
    for who in (team.l1, team.l2, team.l3):
        state = approve(state, who)
    html = client_for(team.l1).get("/review/flow/").content.decode()
    table = html.split('id="flow-table"', 1)[1].split("</table>", 1)[0]
    headers = [h for h in table.split("<th>")[1:]]
    assert [h.split("</th>", 1)[0] for h in headers] == list(REVIEW_FLOW_HEADERS)
    assert table.count("<tr data-round=") == 2
    assert "补充数据来源" in table and "修改后通过" in table
    assert "planner" in table and "manager" in table and "legal" in table


def test_the_excel_export_has_the_seeds_headers_and_is_audited(team):
    _item, state = submitted(team)
    approve(state, team.l1)
    response = client_for(team.l1).post("/review/flow/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(REVIEW_FLOW_HEADERS)
    assert sheet.max_row == 2
    assert AuditEntry.objects.filter(action="content.review_flow.export").exists()


def test_the_export_is_a_post(team):
    assert client_for(team.l1).get("/review/flow/export/").status_code == 405

"""Planning pages: goals, the topic matrix, the media library (upload, licence badges and
filters, files behind a permission check), backup content, and the review workflow settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mediadesk.content import planning, services
from mediadesk.content.models import Asset, Goal, Topic, Workflow
from tests import factories as f
from tests.content.world import approve, make_asset, make_item, png
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


# -- goals ------------------------------------------------------------------------------------


def test_an_operator_sets_a_goal_and_sees_it_with_its_items(team):
    client = client_for(team.author)
    response = client.post(
        "/content/goals/",
        {
            "unit": team.unit.pk,
            "name": "双十一互动 3 万次",
            "metric": "interaction",
            "target": "30000",
            "deadline": "2026-11-11",
            "platforms": ["weibo"],
        },
    )
    goal = Goal.objects.get(name="双十一互动 3 万次")
    assert response.status_code == 302
    assert response["Location"] == f"/content/goals/{goal.pk}/"
    make_item(team, goal=goal, title="为互动目标写的一篇")
    html = client.get(f"/content/goals/{goal.pk}/").content.decode()
    assert "为互动目标写的一篇" in html
    assert "微博" in html  # the platform by name
    listing = client.get("/content/goals/").content.decode()
    assert "双十一互动 3 万次" in listing and "30,000" in listing


def test_a_goal_without_a_deadline_is_refused_next_to_the_field(team):
    response = client_for(team.author).post(
        "/content/goals/",
        {"unit": team.unit.pk, "name": "没有期限", "metric": "exposure", "target": "1000"},
    )
    assert response.status_code == 400
    assert 'id="new-goal" open' in response.content.decode()
    assert not Goal.objects.filter(name="没有期限").exists()


def test_a_reviewer_may_read_goals_but_not_set_or_archive_them(team):
    client = client_for(team.l1)
    html = client.get("/content/goals/").content.decode()
    assert team.goal.name in html
    assert 'id="new-goal"' not in html
    response = client.post(f"/content/goals/{team.goal.pk}/", {"op": "archive"})
    assert response.status_code == 403
    team.goal.refresh_from_db()
    assert not team.goal.archived


def test_archiving_a_goal_takes_it_out_of_the_editor(team):
    client = client_for(team.author)
    client.post(f"/content/goals/{team.goal.pk}/", {"op": "archive"})
    team.goal.refresh_from_db()
    assert team.goal.archived
    html = client.get(f"/content/new/?unit={team.unit.pk}").content.decode()
    goals = html.split('name="goal"', 1)[1].split("</select>", 1)[0]
    assert team.goal.name not in goals
    assert "本单位还没有可用的目标" in html


# -- topics -----------------------------------------------------------------------------------


def test_the_topic_matrix_lays_topics_out_by_category_with_their_item_counts(team):
    topic = planning.create_topic(
        actor=team.author,
        owning_unit=team.unit,
        name="新品发布",
        category="product",
        audience="关注数码新品的年轻用户",
    )
    make_item(team, topic=topic)
    make_item(team, topic=topic, title="第二篇")
    html = client_for(team.author).get("/content/topics/").content.decode()
    row = html.split('data-category="product"', 1)[1].split('data-category="brand"', 1)[0]
    assert "新品发布" in row and "关注数码新品的年轻用户" in row
    assert '<span class="topic-count" title="内容数">2</span>' in row
    for label in ["产品号", "品牌号", "活动", "服务", "行业"]:
        assert label in html


def test_a_topic_is_added_and_edited(team):
    client = client_for(team.author)
    client.post(
        "/content/topics/",
        {"unit": team.unit.pk, "name": "售后指南", "category": "service", "audience": ""},
    )
    topic = Topic.objects.get(name="售后指南")
    response = client.post(
        f"/content/topics/{topic.pk}/",
        {"op": "edit", "name": "售后服务指南", "category": "service", "audience": "已购用户"},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.name, topic.audience) == ("售后服务指南", "已购用户")


# -- the media library ------------------------------------------------------------------------


def test_an_upload_records_its_licence_and_the_grid_shows_its_state(team):
    client = client_for(team.author)
    response = client.post(
        "/content/assets/",
        {
            "unit": team.unit.pk,
            "file": SimpleUploadedFile("team.png", png(200, 100, "green")),
            "title": "团队合影",
            "source": "活动现场拍摄",
            "licence": "own",
            "people_pictured": "李女士、王先生",
        },
    )
    asset = Asset.objects.get(title="团队合影")
    assert response.status_code == 302
    assert asset.people_pictured == ["李女士", "王先生"] and not asset.portrait_consent
    html = client.get("/content/assets/").content.decode()
    card = html.split(f'data-asset="{asset.pk}"', 1)[1].split("</a>", 1)[0]
    assert 'data-licence="consent_missing"' in card
    assert "200×100" in card


def test_the_library_filters_by_licence_state(team):
    today = timezone.localdate()
    make_asset(
        team.unit,
        team.author,
        png(10, 10, "black"),
        title="过期图",
        licence="purchased",
        licensed_until=today - dt.timedelta(days=1),
    )
    make_asset(
        team.unit,
        team.author,
        png(11, 11, "white"),
        title="快到期",
        licence="purchased",
        licensed_until=today + dt.timedelta(days=5),
    )
    client = client_for(team.author)
    expired = client.get("/content/assets/?licence_state=expired").content.decode()
    results = expired.split('id="results"', 1)[1]
    assert "过期图" in results and "快到期" not in results and "新品主图" not in results
    expiring = client.get("/content/assets/?licence_state=expiring").content.decode()
    assert "快到期" in expiring.split('id="results"', 1)[1]


def test_library_files_are_served_only_to_people_who_may_read_the_library(team):
    url = f"/content/assets/{team.cover.pk}/file/"
    response = client_for(team.l1).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    outsider = f.person(f.unit(name="别的事业部"), "operator", username="outsider")
    assert client_for(outsider).get(url).status_code == 404


def test_editing_an_asset_records_consent(team):
    asset = make_asset(
        team.unit, team.author, png(12, 12), title="合影", people_pictured=["李女士"]
    )
    response = client_for(team.author).post(
        f"/content/assets/{asset.pk}/",
        {
            "op": "edit",
            "title": "合影",
            "licence": "own",
            "people_pictured": "李女士",
            "portrait_consent": "on",
            "consent_note": "签署了肖像授权书",
        },
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.portrait_consent and asset.consent_note == "签署了肖像授权书"


# -- backup content ---------------------------------------------------------------------------


def test_backup_content_is_grouped_by_event_with_the_approved_first(team):
    ready = make_item(team, title="已备好的声明", backup_for="产品质量舆情")
    make_item(team, title="还在写的声明", backup_for="产品质量舆情")
    state = services.submit_for_review(actor=team.author, item=ready)
    for who in (team.l1, team.l2, team.l3):
        state = approve(state, who)
    html = client_for(team.author).get("/content/backups/").content.decode()
    group = html.split('data-event="产品质量舆情"', 1)[1]
    assert "1 篇可立即排期" in group
    assert group.index("已备好的声明") < group.index("还在写的声明")


# -- review workflows -------------------------------------------------------------------------


def test_workflow_settings_need_the_settings_permission(team):
    assert client_for(team.author).get("/settings/workflows/").status_code == 403
    hq = f.person(f.group(), "hq_communications", username="hq")
    html = client_for(hq).get("/settings/workflows/").content.decode()
    assert "三级审核（默认）" in html
    assert "一审（内容策划）" in html


def test_hq_creates_a_unit_workflow_with_two_stages(team):
    hq = f.person(f.group(), "hq_communications", username="hq")
    client = client_for(hq)
    page = client.get("/settings/workflows/new/").content.decode()
    assert 'name="stages-TOTAL_FORMS" value="3"' in page
    data = {
        "op": "save",
        "name": "事业部两级审核",
        "unit": team.unit.pk,
        "account": "",
        "stages-TOTAL_FORMS": "3",
        "stages-INITIAL_FORMS": "3",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "10",
        "stages-0-name": "初审",
        "stages-0-level": "1",
        "stages-0-role": "reviewer_l1",
        "stages-0-mode": "any",
        "stages-0-checklist": "无错别字\n数据准确",
        "stages-1-name": "法务",
        "stages-1-level": "3",
        "stages-1-role": "reviewer_l3",
        "stages-1-mode": "all",
        "stages-1-is_legal": "on",
        "stages-2-name": "不要了",
        "stages-2-level": "2",
        "stages-2-role": "reviewer_l2",
        "stages-2-mode": "any",
        "stages-2-DELETE": "on",
    }
    response = client.post("/settings/workflows/new/", data)
    workflow = Workflow.objects.get(name="事业部两级审核")
    assert response.status_code == 302
    stages = list(workflow.stages.order_by("order"))
    assert [(s.name, s.level, s.mode, s.is_legal) for s in stages] == [
        ("初审", 1, "any", False),
        ("法务", 3, "all", True),
    ]
    assert stages[0].checklist == ["无错别字", "数据准确"]
    assert workflow.owning_unit_id == team.unit.pk


def test_adding_a_stage_shows_one_more_empty_stage_and_saves_nothing(team):
    hq = f.person(f.group(), "hq_communications", username="hq")
    default = services.seed_default_workflow()
    client = client_for(hq)
    page = client.get(f"/settings/workflows/{default.pk}/").content.decode()
    assert 'name="stages-TOTAL_FORMS" value="3"' in page
    stages = list(default.stages.order_by("order"))
    data = {
        "op": "add_stage",
        "name": default.name,
        "stages-TOTAL_FORMS": "3",
        "stages-INITIAL_FORMS": "3",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "10",
    }
    for i, s in enumerate(stages):
        data.update(
            {
                f"stages-{i}-id": s.pk,
                f"stages-{i}-name": s.name,
                f"stages-{i}-level": s.level,
                f"stages-{i}-role": s.role,
                f"stages-{i}-mode": s.mode,
                f"stages-{i}-checklist": "\n".join(s.checklist),
            }
        )
    html = client.post(f"/settings/workflows/{default.pk}/", data).content.decode()
    assert 'name="stages-TOTAL_FORMS" value="4"' in html
    assert 'data-stage="4"' in html
    assert default.stages.filter(retired=False).count() == 3

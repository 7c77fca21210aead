"""The content API: the same services behind REST, in the house shapes (issue 5)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from mediadesk.content import selectors
from mediadesk.content.models import Asset, ContentItem, Goal, StageDecision, WorkflowState
from mediadesk.orgs.services import create_api_token
from tests import factories as f
from tests.content.world import jpeg, make_asset, mp4, png

pytestmark = pytest.mark.django_db


def client_for(person: Any) -> Client:
    _, raw = create_api_token(actor=person, name="测试")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def author(team):
    return client_for(team.author)


def variant_rows(team) -> list[dict[str, Any]]:
    return [
        {
            "account_id": team.wechat.pk,
            "title": "新品上市",
            "body": "<p>新品上市，三大功能升级。</p>",
            "cover": team.cover.pk,
            "original_url": "https://example.com/new",
        },
        {"account_id": team.weibo.pk, "body": "#新品上市# 三大功能升级"},
    ]


def create(author: Client, team, **fields: Any) -> dict[str, Any]:
    body = {
        "owning_unit_id": team.unit.pk,
        "title": "新品上市推文",
        "goal_id": team.goal.pk,
        "variants": variant_rows(team),
        **fields,
    }
    response = send(author, "post", "/api/v1/content/items", body)
    assert response.status_code == 201, response.json()
    return response.json()


# -- schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_stays_valid_with_the_content_paths():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/content/items/{item_id}/submit" in schema["paths"]
    assert "/api/v1/content/reviews/{round_id}/decide" in schema["paths"]


# -- goals and topics -----------------------------------------------------------------------


def test_goals_are_created_listed_updated_and_archived(team, author):
    response = send(
        author,
        "post",
        "/api/v1/content/goals",
        {
            "owning_unit_id": team.unit.pk,
            "name": "618互动",
            "metric": "interaction",
            "target": 10_000,
            "deadline": "2026-06-18",
            "platforms": ["weibo"],
        },
    )
    assert response.status_code == 201
    goal_id = response.json()["id"]
    listed = author.get("/api/v1/content/goals", {"unit": team.unit.pk}).json()
    assert set(listed) == {"items", "total", "page", "page_size"} and listed["total"] == 2
    patched = send(author, "patch", f"/api/v1/content/goals/{goal_id}", {"target": 12_000})
    assert patched.json()["target"] == 12_000
    archived = send(author, "post", f"/api/v1/content/goals/{goal_id}/archive")
    assert archived.json()["archived"] is True


def test_a_goals_detail_lists_its_items(team, author):
    create(author, team, target_exposure=200_000)
    detail = author.get(f"/api/v1/content/goals/{team.goal.pk}").json()
    assert [i["title"] for i in detail["items"]] == ["新品上市推文"]
    assert detail["planned"]["exposure"] == 200_000


def test_a_reviewer_setting_a_goal_gets_403_and_nothing_is_created(team):
    response = send(
        client_for(team.l1),
        "post",
        "/api/v1/content/goals",
        {
            "owning_unit_id": team.unit.pk,
            "name": "x",
            "metric": "exposure",
            "target": 1,
            "deadline": "2026-06-18",
        },
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Goal.objects.count() == 1


def test_the_topic_matrix_over_the_api(team, author):
    response = send(
        author,
        "post",
        "/api/v1/content/topics",
        {"owning_unit_id": team.unit.pk, "name": "新品", "category": "product"},
    )
    topic_id = response.json()["id"]
    create(author, team, topic_id=topic_id)
    matrix = author.get("/api/v1/content/topics/matrix").json()
    product = next(row for row in matrix if row["category"] == "product")
    assert product["item_count"] == 1 and product["topics"][0]["id"] == topic_id


# -- assets ---------------------------------------------------------------------------------


def test_an_asset_is_uploaded_as_multipart_with_its_licence(team, author):
    upload = io.BytesIO(jpeg(200, 100))
    upload.name = "banner.png"  # the name lies; the bytes decide
    response = author.post(
        "/api/v1/content/assets",
        {
            "owning_unit_id": team.unit.pk,
            "title": "活动横幅",
            "licence": "purchased",
            "licensed_until": "2027-01-31",
            "people_pictured": "张三, 李四",
            "file": upload,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["content_type"], body["width"]) == ("image", "image/jpeg", 200)
    assert body["people_pictured"] == ["张三", "李四"]
    assert body["licence_states"] == ["consent_missing"]
    assert body["problems"][0]["code"] == "consent_missing"


def test_an_unsupported_upload_is_a_422_and_stores_nothing(team, author):
    upload = io.BytesIO(b"%PDF-1.7 not a media file")
    upload.name = "contract.jpg"
    response = author.post(
        "/api/v1/content/assets", {"owning_unit_id": team.unit.pk, "file": upload}
    )
    assert response.status_code == 422 and set(response.json()["fields"]) == {"file"}
    assert "素材库不接受此文件类型" in response.json()["message"]  # zh-Hans first
    assert Asset.objects.count() == 1


def test_the_library_lists_with_filters_in_the_page_shape(team, author):
    make_asset(team.unit, team.author, mp4(40), filename="a.mp4", title="视频")
    make_asset(team.unit, team.author, jpeg(), title="来源不明", licence="unknown")
    videos = author.get("/api/v1/content/assets", {"kind": "video"}).json()
    assert [a["title"] for a in videos["items"]] == ["视频"]
    unknown = author.get("/api/v1/content/assets", {"licence_state": "unknown"}).json()
    assert [a["title"] for a in unknown["items"]] == ["来源不明"]


def test_an_asset_file_is_served_only_to_people_who_may_read_the_library(team, author):
    response = author.get(f"/api/v1/content/assets/{team.cover.pk}/file")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == team.cover.file.open("rb").read()
    assert Client().get(f"/api/v1/content/assets/{team.cover.pk}/file").status_code == 401
    outsider = client_for(f.person(f.unit(), "operator"))
    assert outsider.get(f"/api/v1/content/assets/{team.cover.pk}/file").status_code == 404


def test_asset_metadata_is_edited_and_the_asset_archived(team, author):
    url = f"/api/v1/content/assets/{team.cover.pk}"
    patched = send(author, "patch", url, {"people_pictured": ["王五"], "portrait_consent": True})
    assert patched.json()["problems"] == []
    assert send(author, "post", f"{url}/archive").json()["archived"] is True


# -- items ----------------------------------------------------------------------------------


def test_creating_an_item_returns_its_variants_and_state(team, author):
    body = create(author, team)
    assert body["state"] == "draft" and body["status"]["state"] == "draft"
    assert [v["platform"] for v in body["variants"]] == ["wechat_subscription", "weibo"]
    assert body["variants"][0]["cover_id"] == team.cover.pk


def test_an_item_without_a_goal_is_refused(team, author):
    body = {"owning_unit_id": team.unit.pk, "title": "t", "variants": variant_rows(team)}
    response = send(author, "post", "/api/v1/content/items", body)
    assert response.status_code == 422 and "goal_id" in response.json()["fields"]
    assert not ContentItem.objects.exists()


def test_items_are_listed_with_filters(team, author):
    create(author, team, title="新品发布会")
    create(author, team, title="门店停电致歉", backup_for="门店停电")
    page = author.get("/api/v1/content/items", {"q": "发布会"}).json()
    assert [i["title"] for i in page["items"]] == ["新品发布会"] and page["total"] == 1
    backups = author.get("/api/v1/content/items", {"backup": "true"}).json()
    assert [i["title"] for i in backups["items"]] == ["门店停电致歉"]
    drafts = author.get("/api/v1/content/items", {"state": "draft"}).json()
    assert drafts["total"] == 2
    bad = author.get("/api/v1/content/items", {"state": "lost"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_an_edit_names_the_revision_it_was_made_on_and_a_stale_one_is_a_409(team, author):
    item = create(author, team)
    url = f"/api/v1/content/items/{item['id']}"
    first = send(author, "patch", url, {"base_revision": 1, "title": "新标题"})
    assert first.status_code == 200 and first.json()["revision_number"] == 2
    stale = send(author, "patch", url, {"base_revision": 1, "title": "另一个标题"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert ContentItem.objects.get().title == "新标题"


def test_an_edit_replaces_the_variants_and_can_clear_the_topic(team, author):
    item = create(author, team)
    rows = variant_rows(team)[:1]
    response = send(
        author,
        "patch",
        f"/api/v1/content/items/{item['id']}",
        {"base_revision": 1, "variants": rows, "topic_id": None},
    )
    assert [v["account_id"] for v in response.json()["variants"]] == [team.wechat.pk]


def test_a_variant_is_copied_to_another_account_over_the_api(team, author):
    douyin = f.account(team.unit, platform="douyin", name="示例抖音")
    item = create(author, team)
    source = item["variants"][0]["id"]
    response = send(
        author,
        "post",
        f"/api/v1/content/items/{item['id']}/variants/{source}/copy",
        {"account_id": douyin.pk, "base_revision": 1},
    )
    assert response.status_code == 201
    assert douyin.pk in [v["account_id"] for v in response.json()["variants"]]
    again = send(
        author,
        "post",
        f"/api/v1/content/items/{item['id']}/variants/{source}/copy",
        {"account_id": douyin.pk, "base_revision": 2},
    )
    assert again.status_code == 409


def test_preview_and_delivery_plan_per_variant(team, author):
    item = create(author, team)
    preview = author.get(f"/api/v1/content/items/{item['id']}/preview").json()
    weibo = next(p for p in preview if p["account"]["platform"] == "weibo")
    assert weibo["topics"] == ["新品上市"] and weibo["length_limit"] == 140
    plans = author.get(f"/api/v1/content/items/{item['id']}/delivery").json()
    assert {p["platform"]: p["plan"]["mode"] for p in plans} == {
        "wechat_subscription": "assisted",
        "weibo": "assisted",
    }


def test_backup_marking_over_the_api(team, author):
    item = create(author, team)
    url = f"/api/v1/content/items/{item['id']}/backup"
    assert send(author, "post", url, {"backup_for": "暴雨预案"}).json()["backup_for"] == "暴雨预案"
    groups = author.get("/api/v1/content/backups").json()
    assert groups["items"][0]["prepared_for"] == "暴雨预案"
    assert groups["items"][0]["items"][0]["id"] == item["id"]


# -- submission and review ------------------------------------------------------------------


def submit(author: Client, item_id: int, **body: Any) -> Any:
    return send(author, "post", f"/api/v1/content/items/{item_id}/submit", body)


def test_submitting_starts_a_round_at_stage_one(team, author):
    item = create(author, team)
    response = submit(author, item["id"])
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["stage_level"], body["version"], body["revision"]) == (
        "in_progress",
        1,
        1,
        1,
    )
    assert "无错别字" in body["stage_checklist"]
    detail = author.get(f"/api/v1/content/items/{item['id']}").json()
    assert detail["state"] == "in_review" and detail["status"]["round"] == body["id"]


def test_a_blocking_term_refuses_the_submission_unless_legal_is_asked(team, author):
    item = create(author, team)
    rows = variant_rows(team)
    rows[0]["body"] = "<p>全网最低价</p>"
    send(
        author,
        "patch",
        f"/api/v1/content/items/{item['id']}",
        {"base_revision": 1, "variants": rows},
    )
    refused = submit(author, item["id"])
    assert refused.status_code == 422 and refused.json()["code"] == "blocking_findings"
    asked = submit(author, item["id"], override_request="限时活动，有价格证明")
    assert asked.status_code == 201 and asked.json()["requires_legal"] is True
    detail = author.get(f"/api/v1/content/items/{item['id']}").json()
    assert detail["findings"][0]["term"] == "全网最低价"


def test_an_asset_problem_refuses_the_submission_with_its_own_code(team, author):
    item = create(author, team)
    send(author, "patch", f"/api/v1/content/assets/{team.cover.pk}", {"licence": "unknown"})
    refused = submit(author, item["id"])
    assert refused.status_code == 422 and refused.json()["code"] == "asset_problems"
    assert refused.json()["fields"]["assets"][0]["asset"] == team.cover.pk


def decide(client: Client, round_: dict[str, Any], action: str = "approve", **extra: Any) -> Any:
    body = {
        "action": action,
        "revision": round_["revision"],
        "version": round_["version"],
        "checklist": dict.fromkeys(round_["stage_checklist"], True),
        **extra,
    }
    return send(client, "post", f"/api/v1/content/reviews/{round_['id']}/decide", body)


def test_a_reviewer_finds_the_round_in_their_queue_and_approves_it(team, author):
    item = create(author, team)
    submit(author, item["id"])
    planner = client_for(team.l1)
    queue = planner.get("/api/v1/content/reviews/awaiting").json()
    assert queue["total"] == 1 and queue["items"][0]["item_id"] == item["id"]
    response = decide(planner, queue["items"][0])
    assert response.status_code == 200
    assert (response.json()["stage_level"], response.json()["version"]) == (2, 2)
    assert planner.get("/api/v1/content/reviews/awaiting").json()["total"] == 0


def test_the_author_finds_a_returned_item_in_their_queue(team, author):
    item = create(author, team)
    round_ = submit(author, item["id"]).json()
    decide(client_for(team.l1), round_, "request_changes", opinion="需补充竞品对比数据")
    returned = author.get("/api/v1/content/reviews/returned").json()
    assert returned["items"][0]["status"] == "changes_requested"


def test_two_reviewers_deciding_on_the_same_form_make_one_transition_and_a_409(team, author):
    second = f.person(team.unit, "reviewer_l1")
    round_ = submit(author, create(author, team)["id"]).json()
    first = decide(client_for(team.l1), round_)
    late = decide(client_for(second), round_, "request_changes", opinion="改一下")
    assert (first.status_code, late.status_code) == (200, 409)
    assert "其他人处理了该审核" in late.json()["message"]  # API answers in Chinese first
    assert StageDecision.objects.count() == 1


def test_a_decision_on_a_stale_revision_is_a_409(team, author):
    item = create(author, team)
    round_ = submit(author, item["id"]).json()
    send(
        author, "patch", f"/api/v1/content/items/{item['id']}", {"base_revision": 1, "title": "改"}
    )
    response = decide(client_for(team.l1), round_)
    assert response.status_code == 409
    assert not StageDecision.objects.exists()


def test_deciding_at_a_stage_one_is_not_assigned_to_is_a_403(team, author):
    round_ = submit(author, create(author, team)["id"]).json()
    response = decide(client_for(team.l2), round_)
    assert (
        response.status_code == 403
        and "不是“一审（内容策划）”环节的审核人" in response.json()["message"]
    )


def test_approving_twice_at_an_all_stage_is_a_409(team, author):
    from mediadesk.content import workflows

    second = f.person(team.unit, "reviewer_l1")
    workflows.create_workflow(
        actor=f.superuser(),
        name="会签",
        owning_unit=team.unit,
        stages=[{"name": "会签", "people": [team.l1.pk, second.pk], "mode": "all"}],
    )
    round_ = submit(author, create(author, team)["id"]).json()
    planner = client_for(team.l1)
    assert decide(planner, round_).status_code == 200
    again = decide(planner, {**round_, "version": 2})
    assert again.status_code == 409 and "已在本环节作出过审核决定" in again.json()["message"]


def test_a_decision_without_the_checklist_is_a_422_and_changes_nothing(team, author):
    round_ = submit(author, create(author, team)["id"]).json()
    response = decide(client_for(team.l1), {**round_, "stage_checklist": []})
    assert response.status_code == 422
    assert WorkflowState.objects.get().version == 1


def test_the_timeline_over_the_api(team, author):
    item = create(author, team)
    round_ = submit(author, item["id"]).json()
    decide(client_for(team.l1), round_, "request_changes", opinion="补数据")
    kinds = [e["kind"] for e in author.get(f"/api/v1/content/items/{item['id']}/timeline").json()]
    assert kinds == ["revision", "submitted", "decision", "closed"]


# -- workflows and the review flow table ----------------------------------------------------


def test_workflows_are_listed_created_edited_and_deactivated(team):
    hq = client_for(f.person(f.group(), "hq_communications"))
    listed = hq.get("/api/v1/content/workflows").json()
    assert listed["items"][0]["is_default"] is True
    response = send(
        hq,
        "post",
        "/api/v1/content/workflows",
        {
            "name": "两级",
            "owning_unit_id": team.unit.pk,
            "stages": [
                {"name": "一审", "role": "reviewer_l1"},
                {"name": "二审", "role": "reviewer_l2", "level": 2},
            ],
        },
    )
    assert response.status_code == 201
    workflow = response.json()
    stages = workflow["stages"]
    edited = send(
        hq,
        "patch",
        f"/api/v1/content/workflows/{workflow['id']}",
        {"stages": [{**stages[0], "checklist": ["事实核对"]}]},
    )
    assert [s["checklist"] for s in edited.json()["stages"]] == [["事实核对"]]
    off = send(hq, "post", f"/api/v1/content/workflows/{workflow['id']}/deactivate")
    assert off.json()["active"] is False


def test_an_operator_creating_a_workflow_gets_403(team, author):
    response = send(
        author,
        "post",
        "/api/v1/content/workflows",
        {
            "name": "x",
            "owning_unit_id": team.unit.pk,
            "stages": [{"name": "一审", "role": "reviewer_l1"}],
        },
    )
    assert response.status_code == 403


def test_the_review_flow_table_as_json_and_as_excel(team, author):
    round_ = submit(author, create(author, team)["id"]).json()
    decide(client_for(team.l1), round_, "request_changes", opinion="需补充竞品对比数据")
    rows = author.get("/api/v1/content/review-flow").json()
    assert rows["items"][0]["l1_opinion"] == "需补充竞品对比数据"
    response = author.get("/api/v1/content/review-flow.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(selectors.REVIEW_FLOW_HEADERS)
    assert sheet.cell(2, 4).value == "需补充竞品对比数据"


def test_assets_used_in_a_body_are_previewed_from_the_library(team, author):
    picture = make_asset(team.unit, team.author, png(10, 10, "teal"), title="插图")
    rows = variant_rows(team)
    rows[0]["body"] = f'<p>图</p><img src="asset:{picture.pk}">'
    item = create(author, team, variants=rows)
    preview = author.get(f"/api/v1/content/items/{item['id']}/preview").json()
    html = preview[0]["body_html"]
    assert f"/api/v1/content/assets/{picture.pk}/file" in html
    assert author.get(f"/api/v1/content/assets/{picture.pk}/file").status_code == 200


def test_the_delivery_plan_reads_in_chinese_for_an_assisted_platform(team, author):
    xhs = f.account(team.unit, platform="xiaohongshu", name="示例小红书")
    rows = [{"account_id": xhs.pk, "title": "新品", "body": "笔记", "media": [team.cover.pk]}]
    item = create(author, team, variants=rows)
    plan = author.get(f"/api/v1/content/items/{item['id']}/delivery").json()[0]["plan"]
    assert plan["mode"] == "assisted" and plan["where"] == "小红书 App"
    assert plan["reasons"] == ["小红书不向普通账号开放发布接口。"]

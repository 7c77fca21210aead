"""The content pages: the list, the editor with its variants and previews, an item with its
findings and timeline, the submission, copying a variant on purpose."""

from __future__ import annotations

import re

import pytest

from mediadesk.content import services
from mediadesk.content.models import ContentItem, ReviewStatus, WorkflowState
from tests import factories as f
from tests.content.world import approve, make_item
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def editor_data(team, *, op="save", title="新品上市推文", base_revision=None, **overrides):
    """What the editor form posts for a WeChat and a Weibo variant."""
    w, b = team.wechat.pk, team.weibo.pk
    data = {
        "op": op,
        "unit": team.unit.pk,
        "title": title,
        "goal": team.goal.pk,
        "topic": "",
        "format": "article",
        "target_exposure": "300000",
        "target_interaction": "",
        "target_conversion": "",
        "backup_for": "",
        "notes": "",
        "variants": [w, b],
        f"v{w}-present": "1",
        f"v{w}-title": "新品上市",
        f"v{w}-digest": "三大功能升级",
        f"v{w}-body": f'<p>新品上市，三大功能升级。</p><p><img src="asset:{team.cover.pk}"></p>',
        f"v{w}-original_url": "https://example.com/new",
        f"v{w}-cover": team.cover.pk,
        f"v{b}-present": "1",
        f"v{b}-body": "#新品上市# 三大功能升级，@示例集团 一起见证",
        f"v{b}-cover": "",
    }
    if base_revision is not None:
        data["base_revision"] = base_revision
    data.update(overrides)
    return data


def _state_badges(html: str) -> list[str]:
    return re.findall(r'data-state="(\w+)">([^<]+)</span>', html)


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_item_with_its_state_and_stage(team):
    draft = make_item(team, title="草稿一篇")
    in_review = make_item(team, title="审核中的一篇")
    services.submit_for_review(actor=team.author, item=in_review)
    html = client_for(team.author).get("/content/").content.decode()
    badges = dict((state, label) for state, label in _state_badges(html))
    assert "草稿一篇" in html and "审核中的一篇" in html
    assert badges["draft"] == "草稿"
    assert badges["in_review"] == "审核中 · 一审（内容策划）"
    assert str(draft.goal.name) in html
    assert 'href="/content/new/"' in html


def test_the_list_filters_by_state(team):
    make_item(team, title="还在草稿")
    submitted = make_item(team, title="已经提交")
    services.submit_for_review(actor=team.author, item=submitted)
    html = client_for(team.author).get("/content/?state=in_review").content.decode()
    results = html.split('id="results"', 1)[1]
    assert "已经提交" in results
    assert "还在草稿" not in results


@pytest.mark.parametrize(
    "url",
    [
        "/content/",
        "/content/new/",
        "/content/goals/",
        "/content/topics/",
        "/content/assets/",
        "/content/backups/",
        "/review/",
        "/review/returned/",
        "/review/flow/",
    ],
)
def test_someone_without_a_role_is_refused(url, nobody_client):
    response = nobody_client.get(url)
    assert response.status_code == 403
    assert "无权" in response.content.decode()


# -- the editor -------------------------------------------------------------------------------


def test_an_operator_drafts_an_item_with_a_wechat_and_a_weibo_variant(team):
    client = client_for(team.author)
    page = client.get(f"/content/new/?unit={team.unit.pk}")
    assert page.status_code == 200
    assert "新建内容" in page.content.decode()
    data = editor_data(team)
    data[f"v{team.wechat.pk}-body"] += "<script>alert(1)</script>"
    response = client.post(f"/content/new/?unit={team.unit.pk}", data)
    assert response.status_code == 302
    item = ContentItem.objects.get(title="新品上市推文")
    assert response["Location"] == f"/content/{item.pk}/"
    assert item.revision_number == 1
    bodies = {v.account_id: v.body for v in item.variants.all()}
    assert set(bodies) == {team.wechat.pk, team.weibo.pk}
    assert "<script>" not in bodies[team.wechat.pk]
    assert f'src="asset:{team.cover.pk}"' in bodies[team.wechat.pk]


def test_adding_a_variant_keeps_what_was_typed_and_saves_nothing(team):
    douyin = f.account(team.unit, platform="douyin", name="示例抖音")
    data = editor_data(team, op="add", title="还没保存的标题", add_account=douyin.pk)
    response = client_for(team.author).post(f"/content/new/?unit={team.unit.pk}", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="还没保存的标题"' in html
    assert f'id="variant-{douyin.pk}"' in html
    assert "#新品上市# 三大功能升级" in html
    assert not ContentItem.objects.exists()


def test_a_reviewer_cannot_edit(team):
    item = make_item(team)
    client = client_for(team.l1)
    assert client.get(f"/content/{item.pk}/edit/").status_code == 403
    response = client.post(
        f"/content/{item.pk}/edit/", editor_data(team, title="改掉", base_revision=1)
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.title, item.revision_number) == ("新品上市推文", 1)


def test_a_stale_form_shows_the_conflict_and_keeps_what_was_typed(team):
    item = make_item(team)
    services.update_item(actor=team.author, item=item, base_revision=1, title="别人先改了")
    response = client_for(team.author).post(
        f"/content/{item.pk}/edit/", editor_data(team, title="我的标题", base_revision=1)
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="conflict"' in html
    assert "重新加载" in html
    assert 'value="我的标题"' in html
    item.refresh_from_db()
    assert (item.title, item.revision_number) == ("别人先改了", 2)


def test_saving_an_edit_makes_a_new_revision(team):
    item = make_item(team)
    response = client_for(team.author).post(
        f"/content/{item.pk}/edit/", editor_data(team, title="改过的标题", base_revision=1)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.revision_number) == ("改过的标题", 2)


def test_saving_the_editor_unchanged_makes_no_new_revision(team):
    item = make_item(team, text="第一行\n第二行")
    stored = {v.account_id: v for v in item.variants.all()}
    data = editor_data(team, title=item.title, base_revision=1)
    data[f"v{team.wechat.pk}-body"] = stored[team.wechat.pk].body
    data[f"v{team.wechat.pk}-original_url"] = stored[team.wechat.pk].original_url
    # the browser sends the Weibo text's line break back as CRLF
    data[f"v{team.weibo.pk}-body"] = stored[team.weibo.pk].body.replace("\n", "\r\n")
    response = client_for(team.author).post(f"/content/{item.pk}/edit/", data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.revision_number == 1


def test_the_editor_marks_backup_content_through_the_service(team):
    item = make_item(team)
    data = editor_data(team, base_revision=1, backup_for="产品质量舆情应对")
    client_for(team.author).post(f"/content/{item.pk}/edit/", data)
    item.refresh_from_db()
    assert (item.is_backup, item.backup_for) == (True, "产品质量舆情应对")


def test_the_preview_counts_weibo_characters_and_colours_topics_and_mentions(team):
    data = editor_data(team, preview_account=team.weibo.pk)
    response = client_for(team.author).post("/content/preview/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="pv-topic">#新品上市#</span>' in html
    assert '<span class="pv-mention">@示例集团</span>' in html
    assert re.search(r'data-count="\d+">\d+/140 字', html)
    # a #topic# keeps the post off Weibo's publishing API: a person posts it, and why
    assert "辅助发布：由专人在 App 内发布" in html
    assert "#话题#" in html


def test_the_wechat_preview_shows_library_pictures_through_the_checked_address(team):
    data = editor_data(team, preview_account=team.wechat.pk)
    html = client_for(team.author).post("/content/preview/", data).content.decode()
    assert f'src="/content/assets/{team.cover.pk}/file/?v=' in html
    assert "asset:" not in html.split('class="pv-body"', 1)[1]


def test_the_preview_names_what_breaks_the_platform(team):
    data = editor_data(team, preview_account=team.wechat.pk)
    data[f"v{team.wechat.pk}-cover"] = ""
    html = client_for(team.author).post("/content/preview/", data).content.decode()
    assert "公众号图文需要封面图" in html


def test_copying_a_variant_to_another_account_is_explicit_and_saved(team):
    item = make_item(team)
    other = f.account(team.unit, platform="wechat_service", name="示例服务号")
    source = item.variants.get(account=team.wechat)
    response = client_for(team.author).post(
        f"/content/{item.pk}/copy/",
        {"source": source.pk, "account": other.pk, "base_revision": 1},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.revision_number == 2
    copied = item.variants.get(account=other)
    assert (copied.title, copied.body) == (source.title, source.body)


# -- one item ---------------------------------------------------------------------------------


def test_a_blocked_term_refuses_the_submission_and_is_highlighted(team):
    item = make_item(team, text="本店全网最低价，欢迎选购。")
    response = client_for(team.author).post(f"/content/{item.pk}/", {"override_request": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="submit-refused"' in html
    assert re.search(r'<mark class="hl hl-block"[^>]*>全网最低价</mark>', html)
    assert "限时特惠" in html  # the suggested rewrite
    assert 'name="override_request"' in html
    assert not WorkflowState.objects.exists()


def test_asking_legal_to_decide_starts_a_round_that_must_pass_legal(team):
    item = make_item(team, text="本店全网最低价，欢迎选购。")
    response = client_for(team.author).post(
        f"/content/{item.pk}/", {"override_request": "引用的是第三方报告原文"}
    )
    assert response.status_code == 302
    state = WorkflowState.objects.get(item=item)
    assert state.requires_legal
    assert state.override_request == "引用的是第三方报告原文"


def test_the_timeline_shows_revisions_with_coloured_changes_and_each_decision(team):
    item = make_item(team, text="本店全网最低价。")
    services.update_item(
        actor=team.author,
        item=item,
        base_revision=1,
        variants=[
            {**services.variant_input(v), "body": v.body.replace("全网最低价", "限时特惠")}
            for v in item.variants.select_related("account")
        ],
    )
    state = services.submit_for_review(actor=team.author, item=item)
    services.decide(
        actor=team.l1,
        state=state,
        action="request_changes",
        opinion="配图需要换成新品图",
        revision=2,
        version=state.version,
    )
    html = client_for(team.author).get(f"/content/{item.pk}/").content.decode()
    timeline = html.split('id="timeline"', 1)[1]
    assert '<span class="dl dl-del">' in timeline and "<del>全网最低价</del>" in timeline
    assert '<span class="dl dl-add">' in timeline and "<ins>限时特惠</ins>" in timeline
    assert "提交第 2 版审核" in timeline
    assert "一审（内容策划）" in timeline and "配图需要换成新品图" in timeline
    assert "审核结束：退回修改" in timeline


def test_an_approved_item_says_it_is_ready_to_schedule(team):
    item = make_item(team)
    state = services.submit_for_review(actor=team.author, item=item)
    for who in (team.l1, team.l2, team.l3):
        state = approve(state, who)
    html = client_for(team.author).get(f"/content/{item.pk}/").content.decode()
    assert 'data-state="approved"' in html
    assert "已通过审核：可以排期发布" in html
    assert state.status == ReviewStatus.APPROVED


def test_the_navigation_has_the_content_and_review_pages(team):
    html = client_for(team.author).get("/content/").content.decode()
    nav = html.split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]
    for key in ["content_list", "content_goals", "content_topics", "content_assets"]:
        assert f'data-nav="{key}"' in nav
    assert 'data-nav="content_list" aria-current="page"' in nav
    assert 'data-nav="review_returned"' in nav
    assert 'data-nav="review_awaiting"' not in nav  # an operator reviews nothing
    assert 'data-nav="workflows"' not in nav

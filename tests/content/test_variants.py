"""Variants against their platforms (CNT-3): problems, how they go out, preview, copying."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from mediadesk.accounts.credentials import store_credential
from mediadesk.audit.models import AuditEntry
from mediadesk.content import delivery, services
from mediadesk.content.models import Variant, WorkflowState
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.platforms.bindings import configure_binding
from tests import factories as f
from tests.content.world import make_asset, make_item, mp4, png, variants

pytestmark = pytest.mark.django_db


def bind(account, app_id: str = "wx0123456789abcdef", **options) -> None:
    root = f.superuser()
    configure_binding(actor=root, account=account, app_id=app_id, options=options)
    kinds = {"weibo": "access_token", "douyin": "refresh_token"}
    store_credential(
        actor=root, account=account, kind=kinds.get(account.platform, "app_secret"), value="s3cr3t"
    )


def only_variant(team, account, **fields) -> Variant:
    item = make_item(team, variants=[{"account": account, **fields}])
    return item.variants.select_related("account").get()


def codes(variant: Variant) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in delivery.variant_problems(variant)}


def big_png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (620, 620), os.urandom(620 * 620 * 3)).save(out, format="PNG")
    assert len(out.getvalue()) >= 1024 * 1024
    return out.getvalue()


# -- WeChat ---------------------------------------------------------------------------------


def test_a_complete_wechat_article_has_no_problems(team):
    variant = make_item(team).variants.get(account=team.wechat)
    assert delivery.variant_problems(variant) == []


def test_wechat_limits_come_from_the_connectors_rules(team):
    variant = only_variant(
        team,
        team.wechat,
        title="标" * 33,
        digest="摘" * 129,
        body="<p>正文</p>",
        extra={"author": "作" * 17},
    )
    assert codes(variant) == {
        ("title", "too_long"),
        ("digest", "too_long"),
        ("extra.author", "too_long"),
        ("cover", "required"),
    }
    message = next(p.message for p in delivery.variant_problems(variant) if p.field == "title")
    assert "33" in message and "32" in message


def test_a_wechat_article_needs_a_title_and_a_body(team):
    variant = only_variant(team, team.wechat, cover=team.cover.pk)
    assert codes(variant) == {("title", "required"), ("body", "empty")}


def test_a_picture_from_outside_the_library_in_a_wechat_article_is_a_problem(team):
    variant = only_variant(
        team,
        team.wechat,
        title="标题",
        cover=team.cover.pk,
        body='<p>正文</p><img src="https://example.com/x.png">',
    )
    assert codes(variant) == {("body", "foreign_image")}


def test_a_body_picture_over_wechats_article_image_limit_is_a_problem(team):
    heavy = make_asset(team.unit, team.author, big_png(), filename="big.png", title="大图")
    variant = only_variant(
        team, team.wechat, title="标题", cover=team.cover.pk, body=f'<img src="asset:{heavy.pk}">'
    )
    problem = delivery.variant_problems(variant)[0]
    assert (problem.field, problem.code) == ("body", "body_image_rule")
    assert "大图" in problem.message and "1.0 MB" in problem.message


def test_a_problem_refuses_submission_with_every_reason(team):
    item = make_item(team, variants=[{"account": team.wechat, "title": "标" * 40}])
    with pytest.raises(ValidationFailed) as caught:
        services.submit_for_review(actor=team.author, item=item)
    assert caught.value.code == "variant_problems"
    assert {p["code"] for p in caught.value.fields["variants"]} == {
        "too_long",
        "empty",
        "required",
    }
    assert not WorkflowState.objects.exists()


def test_a_wechat_account_with_a_connection_publishes_through_the_api(team):
    bind(team.wechat)
    plan = delivery.delivery_plan(make_item(team).variants.get(account=team.wechat))
    assert (plan.mode, plan.via_api, plan.reasons) == ("publish", True, ())


def test_a_wechat_variant_may_ask_for_a_mass_send(team):
    bind(team.wechat)
    rows = variants(team)
    rows[0]["extra"] = {"delivery": "mass_send", "open_comments": True}
    plan = delivery.delivery_plan(make_item(team, variants=rows).variants.get(account=team.wechat))
    assert (plan.mode, plan.via_api) == ("mass_send", True)


def test_a_wechat_account_without_a_connection_is_posted_by_a_person(team):
    plan = delivery.delivery_plan(make_item(team).variants.get(account=team.wechat))
    assert (plan.mode, plan.via_api) == ("assisted", False)
    assert "no platform connection" in plan.reasons[0]


def test_unknown_or_malformed_platform_details_are_refused(team):
    rows = variants(team)
    rows[0]["extra"] = {"cart_url": "https://shop.example.com/1"}
    with pytest.raises(ValidationFailed, match="do not take: cart_url"):
        make_item(team, variants=rows)
    rows[0]["extra"] = {"delivery": "carrier_pigeon"}
    with pytest.raises(ValidationFailed) as caught:
        make_item(team, variants=rows)
    assert caught.value.fields == {"extra.delivery": "invalid"}


# -- Weibo ----------------------------------------------------------------------------------


def test_a_weibo_post_with_a_topic_is_posted_by_a_person(team):
    bind(team.weibo, app_id="3210987654", safe_domains=["example.com"])
    plan = delivery.delivery_plan(make_item(team).variants.get(account=team.weibo))
    assert plan.mode == "assisted"
    assert any("#topic#" in r for r in plan.reasons) and plan.where == "the Weibo app"


def test_a_short_weibo_post_linking_to_the_safe_domain_goes_through_the_api(team):
    bind(team.weibo, app_id="3210987654", safe_domains=["example.com"])
    variant = only_variant(team, team.weibo, body="新品上市，详情 https://www.example.com/new")
    plan = delivery.delivery_plan(variant)
    assert (plan.mode, plan.via_api) == ("publish", True)


def test_a_weibo_post_without_a_safe_domain_link_or_too_long_is_assisted(team):
    bind(team.weibo, app_id="3210987654", safe_domains=["example.com"])
    variant = only_variant(team, team.weibo, body="长" * 141 + " https://other.example.org/x")
    reasons = delivery.delivery_plan(variant).reasons
    assert len(reasons) == 2
    assert "152 characters" in reasons[0]  # 141 CJK + a space (½) + a link (10), rounded up
    assert "example.com" in reasons[1]


def test_an_empty_weibo_post_is_a_problem(team):
    variant = only_variant(team, team.weibo, media=[team.cover.pk])
    assert codes(variant) == {("body", "empty")}


# -- Douyin ---------------------------------------------------------------------------------


@pytest.fixture
def douyin(team):
    return f.account(team.unit, platform="douyin", name="示例抖音")


def test_a_douyin_video_of_thirty_to_sixty_seconds_has_no_problem(team, douyin):
    clip = make_asset(team.unit, team.author, mp4(58), filename="a.mp4", title="开箱")
    assert codes(only_variant(team, douyin, body="开箱 #新品", media=[clip.pk])) == set()


def test_a_douyin_video_outside_thirty_to_sixty_seconds_is_a_problem(team, douyin):
    clip = make_asset(team.unit, team.author, mp4(75), filename="a.mp4", title="长视频")
    problems = delivery.variant_problems(only_variant(team, douyin, media=[clip.pk]))
    assert [(p.code, p.field) for p in problems] == [("duration", "media")]
    assert "75 s" in problems[0].message and "30–60" in problems[0].message


def test_a_douyin_video_whose_length_is_unknown_is_a_problem(team, douyin):
    odd = make_asset(
        team.unit, team.author, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, filename="odd.mp4"
    )
    assert odd.duration_seconds is None
    assert codes(only_variant(team, douyin, media=[odd.pk])) == {("media", "duration_unknown")}


def test_a_douyin_post_needs_a_video(team, douyin):
    assert codes(only_variant(team, douyin, body="只有文字")) == {("media", "required")}


def test_douyin_goes_through_the_api_when_the_app_may_publish(team, douyin):
    bind(douyin, app_id="dyclientkey01")
    clip = make_asset(team.unit, team.author, mp4(45), filename="a.mp4")
    plan = delivery.delivery_plan(only_variant(team, douyin, media=[clip.pk]))
    assert (plan.mode, plan.via_api) == ("publish", True)


def test_a_douyin_shopping_cart_link_is_added_by_a_person(team, douyin):
    bind(douyin, app_id="dyclientkey01")
    clip = make_asset(team.unit, team.author, mp4(45), filename="a.mp4")
    variant = only_variant(
        team, douyin, media=[clip.pk], extra={"cart_url": "https://haohuo.example.com/1"}
    )
    plan = delivery.delivery_plan(variant)
    assert plan.mode == "assisted" and "shopping-cart" in plan.reasons[0]


# -- assisted platforms ---------------------------------------------------------------------


def test_xiaohongshu_limits_come_from_the_assisted_rules(team):
    xhs = f.account(team.unit, platform="xiaohongshu", name="示例小红书")
    variant = only_variant(team, xhs, title="标" * 21, body="笔记")
    assert codes(variant) == {("title", "too_long"), ("media", "required")}
    plan = delivery.delivery_plan(variant)
    assert plan.mode == "assisted" and plan.where == "the Xiaohongshu app"
    assert "no publishing API" in plan.reasons[0]


def test_kuaishou_is_assisted_until_it_has_a_connector(team):
    kuaishou = f.account(team.unit, platform="kuaishou", name="示例快手")
    plan = delivery.delivery_plan(only_variant(team, kuaishou, body="视频", media=[team.cover.pk]))
    assert plan.mode == "assisted" and "no connector for it yet" in plan.reasons[0]


# -- preview --------------------------------------------------------------------------------


def test_the_preview_shows_library_pictures_counts_and_topics(team):
    rows = variants(team)
    rows[0]["body"] = f'<p>正文</p><img src="asset:{team.cover.pk}">'
    rows[1]["body"] = "#新品上市# 感谢 @合作伙伴A 和@品牌B 支持 https://example.com/x"
    item = make_item(team, variants=rows)
    article = delivery.preview(item.variants.get(account=team.wechat))
    url = f"/api/v1/content/assets/{team.cover.pk}/file"
    assert f'src="{url}"' in article.body_html and "asset:" not in article.body_html
    assert article.cover["url"] == url and article.cover["width"] == 120

    weibo = delivery.preview(item.variants.get(account=team.weibo))
    assert weibo.topics == ["新品上市"]
    assert weibo.mentions == ["合作伙伴A", "品牌B"]
    assert weibo.length_limit == 140
    assert weibo.length == 31  # 15 CJK + 11 ASCII (5½) + one link (10), rounded up
    assert weibo.delivery["mode"] == "assisted"


def test_the_preview_of_a_douyin_variant_gives_the_video_length(team):
    douyin = f.account(team.unit, platform="douyin", name="示例抖音")
    clip = make_asset(team.unit, team.author, mp4(58), filename="a.mp4")
    preview = delivery.preview(
        only_variant(team, douyin, body="#开箱 #新品 看这里", media=[clip.pk])
    )
    assert preview.video_seconds == 58
    assert preview.topics == ["开箱", "新品"]
    assert preview.media[0]["kind"] == "video"


# -- copying and the fingerprint ------------------------------------------------------------


def test_copying_a_variant_to_another_account_is_explicit_and_makes_a_revision(team):
    douyin = f.account(team.unit, platform="douyin", name="示例抖音")
    item = make_item(team)
    wechat = item.variants.get(account=team.wechat)
    services.update_item(
        actor=team.author,
        item=item,
        base_revision=1,
        variants=[
            {**services.variant_input(wechat), "extra": {"author": "品牌部"}},
            services.variant_input(item.variants.get(account=team.weibo)),
        ],
    )
    wechat.refresh_from_db()
    copied = services.copy_variant(
        actor=team.author, item=item, source=wechat, account=douyin, base_revision=2
    )
    assert (copied.title, copied.body, copied.cover_id) == (
        wechat.title,
        wechat.body,
        wechat.cover_id,
    )
    assert copied.extra == {}  # WeChat's author line means nothing on Douyin
    item.refresh_from_db()
    assert item.revision_number == 3 and item.variants.count() == 3
    assert AuditEntry.objects.filter(action="content.variant.copy").count() == 1


def test_copying_onto_an_existing_variant_needs_confirmation(team):
    item = make_item(team)
    source = item.variants.get(account=team.wechat)
    with pytest.raises(Conflict, match="already has a variant"):
        services.copy_variant(
            actor=team.author, item=item, source=source, account=team.weibo, base_revision=1
        )
    services.copy_variant(
        actor=team.author,
        item=item,
        source=source,
        account=team.weibo,
        base_revision=1,
        replace=True,
    )
    assert item.variants.get(account=team.weibo).body == source.body


def test_the_fingerprint_covers_cover_and_platform_details(team):
    item = make_item(team)
    base = services.current_fingerprint(item)
    rows = variants(team)
    rows[0]["extra"] = {"open_comments": True}
    services.update_item(actor=team.author, item=item, base_revision=1, variants=rows)
    with_extra = services.current_fingerprint(item)
    assert with_extra != base

    other = make_asset(team.unit, team.author, png(colour="green"), title="另一张")
    rows[0]["cover"] = other.pk
    services.update_item(actor=team.author, item=item, base_revision=2, variants=rows)
    assert services.current_fingerprint(item) not in (base, with_extra)


def test_changing_a_cover_after_approval_needs_a_new_review(team):
    from tests.content.world import through_all

    item = make_item(team)
    through_all(services.submit_for_review(actor=team.author, item=item), team)
    rows = variants(team)
    rows[0]["cover"] = make_asset(team.unit, team.author, png(colour="green")).pk
    services.update_item(actor=team.author, item=item, base_revision=1, variants=rows)
    assert not services.approved_fingerprint_matches(item)
    assert item.reviews.filter(status="in_progress").exists()


def test_a_weibo_post_with_a_cover_and_another_picture_is_assisted(team):
    bind(team.weibo, app_id="3210987654", safe_domains=["example.com"])
    second = make_asset(team.unit, team.author, png(colour="green"), title="第二张")
    variant = only_variant(
        team,
        team.weibo,
        body="新品 https://example.com/x",
        cover=team.cover.pk,
        media=[second.pk],
    )
    assert delivery.delivery_plan(variant).reasons == (
        "Weibo's API takes one picture with a post, nothing else.",
    )

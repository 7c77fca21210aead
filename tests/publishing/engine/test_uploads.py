"""A library file goes up to an account once, and again only when the platform lost it."""

from __future__ import annotations

from datetime import timedelta

from mediadesk.publishing.models import PlatformUpload, PublicationState
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import (
    APPID_TWO,
    T0,
    explain,
    published,
    run,
    wechat_account,
)

S = PublicationState


def _thumbs(sim):
    return [r["body"]["articles"][0]["thumb_media_id"] for r in sim.requests("/cgi-bin/draft/add")]


def _delete_material(sim, media_id):
    """What an editor does in WeChat's back office: the permanent image is gone."""
    answer = sim.http.post(
        "/cgi-bin/material/del_material",
        params={"access_token": sim.wechat_token()},
        json={"media_id": media_id},
    ).json()
    assert answer["errcode"] == 0, answer


def test_a_cover_already_on_the_account_is_not_uploaded_again(team, wechat, sim, clock):
    cover = pf.image(team.unit, "品牌封面")
    published(team, wechat, clock, T0, cover=cover)
    published(team, wechat, clock, T0 + timedelta(hours=1), cover=cover)

    assert sim.calls("/cgi-bin/material/add_material") == 1
    first, second = _thumbs(sim)
    assert first == second


def test_a_body_image_already_on_the_account_is_not_uploaded_again(team, wechat, sim, clock):
    inline = pf.image(team.unit, "正文图", data=pf.JPEG)
    body = f'<p>看图：</p><img src="asset:{inline.pk}">'
    published(team, wechat, clock, T0, body=body)
    published(team, wechat, clock, T0 + timedelta(hours=1), body=body)

    assert sim.calls("/cgi-bin/media/uploadimg") == 1
    contents = [r["body"]["articles"][0]["content"] for r in sim.requests("/cgi-bin/draft/add")]
    url = PlatformUpload.objects.get(asset=inline).url
    assert url and all(url in c for c in contents)


def test_the_same_cover_is_uploaded_to_each_account_it_goes_out_on(team, wechat, sim, clock):
    cover = pf.image(team.unit, "集团封面")
    other = wechat_account(team, APPID_TWO, name="第二服务号", platform_account_id="gh_publish_two")
    published(team, wechat, clock, T0, cover=cover)
    published(team, other, clock, T0 + timedelta(hours=1), cover=cover)

    assert sim.calls("/cgi-bin/material/add_material") == 2


def test_a_file_replaced_in_the_library_is_uploaded_anew(team, wechat, sim, clock):
    cover = pf.image(team.unit, "换过的封面")
    published(team, wechat, clock, T0, cover=cover)
    cover.file.save("new.jpg", pf.ContentFile(pf.JPEG), save=False)
    cover.sha256 = "f" * 64
    cover.save()
    published(team, wechat, clock, T0 + timedelta(hours=1), cover=cover)

    assert sim.calls("/cgi-bin/material/add_material") == 2
    first, second = _thumbs(sim)
    assert first != second


def test_a_cover_deleted_in_wechat_is_uploaded_again_and_the_post_goes_out_once(
    team, wechat, sim, clock
):
    cover = pf.image(team.unit, "被删的封面")
    published(team, wechat, clock, T0, cover=cover)
    _delete_material(sim, _thumbs(sim)[0])

    pub = published(team, wechat, clock, T0 + timedelta(hours=1), cover=cover)

    assert sim.calls("/cgi-bin/material/add_material") == 2
    assert sim.calls("/cgi-bin/freepublish/submit") == 2  # one per post
    assert len(sim.wechat_articles()) == 2
    creates = list(pub.attempt_log.filter(operation="create").values_list("outcome", flat=True))
    assert creates == ["transient", "ok"]
    assert PlatformUpload.objects.get(asset=cover).media_id == _thumbs(sim)[-1]


def test_a_cover_wechat_refuses_again_after_a_fresh_upload_fails_the_post(team, wechat, sim, clock):
    cover = pf.image(team.unit, "总被拒的封面")
    item = pf.approved_item(team, wechat, cover=cover)
    pub = pf.publication(item, wechat, at=T0, owner=team.author)
    sim.fault(kind="errcode", path="/cgi-bin/draft/add", errcode=40007, times=2)

    clock.move_to(T0)
    run()
    clock.shift(timedelta(minutes=5))
    run()

    pub.refresh_from_db()
    assert pub.state == S.FAILED, explain(pub)
    assert sim.calls("/cgi-bin/draft/add") == 2
    assert sim.calls("/cgi-bin/material/add_material") == 2
    assert sim.calls("/cgi-bin/freepublish/submit") == 0


def test_a_post_with_reused_files_is_still_checked_for_its_images(team, wechat, sim, clock):
    cover = pf.image(team.unit, "复用封面")
    inline = pf.image(team.unit, "复用正文图", data=pf.JPEG)
    body = f'<p>图</p><img src="asset:{inline.pk}">'
    published(team, wechat, clock, T0, cover=cover, body=body)
    pub = published(team, wechat, clock, T0 + timedelta(hours=1), cover=cover, body=body)

    clock.shift(timedelta(minutes=11))
    run()

    pub.refresh_from_db()
    assert sim.calls("/cgi-bin/media/uploadimg") == 1
    assert pub.verification["images"] == {"expected": 1, "missing": []}
    assert pub.verification["cover"] is True

"""The media library (CNT-4): uploads, licences, portrait consent, and what they block."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.content import library, selectors, services
from mediadesk.content.models import Asset, WorkflowState
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.content.world import jpeg, make_asset, make_item, mp4, png, variants, wav, woff2

pytestmark = pytest.mark.django_db


def test_an_upload_reads_type_size_and_dimensions_from_the_bytes(team):
    data = png(320, 200)
    asset = make_asset(team.unit, team.author, data, filename="photo.jpg", title="横幅")
    assert (asset.kind, asset.content_type) == ("image", "image/png")
    assert (asset.width, asset.height, asset.size) == (320, 200, len(data))
    assert asset.original_name == "photo.jpg" and asset.file.name.endswith(".png")
    with asset.file.open("rb") as handle:
        assert handle.read() == data


def test_the_sha256_of_the_content_is_kept(team):
    import hashlib

    data = jpeg()
    asset = make_asset(team.unit, team.author, data, filename="a.jpg")
    assert asset.sha256 == hashlib.sha256(data).hexdigest()


def test_a_video_gets_its_length_measured(team):
    asset = make_asset(team.unit, team.author, mp4(45.5), filename="clip.mp4", title="开箱")
    assert (asset.kind, asset.content_type, asset.duration_seconds) == (
        "video",
        "video/mp4",
        45.5,
    )


def test_music_gets_its_length_measured(team):
    asset = make_asset(team.unit, team.author, wav(2.5), filename="bgm.wav", title="配乐")
    assert asset.kind == "music" and asset.duration_seconds == pytest.approx(2.5)


def test_an_m4a_file_is_music_not_video(team):
    asset = make_asset(team.unit, team.author, mp4(30, brand=b"M4A "), filename="song.mp4")
    assert (asset.kind, asset.content_type) == ("music", "audio/mp4")


def test_a_font_is_recognised_by_its_signature(team):
    asset = make_asset(team.unit, team.author, woff2(), filename="brand.bin", title="品牌字体")
    assert (asset.kind, asset.content_type) == ("font", "font/woff2")


def test_a_renamed_text_file_is_refused_and_nothing_is_stored(team, settings):
    before = Asset.objects.count()
    with pytest.raises(ValidationFailed, match="not a file type") as caught:
        make_asset(team.unit, team.author, b"just some text, not a picture", filename="x.png")
    assert caught.value.fields == {"file": "unsupported type"}
    assert Asset.objects.count() == before


def test_a_damaged_picture_is_refused(team):
    broken = png()[:40]
    with pytest.raises(ValidationFailed, match="cannot be read"):
        make_asset(team.unit, team.author, broken, filename="broken.png")


def test_a_file_over_the_size_limit_is_refused(team, settings):
    settings.MEDIADESK_ASSET_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed, match="larger than") as caught:
        make_asset(team.unit, team.author, io.BytesIO(png(400, 400, "white") + b"\0" * 2000))
    assert caught.value.fields == {"file": "too large"}


def test_the_same_file_twice_in_a_unit_points_to_the_first(team):
    with pytest.raises(Conflict, match="already in the library") as caught:
        make_asset(team.unit, team.author, png(), title="重复")
    assert caught.value.fields == {"file": team.cover.pk}


def test_an_upload_is_audited_without_the_file(team):
    entry = AuditEntry.objects.get(action="content.asset.upload", object_id=str(team.cover.pk))
    assert entry.after["sha256"] == team.cover.sha256 and entry.after["licence"] == "own"


def test_someone_without_a_planning_role_cannot_upload(team):
    with pytest.raises(PermissionDenied):
        make_asset(team.unit, team.l2, jpeg())


def test_an_unknown_licence_is_a_problem(team):
    asset = make_asset(team.unit, team.author, jpeg(), licence="unknown")
    assert [p.code for p in library.asset_problems(asset)] == ["licence_unknown"]


def test_an_expired_licence_is_a_problem_from_the_day_after_its_last_day(team):
    asset = make_asset(
        team.unit, team.author, jpeg(), licence="purchased", licensed_until=dt.date(2026, 6, 30)
    )
    assert library.asset_problems(asset, on=dt.date(2026, 6, 30)) == []
    problems = library.asset_problems(asset, on=dt.date(2026, 7, 1))
    assert [p.code for p in problems] == ["licence_expired"]
    assert "2026-06-30" in problems[0].message and f"#{asset.pk}" in problems[0].message


def test_people_pictured_without_consent_is_a_problem_until_consent_is_recorded(team):
    asset = make_asset(team.unit, team.author, jpeg(), people_pictured="张三，李四")
    assert asset.people_pictured == ["张三", "李四"]
    problem = library.asset_problems(asset)[0]
    assert problem.code == "consent_missing" and "张三、李四" in problem.message

    asset = library.update_asset(
        actor=team.author, asset=asset, portrait_consent=True, consent_note="已签肖像授权书"
    )
    assert library.asset_problems(asset) == []
    entry = AuditEntry.objects.get(action="content.asset.update")
    assert entry.after == {"portrait_consent": True, "consent_note": "已签肖像授权书"}


def test_the_library_filters_by_licence_state(team):
    today = dt.date(2026, 5, 1)
    expiring = make_asset(
        team.unit,
        team.author,
        jpeg(colour="green"),
        licence="purchased",
        licensed_until=today + dt.timedelta(days=20),
    )
    expired = make_asset(
        team.unit,
        team.author,
        jpeg(colour="black"),
        licence="purchased",
        licensed_until=today - dt.timedelta(days=1),
    )
    unknown = make_asset(team.unit, team.author, jpeg(colour="white"), licence="unknown")
    no_consent = make_asset(team.unit, team.author, jpeg(colour="yellow"), people_pictured=["王五"])

    def listed(state: str) -> set[Asset]:
        return set(selectors.list_assets(user=team.author, licence_state=state, on=today))

    assert listed("expiring") == {expiring}
    assert listed("expired") == {expired}
    assert listed("unknown") == {unknown}
    assert listed("consent_missing") == {no_consent}
    assert listed("ok") == {team.cover}


def test_the_library_filters_by_kind_and_hides_archived_assets(team):
    clip = make_asset(team.unit, team.author, mp4(40), filename="c.mp4", title="视频")
    assert list(selectors.list_assets(user=team.author, kind="video")) == [clip]
    library.archive_asset(actor=team.author, asset=clip)
    assert list(selectors.list_assets(user=team.author, kind="video")) == []
    assert list(selectors.list_assets(user=team.author, kind="video", include_archived=True)) == [
        clip
    ]


def test_a_unit_sees_the_groups_assets_but_not_a_siblings(team):
    hq = f.person(f.group(), "hq_communications")
    logo = make_asset(f.group(), hq, png(64, 64, "gold"), title="集团标志")
    sibling = f.unit()
    theirs = make_asset(sibling, f.person(sibling, "operator"), png(10, 10, "pink"))
    seen = set(selectors.list_assets(user=team.author))
    assert {team.cover, logo} <= seen and theirs not in seen


def test_a_variant_may_use_the_groups_assets_but_not_a_siblings(team):
    hq = f.person(f.group(), "hq_communications")
    logo = make_asset(f.group(), hq, png(64, 64, "gold"), title="集团标志")
    rows = variants(team)
    rows[0]["cover"] = logo.pk
    assert make_item(team, variants=rows).variants.get(account=team.wechat).cover == logo

    sibling = f.unit()
    theirs = make_asset(sibling, f.person(sibling, "operator"), png(10, 10, "pink"))
    rows[0]["cover"] = theirs.pk
    with pytest.raises(ValidationFailed, match="another unit's library"):
        make_item(team, variants=rows)


def test_a_cover_must_be_a_picture(team):
    clip = make_asset(team.unit, team.author, mp4(40), filename="c.mp4")
    rows = variants(team)
    rows[0]["cover"] = clip.pk
    with pytest.raises(ValidationFailed, match="not a picture"):
        make_item(team, variants=rows)


def test_media_are_asset_ids_not_free_text(team):
    rows = variants(team)
    rows[0]["media"] = ["asset:1"]
    with pytest.raises(ValidationFailed, match="asset ids"):
        make_item(team, variants=rows)
    rows[0]["media"] = [999_999]
    with pytest.raises(ValidationFailed, match="no asset #999999"):
        make_item(team, variants=rows)


def _submission_refused(team, item) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        services.submit_for_review(actor=team.author, item=item)
    assert not WorkflowState.objects.filter(item=item).exists()
    return caught.value


def test_submitting_content_with_an_unlicensed_cover_is_refused_naming_the_asset(team):
    library.update_asset(actor=team.author, asset=team.cover, licence="unknown")
    error = _submission_refused(team, make_item(team))
    assert error.code == "asset_problems"
    assert "新品主图" in error.message and f"#{team.cover.pk}" in error.message
    assert error.fields["assets"][0]["asset"] == team.cover.pk
    assert error.fields["assets"][0]["problems"][0]["code"] == "licence_unknown"


def test_submitting_content_with_a_body_picture_lacking_consent_is_refused(team):
    portrait = make_asset(
        team.unit, team.author, jpeg(), title="员工合影", people_pictured=["赵六"]
    )
    rows = variants(team)
    rows[0]["body"] = f'<p>团队</p><img src="asset:{portrait.pk}">'
    error = _submission_refused(team, make_item(team, variants=rows))
    assert error.code == "asset_problems"
    assert [a["asset"] for a in error.fields["assets"]] == [portrait.pk]


def test_submitting_content_with_an_expired_media_licence_is_refused(team):
    licensed = make_asset(
        team.unit, team.author, jpeg(), licence="purchased", licensed_until=dt.date(2020, 1, 1)
    )
    rows = variants(team)
    rows[1]["media"] = [licensed.pk]
    error = _submission_refused(team, make_item(team, variants=rows))
    assert error.fields["assets"][0]["problems"][0]["code"] == "licence_expired"


def test_an_asset_archived_after_it_was_used_blocks_submission(team):
    item = make_item(team)
    library.archive_asset(actor=team.author, asset=team.cover)
    error = _submission_refused(team, item)
    assert error.fields["assets"][0]["problems"][0]["code"] == "archived"


def test_licensed_assets_let_the_submission_through(team):
    state = services.submit_for_review(actor=team.author, item=make_item(team))
    assert state.status == "in_progress"

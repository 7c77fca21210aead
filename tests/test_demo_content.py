"""The demo's content planning and review: something true to show in every state."""

import pytest

from mediadesk.content import selectors
from mediadesk.content.library import licence_states
from mediadesk.content.models import Asset, ContentItem, Goal, ReviewStatus, Topic
from mediadesk.content.services import approved_fingerprint_matches
from mediadesk.demo import load_demo
from mediadesk.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _states() -> dict[str, list[ContentItem]]:
    found: dict[str, list[ContentItem]] = {}
    for item in selectors.with_state(ContentItem.objects.all()):
        key = selectors.state_of(item.review_status)
        if key == selectors.ItemState.IN_REVIEW:
            key = f"in_review_l{item.review_stage_level}"
        found.setdefault(key, []).append(item)
    return found


def test_the_demo_has_content_in_every_state_and_loads_twice_without_duplicates():
    load_demo()
    counts = [m.objects.count() for m in (Goal, Topic, Asset, ContentItem)]
    states = _states()
    for key in ["draft", "in_review_l1", "in_review_l2", "in_review_l3"]:
        assert states.get(key), key
    for key in ["changes_requested", "rejected"]:
        assert states.get(key), key
    approved = states["approved"]
    assert len(approved) >= 2
    with_both = [
        i
        for i in approved
        if {"wechat_service", "weibo"} <= {v.account.platform for v in i.variants.all()}
        and approved_fingerprint_matches(i)
    ]
    assert len(with_both) >= 2
    load_demo()
    assert [m.objects.count() for m in (Goal, Topic, Asset, ContentItem)] == counts


def test_the_demo_tells_the_review_stories_with_a_library_in_every_licence_state():
    load_demo()
    fixed = ContentItem.objects.get(title="云帆 X1 正式发布")
    first, second = fixed.revisions.order_by("number")
    assert "全网最低价" in first.text and "全网最低价" not in second.text
    assert list(fixed.reviews.values_list("status", flat=True)) == [ReviewStatus.APPROVED]
    resubmitted = ContentItem.objects.get(title="上海体验店开放日邀请")
    assert list(resubmitted.reviews.order_by("pk").values_list("status", flat=True)) == [
        ReviewStatus.SUPERSEDED,
        ReviewStatus.APPROVED,
    ]
    backups = selectors.backup_items(user=User.objects.get(username="admin"))
    crisis = next(g for g in backups if g.prepared_for == "产品质量舆情应对")
    assert crisis.approved
    legal_wait = _states()["in_review_l3"][0]
    assert legal_wait.reviews.get().override_request
    # the media library shows every licence state
    states = {s for a in Asset.objects.all() for s in licence_states(a)}
    assert {"ok", "expiring", "expired", "consent_missing"} <= {str(s) for s in states}

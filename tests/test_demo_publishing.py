"""The demo's publishing calendar: around today, posts published with their links, scheduled,
failed and possibly published, and a withdrawal waiting for approval — all made by the engine
against the simulator, so each carries its attempts."""

import pytest

from mediadesk.demo import load_demo
from mediadesk.publishing.models import Publication, PublicationState, WithdrawalRequest

pytestmark = pytest.mark.django_db
S = PublicationState


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _explain() -> str:
    return "\n".join(
        f"#{p.pk} {p.state} {p.error_code} {p.error} "
        + "; ".join(f"{a.operation}:{a.outcome}:{a.message}" for a in p.attempt_log.all())
        for p in Publication.objects.all()
    )


def test_the_demo_calendar_has_posts_in_each_state_a_user_should_see():
    load_demo()
    states = set(Publication.objects.values_list("state", flat=True))
    for state in (S.PUBLISHED, S.SCHEDULED, S.FAILED, S.POSSIBLY_PUBLISHED):
        assert state in states, _explain()
    for pub in Publication.objects.filter(state=S.PUBLISHED):
        assert pub.url.startswith("http") and pub.attempt_log.filter(operation="create").exists()
    failed = Publication.objects.get(state=S.FAILED)
    assert failed.error and failed.attempt_log.exists()
    assert WithdrawalRequest.objects.filter(status="pending").count() == 1


def test_loading_the_demo_again_adds_no_publication():
    load_demo()
    count = Publication.objects.count()
    load_demo()
    assert Publication.objects.count() == count

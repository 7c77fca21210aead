"""A worker that dies at any point leaves nothing lost and nothing doubled (issue 7, point 3).

Death is simulated in-process by an exception no code catches, raised at the worst moments:
after the platform took the post but before we stored its ids, and in the middle of the
uploads. The multi-process version (SIGKILL of real Celery workers) is in
``test_services_publishing.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediadesk.publishing import engine
from mediadesk.publishing.models import PublicationState
from tests.publishing.engine import factories as pf
from tests.publishing.engine.conftest import T0, explain, run

S = PublicationState


class Killed(BaseException):
    """SIGKILL, as far as the code under test can tell: nothing after it runs."""


def _due(team, account):
    return pf.publication(pf.approved_item(team, account), account, at=T0, owner=team.author)


def _claimed_job(pub):
    engine.dispatch_due()
    pub.refresh_from_db()
    return pub.pk, pub.version


def _runs_on_to_published_once(pub, sim, clock):
    """Run the jobs now and once the platform has finished: the post ends published, having
    been submitted to the platform exactly once."""
    run()
    clock.shift(timedelta(seconds=10))
    run()
    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)
    assert sim.calls("/cgi-bin/freepublish/submit") == 1


def test_a_stale_claim_goes_back_to_scheduled_and_is_sent_once(team, wechat, sim, clock, settings):
    from mediadesk.jobs.models import Job

    pub = _due(team, wechat)
    clock.move_to(T0)
    engine.dispatch_due()  # claimed, then its job was lost (a broker without persistence)
    Job.objects.filter(name=engine.ADVANCE_TASK).update(status="failed")
    pub.refresh_from_db()
    assert pub.state == S.CLAIMED

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 1))
    engine.sweep()
    pub.refresh_from_db()
    assert pub.state == S.SCHEDULED
    settings.MEDIADESK_PUBLISH_MAX_LATENESS_SECONDS = 3600
    _runs_on_to_published_once(pub, sim, clock)


def test_a_worker_killed_after_the_platform_took_the_post_is_reconciled_not_resent(
    team, wechat, sim, clock, settings, monkeypatch
):
    pub = _due(team, wechat)
    clock.move_to(T0)
    pk, version = _claimed_job(pub)

    def die(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(engine, "_adopt", die)
        with pytest.raises(Killed):
            engine.advance(pk, version)
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTING and not pub.platform_job_id  # the ids never got stored
    assert sim.calls("/cgi-bin/freepublish/submit") == 1

    run()  # the lease is young: nobody touches the row
    assert sim.calls("/cgi-bin/freepublish/submit") == 1
    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 1))
    _runs_on_to_published_once(pub, sim, clock)
    assert sim.calls("/cgi-bin/draft/add") == 1
    assert len(sim.wechat_articles()) == 1
    assert pub.attempt_log.filter(operation="reconcile", outcome="found").exists()


def test_a_worker_killed_during_the_uploads_resumes_without_sending_twice(
    team, wechat, sim, clock, settings, monkeypatch
):
    pub = _due(team, wechat)
    clock.move_to(T0)
    pk, version = _claimed_job(pub)

    def die(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(engine.Lease, "begin_create", die)
        with pytest.raises(Killed):
            engine.advance(pk, version)
    pub.refresh_from_db()
    assert pub.platform_data["uploads"]["cover"]["media_id"]  # saved before the death

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 1))
    settings.MEDIADESK_PUBLISH_MAX_LATENESS_SECONDS = 3600
    _runs_on_to_published_once(pub, sim, clock)
    assert sim.calls("/cgi-bin/material/add_material") == 1  # the cover was reused


def test_a_lost_follow_up_job_is_queued_again(team, wechat, sim, clock, settings):
    from mediadesk.jobs.models import Job

    pub = _due(team, wechat)
    clock.move_to(T0)
    run()
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTED
    Job.objects.filter(name=engine.ADVANCE_TASK, status="queued").delete()  # lost

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 10))
    run()

    pub.refresh_from_db()
    assert pub.state == S.PUBLISHED, explain(pub)


def _advance_jobs(pub):
    from mediadesk.jobs.models import Job

    return Job.objects.filter(
        name=engine.ADVANCE_TASK, dedupe_key__startswith=f"publishing:{pub.pk}:"
    ).count()


def test_a_poll_waiting_in_a_backlog_is_not_queued_again(team, wechat, sim, clock, settings):
    pub = _due(team, wechat)
    clock.move_to(T0)
    run()  # sent; its poll waits in the queue behind thousands of others
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTED
    jobs = _advance_jobs(pub)

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 60))
    report = engine.sweep()

    assert report["requeued"] == 0
    assert _advance_jobs(pub) == jobs


def test_a_verification_retry_waiting_in_a_backlog_is_not_queued_again(
    team, wechat, sim, clock, settings
):
    pub = _due(team, wechat)
    clock.move_to(T0)
    _runs_on_to_published_once(pub, sim, clock)
    sim.fault(kind="http_status", path="/cgi-bin/freepublish/getarticle", status=503)
    clock.shift(timedelta(minutes=11))
    run()  # the check after publishing failed once; its retry (…:verify1) waits in the queue
    pub.refresh_from_db()
    assert pub.verified_at is None and pub.platform_data["verify_tries"] == 1, explain(pub)
    jobs = _advance_jobs(pub)

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 200))
    report = engine.sweep()

    assert report["requeued"] == 0
    assert _advance_jobs(pub) == jobs
    run()
    pub.refresh_from_db()
    assert pub.verified_at is not None, explain(pub)


def test_a_sweep_over_a_backlog_asks_the_database_the_same_few_times(
    team, wechat, sim, clock, settings, django_assert_max_num_queries
):
    posts = [_due(team, wechat) for _ in range(12)]
    clock.move_to(T0)
    run()
    assert {p.state for p in type(posts[0]).objects.filter(pk__in=[p.pk for p in posts])} == {
        S.SUBMITTED
    }

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 60))
    with django_assert_max_num_queries(4):
        engine.sweep()


def test_a_claim_waiting_in_a_backlog_is_not_released(team, wechat, sim, clock, settings):
    pub = _due(team, wechat)
    clock.move_to(T0)
    engine.dispatch_due()  # its send job waits in the queue behind thousands of others

    clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 1))
    report = engine.sweep()

    pub.refresh_from_db()
    assert report["released"] == 0 and pub.state == S.CLAIMED
    run()
    pub.refresh_from_db()
    assert pub.state in (S.SUBMITTED, S.PUBLISHED), explain(pub)
    assert sim.calls("/cgi-bin/draft/add") == 1


def test_a_slow_worker_whose_post_was_taken_over_leaves_the_row_to_the_new_holder(
    team, wechat, sim, clock, settings, monkeypatch
):
    from mediadesk.platforms.connectors.wechat import WeChatConnector

    pub = _due(team, wechat)
    clock.move_to(T0)
    pk, version = _claimed_job(pub)
    create = WeChatConnector.create_post

    def slow_create(self, post):
        # The platform answers only after the claim timeout: the recovery takes the row over.
        clock.shift(timedelta(seconds=settings.MEDIADESK_PUBLISH_CLAIM_TIMEOUT_SECONDS + 1))
        assert engine.sweep()["taken_over"] == 1
        return create(self, post)

    with monkeypatch.context() as patch:
        patch.setattr(WeChatConnector, "create_post", slow_create)
        assert engine.advance(pk, version)["skipped"] == "lease_lost"
    pub.refresh_from_db()
    assert pub.state == S.SUBMITTING and not pub.claimed_by  # not moved by the slow worker
    assert pub.platform_job_id  # but the platform's ids are where the new holder looks

    _runs_on_to_published_once(pub, sim, clock)
    assert len(sim.wechat_articles()) == 1

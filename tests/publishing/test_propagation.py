"""Secondary propagation (PUB-7, seed 002 §5.3): reposts within 1 working day."""

from __future__ import annotations

import pytest

from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.models import Notification
from mediadesk.publishing.models import Publication, PublicationState, RepostTask
from mediadesk.publishing.planning import schedule_publication
from mediadesk.publishing.propagation import (
    complete_repost,
    flag_overdue,
    mark_major_news,
    record_coverage,
    repost_due,
    set_targets,
    targets_for,
)
from tests import factories as f
from tests.publishing.world import approved_item, local, variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(world):
    """The group's official account, and a second unit with its own official accounts."""
    official = f.account(
        world.group, platform="weibo", name="示例集团微博", matrix_role="group_official"
    )
    estate = f.unit(world.group, name="示例地产")
    return {
        "official": official,
        "estate": estate,
        "estate_weibo": f.account(
            estate, platform="weibo", name="示例地产微博", matrix_role="group_official"
        ),
        "estate_product": f.account(
            estate, platform="douyin", name="地产楼盘", matrix_role="product"
        ),
        "estate_dept": f.account(
            f.unit(estate, name="市场部"), platform="weibo", name="市场部微博"
        ),
        "estate_operator": f.person(estate, "operator", username="estate_op"),
    }


def group_editor(world):
    from mediadesk.orgs.models import User

    return User.objects.filter(username="group_editor").first() or f.person(
        world.group, "operator", username="group_editor"
    )


def published(world, account):
    """A post the engine has published (the engine's part is simulated by the update)."""
    item = approved_item(world, account, title="集团签约仪式", author=group_editor(world))
    publication = schedule_publication(
        actor=world.hq, variant=variant(item, account), at=local(2026, 3, 11, 10, 0)
    ).publication
    Publication.objects.filter(pk=publication.pk).update(
        state=PublicationState.PUBLISHED, url="https://weibo.com/1/abc"
    )
    publication.refresh_from_db()
    return publication


def accounts_of(result):
    return sorted(t.account.name for t in result.tasks)


def test_major_news_asks_each_units_official_accounts_to_repost(world, matrix):
    result = mark_major_news(actor=world.hq, publication=published(world, matrix["official"]))
    # 示例科技: all four of its accounts are brand accounts (the factories' default); 示例地产:
    # its group-official Weibo, not its product account nor its department's account.
    assert accounts_of(result) == sorted(
        ["示例地产微博", "示例科技公众号", "示例科技微博", "示例科技抖音", "示例科技小红书"]
    )
    assert Publication.objects.get(is_major_news=True).account == matrix["official"]
    assert result.source.reason == "major_news" and result.source.url == "https://weibo.com/1/abc"


def test_the_account_that_published_the_news_does_not_repost_it(world, matrix):
    result = mark_major_news(actor=world.hq, publication=published(world, world.weibo))
    assert "示例科技微博" not in accounts_of(result)


def test_only_hq_marks_major_news(world, matrix):
    publication = published(world, matrix["official"])
    with pytest.raises(PermissionDenied):
        mark_major_news(actor=world.author, publication=publication)
    with pytest.raises(PermissionDenied):
        mark_major_news(actor=world.gm, publication=publication)
    assert not RepostTask.objects.exists()


def test_a_post_not_yet_published_cannot_be_major_news(world, matrix):
    item = approved_item(world, matrix["official"], author=group_editor(world))
    publication = schedule_publication(
        actor=world.hq, variant=variant(item, matrix["official"]), at=local(2026, 3, 11, 19, 0)
    ).publication
    with pytest.raises(ValidationFailed, match="published"):
        mark_major_news(actor=world.hq, publication=publication)


def test_marking_twice_is_a_conflict(world, matrix):
    publication = published(world, matrix["official"])
    mark_major_news(actor=world.hq, publication=publication)
    with pytest.raises(Conflict):
        mark_major_news(actor=world.hq, publication=publication)


def test_coverage_by_a_medium_creates_the_same_tasks(world, matrix):
    result = record_coverage(
        actor=world.hq,
        title="示例集团获评优秀企业",
        medium="人民日报",
        url="https://people.com.cn/x",
    )
    assert result.source.reason == "media_coverage" and result.source.medium == "人民日报"
    assert len(result.tasks) == 5
    assert AuditEntry.objects.filter(action="publishing.propagation.media_coverage").exists()


def test_coverage_needs_a_link(world, matrix):
    with pytest.raises(ValidationFailed, match="link"):
        record_coverage(actor=world.hq, title="报道", medium="新华社", url="")


def test_a_unit_without_official_accounts_is_reported(world, matrix):
    empty = f.unit(world.group, name="示例物业")
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    assert result.units_without_targets == [empty]


def test_a_unit_chooses_its_own_repost_accounts(world, matrix):
    set_targets(actor=world.hq, unit=matrix["estate"], accounts=[matrix["estate_dept"]])
    assert targets_for(matrix["estate"]) == ([matrix["estate_dept"]], True)
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    assert "市场部微博" in accounts_of(result) and "示例地产微博" not in accounts_of(result)


def test_a_unit_cannot_choose_another_units_account(world, matrix):
    with pytest.raises(ValidationFailed, match="Not accounts of"):
        set_targets(actor=world.hq, unit=matrix["estate"], accounts=[world.weibo])


def test_due_on_a_friday_before_qingming_is_the_tuesday_after(db):
    assert repost_due(local(2026, 4, 3, 15, 0)) == local(2026, 4, 7, 15, 0)


def test_a_make_up_saturday_counts_as_a_working_day(db):
    assert repost_due(local(2026, 10, 9, 10, 0)) == local(2026, 10, 10, 10, 0)


def test_marked_on_a_weekend_it_is_due_at_the_end_of_monday(db):
    assert repost_due(local(2026, 3, 14, 10, 0)) == local(2026, 3, 17, 0, 0)


def test_tasks_created_before_a_holiday_fall_due_after_it(world, matrix, clock):
    clock.move_to(local(2026, 4, 3, 15, 0))
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    assert {t.due_at for t in result.tasks} == {local(2026, 4, 7, 15, 0)}


def test_the_units_people_are_asked_to_repost(world, matrix):
    record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    assert (
        Notification.objects.filter(
            recipient=matrix["estate_operator"], kind="publishing.repost"
        ).count()
        == 1
    )
    assert not Notification.objects.filter(recipient=world.hq, kind="publishing.repost").exists()


def test_completing_a_task_records_the_repost(world, matrix):
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    task = next(t for t in result.tasks if t.account == matrix["estate_weibo"])
    done = complete_repost(
        actor=matrix["estate_operator"], task=task, url="https://weibo.com/2/repost"
    )
    assert done.status == "done" and done.completed_by == matrix["estate_operator"]
    entry = AuditEntry.objects.get(action="publishing.repost.complete")
    assert entry.after["url"] == "https://weibo.com/2/repost" and entry.after["late"] is False


def test_a_task_needs_the_link_or_the_post_id(world, matrix):
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    with pytest.raises(ValidationFailed):
        complete_repost(actor=world.author, task=result.tasks[0])


def test_another_units_operator_cannot_complete_the_task(world, matrix):
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    task = next(t for t in result.tasks if t.account == world.weibo)
    with pytest.raises(PermissionDenied):
        complete_repost(actor=matrix["estate_operator"], task=task, post_id="123")


def test_overdue_tasks_are_flagged_to_the_unit_and_hq_once(world, matrix, clock):
    result = record_coverage(actor=world.hq, title="报道", medium="新华社", url="https://x.cn/1")
    done = next(t for t in result.tasks if t.account == world.weibo)
    complete_repost(actor=world.author, task=done, post_id="weibo-123")
    assert flag_overdue() == 0
    clock.move_to(local(2026, 3, 12, 10, 1))  # Thursday, one working day and a minute later
    assert flag_overdue() == 4
    overdue = Notification.objects.filter(kind="publishing.repost.overdue")
    assert overdue.filter(recipient=matrix["estate_operator"]).count() == 1
    assert overdue.filter(recipient=world.hq).count() == 4
    assert flag_overdue() == 0
    assert RepostTask.objects.filter(overdue_flagged_at__isnull=False).count() == 4

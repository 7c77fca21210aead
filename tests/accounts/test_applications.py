import pytest

from mediadesk.accounts import services
from mediadesk.accounts.models import AccountApplication, SocialAccount
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    bu = f.unit(name="示例科技")
    return {
        "unit": bu,
        "editor": f.person(bu, "operator", username="editor"),
        "hq": f.person(f.group(), "hq_communications", username="hq"),
    }


def _apply(people, **overrides):
    answers = {**f.APPLICATION_ANSWERS, **overrides}
    return services.apply_for_account(
        actor=people["editor"],
        unit=people["unit"],
        platform="wechat_subscription",
        name="示例科技服务",
        matrix_role="customer_service",
        **answers,
    )


def test_an_application_missing_required_answers_names_them_and_creates_nothing(people):
    with pytest.raises(ValidationFailed, match="feasibility") as info:
        _apply(people, feasibility="", layout=" ")
    assert set(info.value.fields) == {"feasibility", "layout"}
    assert not SocialAccount.objects.exists() and not AccountApplication.objects.exists()


def test_an_applied_account_shows_as_applying(people):
    application = _apply(people)
    assert application.account.status == "applying"


def test_return_resubmit_approve_makes_the_account_active_with_a_full_timeline(people):
    application = _apply(people)
    services.return_application(
        actor=people["hq"], application=application, feedback="请补充运营人员分工"
    )
    services.resubmit_application(
        actor=people["editor"], application=application, operating_team="张编辑负责内容"
    )
    services.approve_application(actor=people["hq"], application=application)
    application.refresh_from_db()
    assert application.account.status == "active" and application.revision == 2
    timeline = [(e.action, e.revision) for e in application.events.all()]
    assert timeline == [("submitted", 1), ("returned", 1), ("resubmitted", 2), ("approved", 2)]
    assert application.events.get(action="returned").comment == "请补充运营人员分工"


def test_returning_needs_written_feedback(people):
    application = _apply(people)
    with pytest.raises(ValidationFailed, match="feedback"):
        services.return_application(actor=people["hq"], application=application, feedback="  ")


def test_someone_without_the_hq_role_cannot_approve(people):
    application = _apply(people)
    reviewer = f.person(people["unit"], "reviewer_l2")
    with pytest.raises(PermissionDenied, match="HQ communications"):
        services.approve_application(actor=reviewer, application=application)
    application.refresh_from_db()
    assert application.status == "submitted" and application.account.status == "applying"


def test_an_application_cannot_be_approved_twice(people):
    application = _apply(people)
    services.approve_application(actor=people["hq"], application=application)
    with pytest.raises(Conflict):
        services.approve_application(actor=people["hq"], application=application)


def test_a_change_of_name_is_applied_only_on_approval(people):
    account = f.account(people["unit"], name="旧名称")
    application = services.request_change(
        actor=people["editor"], account=account, reason="品牌升级", name="新名称"
    )
    account.refresh_from_db()
    assert account.name == "旧名称"
    services.approve_application(actor=people["hq"], application=application)
    account.refresh_from_db()
    assert account.name == "新名称"

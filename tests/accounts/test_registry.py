import datetime as dt

import pytest
import time_machine

from mediadesk.accounts import services
from mediadesk.accounts.models import Filing, SocialAccount
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_registering_an_account_files_the_registration_with_hq():
    account = f.account(platform="douyin", platform_account_id="dy-1")
    filing = Filing.objects.get(account=account)
    assert (filing.kind, filing.status) == ("registration", "filed")


def test_the_same_platform_id_cannot_be_registered_twice():
    f.account(platform="weibo", platform_account_id="123")
    with pytest.raises(Conflict, match="already registered"):
        f.account(platform="weibo", platform_account_id="123")
    assert SocialAccount.objects.count() == 1


def test_the_same_id_on_another_platform_is_a_different_account():
    f.account(platform="weibo", platform_account_id="123")
    f.account(platform="douyin", platform_account_id="123")
    assert SocialAccount.objects.count() == 2


def test_renaming_directly_is_refused_it_needs_an_approval():
    account = f.account(name="示例科技")
    with pytest.raises(ValidationFailed, match="needs HQ approval"):
        services.update_account(actor=f.superuser(), account=account, name="新名字")
    account.refresh_from_db()
    assert account.name == "示例科技"


def test_a_new_responsible_person_opens_a_filing_due_in_five_working_days():
    account = f.account()
    new_owner = f.person(account.owning_unit)
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=dt.UTC)):
        services.update_account(actor=f.superuser(), account=account, responsible_person=new_owner)
    filing = Filing.objects.get(account=account, kind="responsible_change")
    assert filing.status == "due" and filing.due_on == dt.date(2026, 10, 13)


def test_an_operator_of_another_unit_cannot_change_the_account():
    account = f.account()
    outsider = f.person(f.unit(), "account_admin")
    with pytest.raises(PermissionDenied):
        services.update_account(actor=outsider, account=account, bio="x")


def test_a_role_granted_on_one_account_covers_that_account_only():
    from mediadesk.orgs.permissions import can

    one, other = f.account(), f.account()
    editor = f.person(f.unit())
    services.grant_account_role(actor=f.superuser(), person=editor, role="operator", account=one)
    assert can(editor, "content.draft", one) and not can(editor, "content.draft", other)


def test_adding_an_operator_to_an_account_opens_an_operator_change_filing():
    account = f.account()
    services.grant_account_role(
        actor=f.superuser(), person=f.person(), role="operator", account=account
    )
    assert Filing.objects.filter(account=account, kind="operator_change", status="due").exists()

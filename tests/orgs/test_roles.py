import pytest

from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.orgs import services
from mediadesk.orgs.models import RoleAssignment
from mediadesk.orgs.permissions import can
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_role_granted_on_a_unit_covers_its_departments():
    bu = f.unit()
    dept = f.unit(bu)
    editor = f.person(bu, "operator")
    assert can(editor, "content.draft", dept)
    assert not can(editor, "content.draft", f.unit())


def test_granting_the_same_role_twice_is_a_conflict():
    editor = f.person(f.unit(), "operator")
    with pytest.raises(Conflict, match="already holds"):
        services.grant_role(
            actor=f.superuser(), person=editor, role="operator", org_unit=editor.org_unit
        )


def test_granting_an_unknown_role_is_refused():
    with pytest.raises(ValidationFailed, match="Unknown role"):
        services.grant_role(
            actor=f.superuser(), person=f.person(), role="emperor", org_unit=f.group()
        )


def test_nobody_can_grant_powers_they_do_not_hold():
    hq = f.person(f.group(), "hq_communications")
    target = f.person(f.unit())
    with pytest.raises(PermissionDenied, match="powers you do not hold"):
        services.grant_role(actor=hq, person=target, role="account_admin", org_unit=target.org_unit)
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_hq_can_grant_roles_within_its_powers():
    hq = f.person(f.group(), "hq_communications")
    target = f.person(f.unit())
    services.grant_role(actor=hq, person=target, role="data_analyst", org_unit=target.org_unit)
    assert can(target, "analytics.export", target.org_unit)


def test_revoking_a_role_takes_effect_immediately_and_keeps_the_record():
    editor = f.person(f.unit(), "operator")
    grant = editor.role_assignments.get()
    assert can(editor, "content.draft", editor.org_unit)
    services.revoke_role(actor=f.superuser(), assignment=grant)
    next_request_user = type(editor).objects.get(pk=editor.pk)
    assert not can(next_request_user, "content.draft", editor.org_unit)
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_hq_can_staff_an_account_team_with_an_operator():
    from mediadesk.accounts import services as account_services

    hq = f.person(f.group(), "hq_communications")
    account = f.account()
    editor = f.person(account.owning_unit)
    account_services.grant_account_role(actor=hq, person=editor, role="operator", account=account)
    assert can(editor, "content.draft", account)


def test_a_unit_hq_manager_cannot_make_someone_a_general_manager_of_the_group():
    bu = f.unit()
    local_hq = f.person(bu, "hq_communications")
    with pytest.raises(PermissionDenied):
        services.grant_role(
            actor=local_hq, person=f.person(bu), role="general_manager", org_unit=f.group()
        )

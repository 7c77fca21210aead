import pytest

from mediadesk.accounts import selectors
from mediadesk.accounts.models import SocialAccount
from mediadesk.demo import load_demo
from mediadesk.orgs.models import OrgUnit, User

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_without_duplicates():
    load_demo()
    counts = (OrgUnit.objects.count(), User.objects.count(), SocialAccount.objects.count())
    load_demo()
    assert (OrgUnit.objects.count(), User.objects.count(), SocialAccount.objects.count()) == counts


def test_the_demo_has_one_person_per_role_and_a_matrix_with_something_to_show():
    from mediadesk.orgs.models import Role, RoleAssignment

    load_demo()
    held = set(RoleAssignment.objects.active().values_list("role", flat=True))
    assert held == set(Role.values)
    admin = User.objects.get(username="admin")
    assert SocialAccount.objects.count() >= 12
    assert len({a.platform for a in SocialAccount.objects.all()}) >= 6
    assert any(devs for _, devs in selectors.conformity_report(user=admin))
    assert selectors.list_filings(user=admin, overdue=True).exists()

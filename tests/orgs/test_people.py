import pytest
from django.test import Client

from mediadesk.core.errors import ValidationFailed
from mediadesk.orgs import services
from mediadesk.orgs.models import ApiToken, User
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "reason"),
    [("Ab1!", "too short"), ("abcdefghijkl", "at least 3"), ("12345678901234", "entirely numeric")],
)
def test_password_policy_rejects_weak_passwords(password, reason):
    with pytest.raises(ValidationFailed, match=reason):
        services.create_person(
            actor=f.superuser(),
            username="weak",
            display_name="弱",
            org_unit=f.group(),
            password=password,
        )
    assert not User.objects.filter(username="weak").exists()


def test_usernames_are_unique_regardless_of_case():
    f.person(username="Zhang")
    with pytest.raises(ValidationFailed, match="taken"):
        f.person(username="zhang")


def test_deactivating_a_person_revokes_roles_tokens_and_sessions():
    bu = f.unit()
    leaver = f.person(bu, "operator", "customer_service")
    services.create_api_token(actor=leaver, name="脚本")
    client = Client()
    assert client.login(username=leaver.username, password=f.PASSWORD)
    revoked = services.deactivate_person(actor=f.superuser(), person=leaver)
    assert {g.role for g in revoked} == {"operator", "customer_service"}
    assert not leaver.role_assignments.active().exists()
    assert not ApiToken.objects.filter(user=leaver, revoked_at__isnull=True).exists()
    assert client.get("/").status_code == 302  # the open session is gone


def test_a_person_who_left_cannot_be_granted_a_role():
    leaver = f.person(f.unit())
    services.deactivate_person(actor=f.superuser(), person=leaver)
    with pytest.raises(ValidationFailed, match="has left"):
        services.grant_role(actor=f.superuser(), person=leaver, role="operator", org_unit=f.group())

"""Settings → people, a person's page, roles."""

import datetime as dt

import pytest
from django.utils import timezone

from mediadesk.orgs.models import RoleAssignment, User
from tests import factories as f
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_people_list_filters_and_pages(hq_client, bu, dept, operator):
    for i in range(30):
        f.person(bu, username=f"bulk{i:02d}")
    response = hq_client.get("/settings/people/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 1 / 2 页" in html
    assert "hq" in html

    html = hq_client.get("/settings/people/?page=2").content.decode()
    assert "bulk29" in html

    html = hq_client.get("/settings/people/", {"q": "op"}).content.decode()
    assert f'href="/settings/people/{operator.pk}/"' in html
    assert "bulk01" not in html

    html = hq_client.get("/settings/people/", {"unit": dept.pk}).content.decode()
    assert f"/settings/people/{operator.pk}/" in html
    assert "bulk01" not in html

    html = hq_client.get("/settings/people/", {"role": "operator"}).content.decode()
    assert f"/settings/people/{operator.pk}/" in html
    assert "bulk01" not in html

    f.superuser()
    from mediadesk.orgs import services

    services.deactivate_person(actor=f.superuser(), person=User.objects.get(username="bulk05"))
    html = hq_client.get("/settings/people/", {"active": "no"}).content.decode()
    assert "bulk05" in html and "bulk06" not in html


def test_people_pages_need_permission(operator_client, operator, hq):
    assert operator_client.get("/settings/people/").status_code == 403
    assert operator_client.get("/settings/roles/").status_code == 403
    assert operator_client.get(f"/settings/people/{hq.pk}/").status_code == 403
    assert operator_client.get("/settings/people/new/").status_code == 403
    # Everyone may open their own page, without management forms.
    response = operator_client.get(f"/settings/people/{operator.pk}/")
    assert response.status_code == 200
    assert "重置密码" not in response.content.decode()


def test_add_a_person_with_service_errors_next_to_inputs(hq_client, dept):
    data = {
        "username": "xiaoming",
        "display_name": "小明",
        "org_unit": dept.pk,
        "email": "",
        "phone": "",
        "password": "short",
    }
    response = hq_client.post("/settings/people/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "密码长度太短" in html
    assert 'class="field-error"' in html
    assert not User.objects.filter(username="xiaoming").exists()

    response = hq_client.post("/settings/people/new/", {**data, "password": "Good#Pass2026"})
    person = User.objects.get(username="xiaoming")
    assert response["Location"] == f"/settings/people/{person.pk}/"
    assert person.org_unit == dept


def test_grant_and_revoke_a_role(hq_client, operator, bu):
    response = hq_client.post(
        f"/settings/people/{operator.pk}/",
        {"op": "grant", "role": "data_analyst", "org_unit": bu.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "已授予" in html
    grant = RoleAssignment.objects.active().get(user=operator, role="data_analyst")
    assert grant.org_unit == bu

    response = hq_client.post(
        f"/settings/people/{operator.pk}/", {"op": "revoke", "assignment": grant.pk}, follow=True
    )
    assert "已撤销" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_granting_a_role_twice_shows_the_service_error(operator, dept):
    client = client_for(f.superuser())
    response = client.post(
        f"/settings/people/{operator.pk}/", {"op": "grant", "role": "operator", "org_unit": dept.pk}
    )
    assert response.status_code == 400
    assert "已拥有" in response.content.decode()
    assert RoleAssignment.objects.active().filter(user=operator, role="operator").count() == 1


def test_nobody_hands_out_powers_they_do_not_hold(hq_client, operator, dept):
    """HQ communications may grant roles but holds no credentials: no account administrators."""
    response = hq_client.post(
        f"/settings/people/{operator.pk}/",
        {"op": "grant", "role": "account_admin", "org_unit": dept.pk},
    )
    assert response.status_code == 400
    assert "您不能授予" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=operator, role="account_admin").exists()


def test_reset_password_unlock_and_deactivate(hq_client, operator):
    response = hq_client.post(
        f"/settings/people/{operator.pk}/",
        {"op": "password", "pw-password": "New#Pass2026x", "pw-password2": "New#Pass2026x"},
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password("New#Pass2026x")

    User.objects.filter(pk=operator.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=10)
    )
    html = hq_client.get(f"/settings/people/{operator.pk}/").content.decode()
    assert "已锁定" in html
    hq_client.post(f"/settings/people/{operator.pk}/", {"op": "unlock"})
    operator.refresh_from_db()
    assert operator.locked_until is None

    assert hq_client.get(f"/settings/people/{operator.pk}/offboard/").status_code == 200
    hq_client.post(f"/settings/people/{operator.pk}/offboard/")
    operator.refresh_from_db()
    assert not operator.is_active


def test_deactivating_oneself_is_refused_with_the_reason(hq_client, hq):
    response = hq_client.post(f"/settings/people/{hq.pk}/offboard/")
    assert response.status_code == 422
    assert "不能停用自己" in response.content.decode()
    hq.refresh_from_db()
    assert hq.is_active


def test_roles_page_lists_grants_and_the_catalogue(hq_client, operator):
    response = hq_client.get("/settings/roles/", {"role": "operator"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/settings/people/{operator.pk}/" in html
    assert "各角色的权限" in html
    assert "三审" in html or "法务" in html


def test_people_page_is_in_english_when_chosen(hq):
    client = client_for(hq)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/settings/people/").content.decode()
    assert "People" in html and "HQ communications" in html

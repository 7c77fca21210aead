import json

import pytest
from django.test import Client

from mediadesk.orgs import services
from mediadesk.orgs.models import OrgUnit, RoleAssignment, UnitKind
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    _, raw = services.create_api_token(actor=f.superuser(), name="测试")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _json(client, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, **kwargs)


def test_the_openapi_schema_is_readable_without_login():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/units" in response.json()["paths"]


def test_interactive_docs_are_served():
    assert Client().get("/api/v1/docs").status_code == 200


def test_calls_without_credentials_get_401_in_the_error_shape():
    response = Client().get("/api/v1/units")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_a_bad_token_is_refused():
    response = Client(headers={"Authorization": "Bearer mdk_not-a-token"}).get("/api/v1/me")
    assert response.status_code == 401


def test_lists_come_in_the_page_shape_with_filters(admin_client):
    group = f.group()
    f.unit(group, name="品牌一部")
    f.unit(group, name="市场部")
    body = admin_client.get("/api/v1/units", {"kind": "business_unit", "q": "品牌"}).json()
    assert body["total"] == 1 and body["page"] == 1 and body["page_size"] == 50
    assert [u["name"] for u in body["items"]] == ["品牌一部"]


def test_creating_a_unit_through_the_api(admin_client):
    group = f.group()
    response = _json(
        admin_client,
        "post",
        "/api/v1/units",
        {"name": "新业务单位", "kind": "business_unit", "parent_id": group.pk},
    )
    assert response.status_code == 201
    assert OrgUnit.objects.filter(name="新业务单位", parent=group).exists()


def test_a_malformed_body_is_a_clear_error_and_changes_nothing(admin_client):
    before = OrgUnit.objects.count()
    response = _json(admin_client, "post", "/api/v1/units", {"name": "", "kind": "castle"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and {"name", "kind"} <= set(body["fields"])
    assert OrgUnit.objects.count() == before


def test_invalid_json_is_a_clear_error(admin_client):
    response = _json(admin_client, "post", "/api/v1/units", "{not json")
    assert response.status_code in (400, 422)
    assert response.json()["code"]


def test_moving_a_unit_under_its_descendant_is_422_and_changes_nothing(admin_client):
    bu = f.unit()
    dept = f.unit(bu, UnitKind.DEPARTMENT)
    response = _json(admin_client, "post", f"/api/v1/units/{bu.pk}/move", {"parent_id": dept.pk})
    assert response.status_code == 422
    assert "parent" in response.json()["fields"]
    bu.refresh_from_db()
    assert bu.parent_id == f.group().pk


def test_deleting_a_unit_with_people_is_409(admin_client):
    bu = f.unit()
    f.person(bu)
    response = admin_client.delete(f"/api/v1/units/{bu.pk}")
    assert response.status_code == 409
    assert OrgUnit.objects.filter(pk=bu.pk).exists()


def test_granting_a_role_to_a_missing_person_names_the_problem(admin_client):
    response = _json(
        admin_client,
        "post",
        "/api/v1/role-assignments",
        {"person_id": 99999, "role": "operator", "org_unit_id": f.group().pk},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"person_id": "no such person"}
    assert not RoleAssignment.objects.exists()


def test_a_person_without_permission_gets_403():
    editor = f.person(f.unit(), "operator")
    _, raw = services.create_api_token(actor=editor, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = _json(
        client,
        "post",
        "/api/v1/units",
        {"name": "X", "kind": "department", "parent_id": editor.org_unit_id},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_tokens_are_created_listed_and_revoked_through_the_api(admin_client):
    created = _json(admin_client, "post", "/api/v1/tokens", {"name": "集成"}).json()
    assert created["token"].startswith("mdk_")
    listed = admin_client.get("/api/v1/tokens").json()
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert admin_client.delete(f"/api/v1/tokens/{created['id']}").status_code == 200
    assert (
        Client(headers={"Authorization": f"Bearer {created['token']}"})
        .get("/api/v1/me")
        .status_code
        == 401
    )


def test_me_lists_roles_and_allowed_actions():
    editor = f.person(f.unit(), "operator")
    _, raw = services.create_api_token(actor=editor, name="t")
    body = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").json()
    assert [r["role"] for r in body["roles"]] == ["operator"]
    assert "content.draft" in body["actions"] and "org.manage" not in body["actions"]


def test_audit_entries_are_searchable_and_exportable_through_the_api(admin_client):
    f.unit(name="审计可查")
    body = admin_client.get(
        "/api/v1/audit/entries", {"action": "orgs.unit.create", "q": "审计可查"}
    ).json()
    assert body["total"] == 1
    export = admin_client.get("/api/v1/audit/export", {"format": "xlsx"})
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert admin_client.get("/api/v1/audit/verify").json()["ok"] is True


def test_session_authenticated_api_calls_need_csrf():
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.superuser())
    assert client.get("/api/v1/me").status_code == 200
    response = _json(client, "post", "/api/v1/tokens", {"name": "x"})
    assert response.status_code == 403


def test_people_lists_mask_phone_numbers_and_a_full_read_is_audited(admin_client):
    from mediadesk.audit.models import AuditEntry

    who = f.person(f.unit())
    services.update_person(actor=f.superuser(), person=who, phone="13812345678")
    listed = admin_client.get("/api/v1/people", {"q": who.username}).json()["items"][0]
    assert listed["phone"] == "138****5678"
    detail = admin_client.get(f"/api/v1/people/{who.pk}").json()
    assert detail["phone"] == "13812345678"
    assert AuditEntry.objects.filter(action="orgs.person.read", object_id=str(who.pk)).exists()


def test_searching_the_audit_log_is_itself_audited(admin_client):
    from mediadesk.audit.models import AuditEntry

    admin_client.get("/api/v1/audit/entries", {"action": "orgs"})
    entry = AuditEntry.objects.filter(action="audit.search").get()
    assert entry.after == {"filters": {"action": "orgs"}}

"""The credentials section: metadata only; a reveal shows the value once, to a permitted person,
audited; storing and rotating never echo a value."""

import json

import pytest

from mediadesk.accounts.models import Credential, RotationTask
from mediadesk.audit.models import AuditEntry
from tests.web.accounts_world import SECRET
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
NEW_SECRET = "rotated-4b1d-value-never-in-a-list"


def _reveal(client, world, purpose="配置接口"):
    return client.post(
        f"/accounts/{world['account'].pk}/",
        {"op": "cred_reveal", "credential": world["credential"].pk, "reveal-purpose": purpose},
    )


def _reveals():
    return AuditEntry.objects.filter(action="accounts.credential.reveal")


def test_the_credentials_section_shows_metadata_only(world):
    html = client_for(world["keeper"]).get(f"/accounts/{world['account'].pk}/").content.decode()
    section = html.split('id="credentials"', 1)[1]
    assert "应用密钥" in section  # the kind
    assert "v1" in section
    assert SECRET not in html


def test_a_permitted_person_sees_the_value_once(world):
    client = client_for(world["keeper"])
    response = _reveal(client, world)
    assert response.status_code == 200
    html = response.content.decode()
    card = html.split('id="revealed"', 1)[1].split("</section>", 1)[0]
    assert SECRET in card
    assert html.count(SECRET) == 1
    assert "仅显示这一次" in card
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    entry = _reveals().get()
    assert entry.actor_id == world["keeper"].pk
    assert entry.after["purpose"] == "配置接口"
    assert SECRET not in json.dumps([entry.before, entry.after, entry.object_repr])
    # the value is not kept anywhere the next page would show it
    assert SECRET not in client.get(f"/accounts/{world['account'].pk}/").content.decode()


@pytest.mark.parametrize("who", ["hq", "operator", "nobody"])
def test_others_cannot_reveal(who, world):
    response = _reveal(client_for(world[who]), world)
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    assert not _reveals().exists()


def test_a_get_never_reveals(world):
    client = client_for(world["keeper"])
    response = client.get(
        f"/accounts/{world['account'].pk}/?op=cred_reveal&credential={world['credential'].pk}"
    )
    assert SECRET not in response.content.decode()
    assert not _reveals().exists()


def test_a_credential_of_another_account_is_not_found_here(world):
    response = client_for(world["keeper"]).post(
        f"/accounts/{world['other'].pk}/",
        {"op": "cred_reveal", "credential": world["credential"].pk},
    )
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_storing_a_credential(world):
    client = client_for(world["keeper"])
    url = f"/accounts/{world['other'].pk}/"
    response = client.post(
        url, {"op": "cred_store", "kind": "password", "label": "", "value": NEW_SECRET}
    )
    assert response.status_code == 302
    assert Credential.objects.filter(account=world["other"], kind="password").exists()
    page = client.get(url).content.decode()
    assert NEW_SECRET not in page
    assert "已加密保存" in page
    response = client.post(
        url, {"op": "cred_store", "kind": "password", "label": "", "value": NEW_SECRET}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请改为轮换" in html
    assert NEW_SECRET not in html  # the password field is not filled back in
    response = client.post(
        url, {"op": "cred_store", "kind": "password", "label": "b", "value": " "}
    )
    assert response.status_code == 400
    assert Credential.objects.filter(account=world["other"]).count() == 1


def test_rotating_keeps_a_history_and_closes_tasks(world):
    credential = world["credential"]
    RotationTask.objects.create(credential=credential, reason="测试任务")
    client = client_for(world["keeper"])
    url = f"/accounts/{world['account'].pk}/"
    response = client.post(
        url,
        {
            "op": "cred_rotate",
            "credential": credential.pk,
            "rotate-value": NEW_SECRET,
            "rotate-reason": "定期更换",
        },
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.version == 2
    assert not RotationTask.objects.filter(done_at__isnull=True).exists()
    html = client.get(url).content.decode()
    assert "v2" in html and "定期更换" in html
    assert NEW_SECRET not in html and SECRET not in html


def test_rotating_without_a_value_is_refused(world):
    credential = world["credential"]
    response = client_for(world["keeper"]).post(
        f"/accounts/{world['account'].pk}/",
        {"op": "cred_rotate", "credential": credential.pk, "rotate-value": ""},
    )
    assert response.status_code == 400
    credential.refresh_from_db()
    assert credential.version == 1

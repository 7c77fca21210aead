"""Off-boarding from the person page: roles revoked, rotation tasks listed."""

import pytest

from mediadesk.accounts.models import RotationTask
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_person_page_offers_off_boarding(world):
    html = client_for(world["hq"]).get(f"/settings/people/{world['keeper'].pk}/").content.decode()
    assert f'href="/settings/people/{world["keeper"].pk}/offboard/"' in html
    assert "离职交接" in html


def test_off_boarding_opens_a_rotation_task_per_revealable_credential(world):
    keeper = world["keeper"]
    client = client_for(world["hq"])
    url = f"/settings/people/{keeper.pk}/offboard/"
    html = client.get(url).content.decode()
    assert "示例华东" in html  # the credential they could reveal
    assert "账号管理员" in html  # the role to revoke
    response = client.post(url)
    assert response.status_code == 200
    html = response.content.decode()
    tasks = html.split('id="tasks"', 1)[1]
    assert "示例华东" in tasks and "应用密钥" in tasks
    keeper.refresh_from_db()
    assert not keeper.is_active
    assert not keeper.role_assignments.active().exists()
    task = RotationTask.objects.get()
    assert task.credential == world["credential"]
    html = client_for(world["root"]).get("/accounts/rotation-tasks/").content.decode()
    assert "示例华东" in html and task.reason in html


def test_off_boarding_oneself_is_refused(world):
    hq = world["hq"]
    response = client_for(hq).post(f"/settings/people/{hq.pk}/offboard/")
    assert response.status_code == 422
    assert "不能停用自己" in response.content.decode()
    hq.refresh_from_db()
    assert hq.is_active

"""Settings → organisation."""

import pytest

from mediadesk.orgs.models import OrgUnit, UnitKind
from tests import factories as f
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_tree_is_indented_and_lists_every_unit(hq_client, dept):
    response = hq_client.get("/settings/org/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("示例集团") < html.index("华东事业部") < html.index("市场部")
    assert "--depth: 2" in html
    assert "业务单位" in html and "部门" in html


def test_tree_access(operator_client, nobody_client, dept):
    html = operator_client.get(f"/settings/org/{dept.pk}/").content.decode()
    assert "重命名" not in html  # no forms for someone who may not manage
    assert nobody_client.get("/settings/org/").status_code == 403
    assert nobody_client.get(f"/settings/org/{dept.pk}/").status_code == 403
    assert operator_client.post(f"/settings/org/{dept.pk}/delete/").status_code == 403
    assert OrgUnit.objects.filter(pk=dept.pk).exists()


def test_add_rename_move_and_delete_a_unit(hq_client, bu, dept):
    other_bu = f.unit(name="华南事业部")
    response = hq_client.post(
        f"/settings/org/{dept.pk}/", {"op": "child", "child-name": "新媒体组", "child-code": "XM"}
    )
    child = OrgUnit.objects.get(name="新媒体组")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/org/{child.pk}/"
    assert child.kind == UnitKind.DEPARTMENT and child.parent == dept

    response = hq_client.post(
        f"/settings/org/{child.pk}/",
        {"op": "edit", "name": "新媒体中心", "code": "XM"},
        follow=True,
    )
    assert "已保存" in response.content.decode()
    child.refresh_from_db()
    assert child.name == "新媒体中心"

    hq_client.post(f"/settings/org/{dept.pk}/", {"op": "move", "parent": other_bu.pk})
    dept.refresh_from_db()
    child.refresh_from_db()
    assert dept.parent == other_bu
    assert child.path.startswith(other_bu.path)

    confirm = hq_client.get(f"/settings/org/{child.pk}/delete/")
    assert confirm.status_code == 200
    assert "新媒体中心" in confirm.content.decode()
    response = hq_client.post(f"/settings/org/{child.pk}/delete/")
    assert response["Location"] == f"/settings/org/{dept.pk}/"
    assert not OrgUnit.objects.filter(pk=child.pk).exists()


def test_service_errors_are_shown_and_nothing_changes(hq_client, bu, dept, operator):
    f.unit(bu, name="财务部")
    response = hq_client.post(f"/settings/org/{dept.pk}/", {"op": "edit", "name": "财务部"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "已存在名为 财务部 的单位" in html
    assert 'class="field-error"' in html  # next to the name input
    dept.refresh_from_db()
    assert dept.name == "市场部"

    # The department still has the operator in it: deletion is refused with the reason.
    response = hq_client.post(f"/settings/org/{dept.pk}/delete/")
    assert response.status_code == 409
    assert "1 名人员" in response.content.decode()
    assert OrgUnit.objects.filter(pk=dept.pk).exists()


def test_move_offers_only_possible_parents(hq_client, bu, dept):
    sub = f.unit(dept, name="小组")
    html = hq_client.get(f"/settings/org/{dept.pk}/").content.decode()
    move_form = html.split('value="move"', 1)[1].split("</form>", 1)[0]
    assert f'value="{sub.pk}"' not in move_form  # its own sub-unit
    assert f'value="{dept.pk}"' not in move_form  # itself
    # A forged choice is refused by the form before any change.
    response = hq_client.post(f"/settings/org/{dept.pk}/", {"op": "move", "parent": sub.pk})
    assert response.status_code == 400
    dept.refresh_from_db()
    assert dept.parent == bu


def test_superuser_creates_the_group_on_an_empty_tree(db):
    client = client_for(f.superuser())
    assert "创建集团" in client.get("/settings/org/").content.decode()
    response = client.post("/settings/org/", {"name": "新集团", "code": ""})
    assert response.status_code == 302
    assert OrgUnit.objects.get(kind=UnitKind.GROUP).name == "新集团"

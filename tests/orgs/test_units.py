import pytest

from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.orgs import services
from mediadesk.orgs.models import OrgUnit, UnitKind
from tests import factories as f

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(OrgUnit.objects.values_list("pk", "parent_id", "path", "name"))


def test_units_form_a_tree_with_materialised_paths():
    group = f.group()
    bu = f.unit(group)
    dept = f.unit(bu, UnitKind.DEPARTMENT)
    assert dept.path == f"/{group.pk}/{bu.pk}/{dept.pk}/"


def test_moving_a_unit_carries_its_whole_subtree():
    group = f.group()
    bu1, bu2 = f.unit(group), f.unit(group)
    dept = f.unit(bu1, UnitKind.DEPARTMENT)
    team = f.unit(dept, UnitKind.DEPARTMENT)
    services.move_unit(actor=f.superuser(), unit=dept, new_parent=bu2)
    team.refresh_from_db()
    assert team.path == f"/{group.pk}/{bu2.pk}/{dept.pk}/{team.pk}/"


def test_moving_a_unit_under_its_own_descendant_is_refused_and_changes_nothing():
    bu = f.unit()
    dept = f.unit(bu, UnitKind.DEPARTMENT)
    team = f.unit(dept, UnitKind.DEPARTMENT)
    before = _snapshot()
    with pytest.raises(ValidationFailed, match="under itself or one of its own sub-units"):
        services.move_unit(actor=f.superuser(), unit=dept, new_parent=team)
    assert _snapshot() == before


def test_a_department_cannot_sit_directly_under_the_group():
    with pytest.raises(ValidationFailed, match="cannot sit under"):
        services.create_unit(
            actor=f.superuser(), name="X", kind=UnitKind.DEPARTMENT, parent=f.group()
        )


def test_there_is_only_one_group():
    f.group()
    with pytest.raises(Conflict):
        services.create_unit(actor=f.superuser(), name="另一个集团", kind=UnitKind.GROUP)


def test_sibling_units_need_distinct_names():
    bu = f.unit(name="品牌中心")
    with pytest.raises(ValidationFailed, match="already exists"):
        f.unit(bu.parent, name="品牌中心")


def test_deleting_a_unit_that_still_has_people_is_refused_and_changes_nothing():
    bu = f.unit()
    f.person(bu)
    before = _snapshot()
    with pytest.raises(Conflict, match="1 person"):
        services.delete_unit(actor=f.superuser(), unit=bu)
    assert _snapshot() == before


def test_deleting_a_unit_with_sub_units_is_refused():
    bu = f.unit()
    f.unit(bu, UnitKind.DEPARTMENT)
    with pytest.raises(Conflict, match="sub-unit"):
        services.delete_unit(actor=f.superuser(), unit=bu)


def test_an_empty_unit_can_be_deleted_and_the_deletion_is_audited():
    from mediadesk.audit.models import AuditEntry

    bu = f.unit(name="临时项目组")
    services.delete_unit(actor=f.superuser(), unit=bu)
    assert not OrgUnit.objects.filter(pk=bu.pk).exists()
    entry = AuditEntry.objects.filter(action="orgs.unit.delete").get()
    assert entry.before["name"] == "临时项目组"


def test_an_hq_manager_cannot_reorganise_outside_their_scope():
    bu1, bu2 = f.unit(), f.unit()
    local_admin = f.person(bu1, "hq_communications")
    with pytest.raises(PermissionDenied):
        services.update_unit(actor=local_admin, unit=bu2, name="改名")
    services.update_unit(actor=local_admin, unit=bu1, name="新名字")

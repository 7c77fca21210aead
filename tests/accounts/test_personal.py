import pytest

from mediadesk.accounts.personal import check_personal_accounts
from mediadesk.core.errors import ValidationFailed

NAMES = {"full": ["示例集团"], "short": ["示例"], "english": ["SLJT"]}


def _check(rows):
    csv = "员工姓名,昵称,群名称\n" + "\n".join(",".join(r) for r in rows)
    return check_personal_accounts(
        content=csv.encode("utf-8-sig"), filename="list.csv", names=NAMES
    )


@pytest.mark.parametrize(
    "nickname",
    [
        "示例集团小王",
        "示 例 集 团",
        "示*例·集团",
        "示例集團",
        "ＳＬＪＴ-Tom",
        "s l j t fan",
        "示\u200b例",
    ],
)
def test_disguised_company_names_are_found(nickname):
    hits = _check([("王五", nickname, "")])
    assert [(h.employee, h.field) for h in hits] == [("王五", "nickname")]


def test_group_names_are_checked_too():
    hits = _check([("李四", "阿四", "示例集团销售群")])
    assert [(h.field, h.matched) for h in hits] == [("group_name", "示例集团")]


def test_unrelated_names_pass():
    assert _check([("赵六", "快乐的小鱼", "羽毛球群")]) == []


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(ValidationFailed, match="昵称"):
        check_personal_accounts(content=b"a,b\n1,2\n", filename="x.csv", names=NAMES)


def test_gb18030_csv_from_excel_is_read():
    content = "员工姓名,昵称\n王五,示例小王\n".encode("gb18030")
    assert len(check_personal_accounts(content=content, filename="x.csv", names=NAMES)) == 1


@pytest.mark.django_db
def test_the_api_checks_an_uploaded_list_and_audits_it():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from mediadesk.accounts import standards
    from mediadesk.audit.models import AuditEntry
    from mediadesk.orgs import services as org_services
    from tests import factories as f

    admin = f.superuser()
    standards.save_company_names(
        actor=admin, full_names=["示例集团"], short_names=["示例"], english_names=[]
    )
    _, raw = org_services.create_api_token(actor=admin, name="t")
    upload = SimpleUploadedFile("list.csv", "员工姓名,昵称\n王五,示例小王\n".encode())
    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/api/v1/personal-accounts/check", {"file": upload}
    )
    assert [h["employee"] for h in response.json()] == ["王五"]
    assert AuditEntry.objects.filter(action="accounts.personal_check").count() == 1

"""The account forms: each calls its service, shows a service's refusal clearly, changes nothing
when refused, and records what it changes."""

import io

import pytest

from mediadesk.accounts.models import (
    AccountApplication,
    AccountStatus,
    CompanyNames,
    Filing,
    SocialAccount,
    UnitProfile,
)
from mediadesk.audit.models import AuditEntry
from mediadesk.orgs.models import RoleAssignment
from tests import factories as f
from tests.web.accounts_world import MENU, png
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def _alert(html: str) -> str:
    return html.split('class="form-alert', 1)[1].split("</div>", 1)[0]


def _apply(client, dept, **overrides):
    data = {
        "unit": dept.pk,
        "platform": "bilibili",
        "name": "示例华东B站",
        "matrix_role": "brand",
        **f.APPLICATION_ANSWERS,
    }
    data.update(overrides)
    return client.post("/accounts/apply/", data)


# --- applications ----------------------------------------------------------------------------


def test_an_incomplete_application_names_the_missing_points_and_creates_nothing(world):
    before = (SocialAccount.objects.count(), AccountApplication.objects.count())
    response = _apply(
        client_for(world["operator"]), world["dept"], feasibility="", review_flow="  "
    )
    assert response.status_code == 400
    html = response.content.decode()
    alert = _alert(html)
    assert "开户申请缺少" in alert
    assert "可行性" in alert and "审核发布流程" in alert
    assert html.count('class="field-error"') >= 2
    assert (SocialAccount.objects.count(), AccountApplication.objects.count()) == before


def test_a_duplicate_platform_id_is_refused(world):
    before = SocialAccount.objects.count()
    response = _apply(
        client_for(world["operator"]),
        world["dept"],
        platform="wechat_service",
        platform_account_id="gh_east",
    )
    assert response.status_code == 400
    assert "已登记" in response.content.decode()
    assert SocialAccount.objects.count() == before


def test_apply_return_resubmit_approve(world):
    operator, hq = client_for(world["operator"]), client_for(world["hq"])
    response = _apply(operator, world["dept"])
    application = AccountApplication.objects.get(account__name="示例华东B站")
    assert response["Location"] == f"/accounts/applications/{application.pk}/"
    assert application.account.status == AccountStatus.APPLYING

    url = f"/accounts/applications/{application.pk}/"
    response = hq.post(url, {"op": "return", "feedback": "请补充运营团队的分工"})
    assert response.status_code == 302
    html = operator.get("/accounts/applications/?tab=returned").content.decode()
    assert "示例华东B站" in html
    html = operator.get(url).content.decode()
    assert "请补充运营团队的分工" in html and 'id="resubmit-form"' in html

    answers = {**f.APPLICATION_ANSWERS, "operating_team": "张编辑（主编）、赵策划（选题）"}
    assert operator.post(url, {"op": "resubmit", **answers}).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.revision) == ("submitted", 2)
    assert application.operating_team == "张编辑（主编）、赵策划（选题）"

    html = hq.get("/accounts/applications/").content.decode()
    assert "待审批的开户申请" in html and "示例华东B站" in html
    assert hq.post(url, {"op": "approve", "comment": "同意开设"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.account.status == AccountStatus.ACTIVE
    html = hq.get(url).content.decode()
    timeline = html.split('id="timeline"', 1)[1]
    for step in [
        "已提交",
        "退回修改",
        "修改后重新提交",
        "已批准",
        "同意开设",
        "请补充运营团队的分工",
    ]:
        assert step in timeline, step
    actions = AuditEntry.objects.filter(action__startswith="accounts.application.")
    assert {"accounts.application.returned", "accounts.application.approved"} <= set(
        actions.values_list("action", flat=True)
    )


def test_an_approval_by_someone_without_the_hq_role_is_refused(world):
    application = world["application"]
    response = client_for(world["keeper"]).post(
        f"/accounts/applications/{application.pk}/", {"op": "approve", "comment": ""}
    )
    assert response.status_code == 400
    assert "只有总部企宣可以审批开户申请" in _alert(response.content.decode())
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.account.status == AccountStatus.APPLYING


def test_returning_without_feedback_is_refused(world):
    application = world["application"]
    response = client_for(world["hq"]).post(
        f"/accounts/applications/{application.pk}/", {"op": "return", "feedback": ""}
    )
    assert response.status_code == 400
    assert "必填" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"


def test_hq_cannot_approve_its_own_application(world):
    hq = client_for(world["hq"])
    _apply(hq, world["bu"], name="示例华东知乎", platform="zhihu")
    application = AccountApplication.objects.get(account__name="示例华东知乎")
    html = hq.get(f"/accounts/applications/{application.pk}/").content.decode()
    assert 'id="approve-form"' not in html
    response = hq.post(f"/accounts/applications/{application.pk}/", {"op": "approve"})
    assert response.status_code == 400
    assert "不能审批自己提交的申请" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"


def test_withdrawing_closes_the_applied_account(world):
    application = world["application"]
    response = client_for(world["operator"]).post(
        f"/accounts/applications/{application.pk}/", {"op": "withdraw"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.account.status == AccountStatus.CLOSED


def test_a_change_of_name_goes_through_an_application(world):
    account = world["account"]
    client = client_for(world["hq"])
    data = {
        "op": "change",
        "name": "示例华东服务",
        "function_positioning": "客户服务",
        "content_positioning": "",
        "reason": "更名以突出服务定位",
    }
    response = client.post(f"/accounts/{account.pk}/", data)
    application = AccountApplication.objects.get(account=account, kind="change")
    assert response["Location"] == f"/accounts/applications/{application.pk}/"
    account.refresh_from_db()
    assert account.name == "示例华东"  # unchanged until HQ approves
    html = client.get(f"/accounts/applications/{application.pk}/").content.decode()
    assert "示例华东服务" in html and "更名以突出服务定位" in html
    response = client.post(f"/accounts/{account.pk}/", data)  # a second one is refused
    assert response.status_code == 400
    assert "已有进行中的申请" in response.content.decode()
    assert AccountApplication.objects.filter(account=account, kind="change").count() == 1


# --- registry ------------------------------------------------------------------------------


def _edit_data(account, **changes):
    data = {
        "op": "edit",
        "platform_account_id": account.platform_account_id,
        "matrix_role": account.matrix_role,
        "target_posts_per_week": account.target_posts_per_week,
        "follower_count": account.follower_count,
        "verification_status": account.verification_status,
        "verification_expires_on": "",
        "admin_wechat_id": account.admin_wechat_id,
        "bound_phone": "",
        "responsible_person": "",
        "bio": account.bio,
        "wechat_menu": "",
    }
    data.update(changes)
    return data


def test_editing_the_registry(world):
    account = world["account"]
    client = client_for(world["hq"])
    data = _edit_data(
        account,
        follower_count=5000,
        bio="示例集团官方账号。",
        responsible_person=world["operator"].pk,
        wechat_menu='{"button": [{"name": "走进示例", "sub_button": []}]}',
    )
    response = client.post(f"/accounts/{account.pk}/", data)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.follower_count == 5000
    assert account.bound_phone == "13812345678"  # an empty phone field keeps the number
    assert account.responsible_person == world["operator"]
    assert Filing.objects.filter(account=account, kind="responsible_change", status="due").exists()
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "5 个工作日" in html  # the flash message about the filing


def test_a_duplicate_platform_id_on_edit_changes_nothing(world):
    account = world["account"]
    f.account(world["bu"], platform="wechat_service", name="另一个", platform_account_id="gh_2")
    response = client_for(world["hq"]).post(
        f"/accounts/{account.pk}/", _edit_data(account, platform_account_id="gh_2", bio="新简介")
    )
    assert response.status_code == 400
    assert "已登记" in response.content.decode()
    account.refresh_from_db()
    assert (account.platform_account_id, account.bio) == ("gh_east", "不规范的简介")


def test_a_malformed_menu_is_refused(world):
    account = world["account"]
    client = client_for(world["hq"])
    response = client.post(f"/accounts/{account.pk}/", _edit_data(account, wechat_menu="{oops"))
    assert response.status_code == 400
    assert "JSON" in response.content.decode()
    response = client.post(
        f"/accounts/{account.pk}/", _edit_data(account, wechat_menu='{"button": []}')
    )
    assert response.status_code == 400
    assert "1–3" in response.content.decode()
    account.refresh_from_db()
    assert account.wechat_menu == MENU


def test_the_avatar_must_be_an_image(world):
    account = world["account"]
    client = client_for(world["hq"])
    upload = io.BytesIO(b"not a picture")
    upload.name = "avatar.png"
    response = client.post(f"/accounts/{account.pk}/", {"op": "avatar", "avatar": upload})
    assert response.status_code == 400
    assert "无法识别的图片" in response.content.decode()
    other = io.BytesIO(png((20, 90, 160), "triangle"))
    other.name = "new.png"
    response = client.post(f"/accounts/{account.pk}/", {"op": "avatar", "avatar": other})
    assert response.status_code == 302
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "头像不是本单位的标准标识" in html


def test_naming_exception_is_for_hq_only(world):
    account = world["account"]
    html = client_for(world["keeper"]).get(f"/accounts/{account.pk}/").content.decode()
    assert 'value="exception"' not in html
    response = client_for(world["hq"]).post(
        f"/accounts/{account.pk}/", {"op": "exception", "reason": "历史沿用名称"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name_exception == "历史沿用名称"


def test_team_add_and_remove(world):
    account = world["account"]
    client = client_for(world["hq"])
    reviewer = f.person(world["dept"], username="reviewer")
    response = client.post(  # HQ holds no credentials, so it cannot make an account admin
        f"/accounts/{account.pk}/",
        {"op": "team_add", "person": reviewer.pk, "role": "account_admin"},
    )
    assert response.status_code == 400
    assert "您不能授予" in response.content.decode()
    response = client.post(  # review is a day-to-day power HQ may delegate
        f"/accounts/{account.pk}/",
        {"op": "team_add", "person": reviewer.pk, "role": "reviewer_l1"},
    )
    assert response.status_code == 302
    grant = RoleAssignment.objects.active().get(user=reviewer, account=account)
    response = client.post(
        f"/accounts/{account.pk}/",
        {"op": "team_add", "person": reviewer.pk, "role": "reviewer_l1"},
    )
    assert response.status_code == 400
    assert "已拥有" in response.content.decode()
    assert (
        client.post(
            f"/accounts/{account.pk}/", {"op": "team_remove", "grant": grant.pk}
        ).status_code
        == 302
    )
    assert not RoleAssignment.objects.active().filter(user=reviewer, account=account).exists()


def test_filing_a_closure_and_nothing_after_it(world):
    account = world["account"]
    client = client_for(world["hq"])
    data = {"op": "file", "kind": "closure", "reason": "业务调整，注销账号", "occurred_on": ""}
    assert client.post(f"/accounts/{account.pk}/", data).status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSED
    count = Filing.objects.filter(account=account).count()
    response = client.post(f"/accounts/{account.pk}/", {**data, "kind": "suspension"})
    assert response.status_code == 400
    assert "已注销" in _alert(response.content.decode())
    assert Filing.objects.filter(account=account).count() == count


def test_a_filing_needs_a_reason(world):
    account = world["account"]
    response = client_for(world["hq"]).post(
        f"/accounts/{account.pk}/", {"op": "file", "kind": "stop_updating", "reason": ""}
    )
    assert response.status_code == 400
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_completing_a_due_filing(world):
    filing = world["filing"]
    client = client_for(world["operator"])
    response = client.post(f"/accounts/filings/{filing.pk}/complete/", {"reason": ""})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == "due"
    response = client.post(
        f"/accounts/filings/{filing.pk}/complete/",
        {"reason": "新增运营人员，已报备", "next": "/accounts/filings/"},
    )
    assert response["Location"] == "/accounts/filings/"
    filing.refresh_from_db()
    assert filing.status == "filed"
    response = client.post(f"/accounts/filings/{filing.pk}/complete/", {"reason": "again"})
    html = client.get(response["Location"]).content.decode()
    assert "该备案已提交" in html


def test_the_filings_overview_flags_late_ones(world):
    import datetime as dt

    filing = world["filing"]
    Filing.objects.filter(pk=filing.pk).update(due_on=dt.date(2020, 1, 3))
    html = client_for(world["hq"]).get("/accounts/filings/").content.decode()
    results = html.split('id="results"', 1)[1]
    assert 'class="is-late"' in results
    assert "天逾期" in results or "逾期" in results
    html = client_for(world["hq"]).get("/accounts/filings/?show=filed").content.decode()
    assert 'class="is-late"' not in html.split('id="results"', 1)[1]


def test_links_between_accounts(world):
    account, other = world["account"], world["other"]
    client = client_for(world["hq"])
    data = {"op": "link", "target": other.pk, "note": "互推"}
    assert client.post(f"/accounts/{account.pk}/", data).status_code == 302
    response = client.post(f"/accounts/{account.pk}/", data)
    assert response.status_code == 400
    assert "已经关联" in response.content.decode()


# --- standards, names, personal accounts, Excel ---------------------------------------------------


def test_brand_profile_with_logo(world):
    bu = world["bu"]
    client = client_for(world["hq"])
    bad = io.BytesIO(b"GIF89a broken")
    bad.name = "logo.gif"
    response = client.post(
        f"/accounts/standards/{bu.pk}/",
        {"brand_name": "东方", "unit_name": "华东", "standard_bio": "", "logo": bad},
    )
    assert response.status_code == 400
    assert "无法识别的图片" in response.content.decode()
    assert UnitProfile.objects.get(unit=bu).brand_name == ""
    logo = io.BytesIO(png((20, 90, 160), "triangle"))
    logo.name = "logo.png"
    response = client.post(
        f"/accounts/standards/{bu.pk}/",
        {"brand_name": "东方", "unit_name": "华东", "standard_bio": "简介", "logo": logo},
    )
    assert response.status_code == 302
    profile = UnitProfile.objects.get(unit=bu)
    assert (profile.brand_name, profile.standard_bio) == ("东方", "简介")
    assert profile.logo_hash
    assert client.get(f"/accounts/standards/{bu.pk}/logo/")["Content-Type"] == "image/png"


def test_brand_profile_cannot_be_edited_without_the_permission(world):
    dept = world["dept"]
    response = client_for(world["operator"]).post(
        f"/accounts/standards/{dept.pk}/", {"brand_name": "乱改"}
    )
    assert response.status_code == 403
    assert not UnitProfile.objects.filter(unit=dept).exists()


def test_company_names(world):
    client = client_for(world["hq"])
    response = client.post(
        "/accounts/company-names/", {"full_names": "", "short_names": "示例", "english_names": ""}
    )
    assert response.status_code == 400
    assert "至少需要填写公司全称" in response.content.decode()
    assert CompanyNames.objects.get().full_names == ["示例集团"]
    response = client.post(
        "/accounts/company-names/",
        {
            "full_names": "示例集团\n示例集团有限公司",
            "short_names": "示例、示例控股",
            "english_names": "SLJT",
        },
    )
    assert response.status_code == 302
    names = CompanyNames.objects.get()
    assert names.full_names == ["示例集团", "示例集团有限公司"]
    assert names.short_names == ["示例", "示例控股"]
    response = client_for(world["keeper"]).post(
        "/accounts/company-names/", {"full_names": "别的公司"}
    )
    assert response.status_code == 403


def test_personal_account_check(world):
    csv = (
        "员工,昵称,群名称\n"
        "张三,示 例·集 團小助手,\n"
        "李四,快乐的猫,ＳＬＪＴ粉丝群\n"
        "王五,普通人,家人群\n"
    )
    upload = io.BytesIO(csv.encode("utf-8"))
    upload.name = "list.csv"
    response = client_for(world["hq"]).post("/accounts/personal-check/", {"file": upload})
    assert response.status_code == 200
    hits = response.content.decode().split('id="hits"', 1)[1].split("</table>", 1)[0]
    assert "张三" in hits and "李四" in hits and "王五" not in hits
    assert "昵称" in hits and "群名称" in hits
    assert AuditEntry.objects.filter(action="accounts.personal_check").exists()


def test_personal_account_check_explains_a_bad_file(world):
    upload = io.BytesIO("姓名,电话\n张三,1\n".encode())
    upload.name = "list.csv"
    response = client_for(world["hq"]).post("/accounts/personal-check/", {"file": upload})
    assert response.status_code == 400
    assert "昵称" in response.content.decode()


def _xlsx(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "accounts.xlsx"
    return out


def test_an_import_with_bad_rows_imports_nothing(world):
    before = SocialAccount.objects.count()
    upload = _xlsx(
        [
            ["平台", "账号名称", "平台账号ID", "所属单位", "矩阵定位"],
            ["微博", "示例华东二号", "58002", "华东事业部", "品牌"],
            ["火星", "示例华东三号", "", "华东事业部", "品牌"],
            ["抖音", "示例华东四号", "", "不存在的单位", "品牌"],
        ]
    )
    response = client_for(world["hq"]).post("/accounts/import/", {"file": upload})
    assert response.status_code == 400
    errors = response.content.decode().split('id="row-errors"', 1)[1]
    assert "火星" in errors and "不存在的单位" in errors
    assert SocialAccount.objects.count() == before


def test_an_import_of_good_rows(world):
    upload = _xlsx(
        [
            ["平台", "账号名称", "平台账号ID", "所属单位", "矩阵定位"],
            ["微博", "示例华东二号", "58002", "华东事业部", "品牌"],
        ]
    )
    response = client_for(world["hq"]).post("/accounts/import/", {"file": upload})
    assert response["Location"] == "/accounts/list/"
    assert SocialAccount.objects.filter(name="示例华东二号").exists()


def test_export_masks_phones_and_is_audited(world):
    from openpyxl import load_workbook

    response = client_for(world["hq"]).post("/accounts/export/", {"platform": "wechat_service"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "平台"
    assert [r[1] for r in rows[1:]] == ["示例华东"]
    assert "138****5678" in rows[1] and "13812345678" not in rows[1]
    assert AuditEntry.objects.filter(action="accounts.export").exists()
    assert client_for(world["hq"]).get("/accounts/export/").status_code == 405

"""Every account page renders for someone allowed to use it and is refused to someone who is not."""

import pytest

from mediadesk.web.views.home import PLACEHOLDER_MODULES
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

# page, who may open it
PAGES = [
    ("/accounts/", "hq"),
    ("/accounts/list/", "hq"),
    ("/accounts/list/?platform=wechat_service&status=active", "operator"),
    ("/accounts/import/", "hq"),
    ("/accounts/apply/", "operator"),
    ("/accounts/{account}/", "hq"),
    ("/accounts/{account}/", "keeper"),
    ("/accounts/{account}/", "operator"),
    ("/accounts/applications/", "hq"),
    ("/accounts/applications/?tab=mine", "operator"),
    ("/accounts/applications/{application}/", "hq"),
    ("/accounts/applications/{application}/", "operator"),
    ("/accounts/filings/", "hq"),
    ("/accounts/filings/?show=all", "operator"),
    ("/accounts/rotation-tasks/", "keeper"),
    ("/accounts/standards/", "hq"),
    ("/accounts/standards/{bu}/", "hq"),
    ("/accounts/standards/{dept}/", "operator"),
    ("/accounts/company-names/", "hq"),
    ("/accounts/personal-check/", "hq"),
    ("/settings/people/{operator}/offboard/", "hq"),
]
IMAGES = ["/accounts/{account}/avatar/", "/accounts/standards/{group}/logo/"]
# pages closed to someone who holds a role, but not the one the page needs
REFUSED = [
    ("/accounts/import/", "operator"),
    ("/accounts/rotation-tasks/", "hq"),
    ("/accounts/personal-check/", "operator"),
    ("/settings/people/{operator}/offboard/", "keeper"),
]


def _url(path, world):
    from tests import factories as f

    return path.format(
        account=world["account"].pk,
        application=world["application"].pk,
        bu=world["bu"].pk,
        dept=world["dept"].pk,
        group=f.group().pk,
        operator=world["operator"].pk,
    )


@pytest.mark.parametrize(("path", "who"), PAGES)
def test_page_renders_for_an_authorised_person(path, who, world):
    response = client_for(world[who]).get(_url(path, world))
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "<html" in html
    assert "Traceback" not in html


@pytest.mark.parametrize("path", sorted({p for p, _who in PAGES} | set(IMAGES)))
def test_page_is_refused_without_a_role(path, world):
    response = client_for(world["nobody"]).get(_url(path, world))
    assert response.status_code == 403
    assert "您无权访问此页面" in response.content.decode()


@pytest.mark.parametrize(("path", "who"), REFUSED)
def test_page_is_refused_to_a_role_without_the_permission(path, who, world):
    response = client_for(world[who]).get(_url(path, world))
    assert response.status_code == 403


@pytest.mark.parametrize("path", sorted({p for p, _who in PAGES}))
def test_page_needs_login(path, world, client):
    response = client.get(_url(path, world))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", IMAGES)
def test_images_are_served_to_readers(path, world):
    response = client_for(world["operator"]).get(_url(path, world))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_accounts_is_no_longer_a_placeholder(world):
    assert "accounts" not in PLACEHOLDER_MODULES
    html = client_for(world["hq"]).get("/accounts/").content.decode()
    assert "该模块将在后续版本中提供" not in html


def test_matrix_shows_units_platforms_flags_and_legend(world):
    html = client_for(world["hq"]).get("/accounts/").content.decode()
    matrix = html.split('id="matrix"', 1)[1].split("</table>", 1)[0]
    assert "华东事业部" in matrix
    assert "微信服务号" in matrix and "微博" in matrix and "抖音" in matrix
    assert "示例华东" in matrix
    assert "正常运营" in matrix  # the account status, not the person's 在职
    assert "申请中" in matrix  # the pending application
    assert "chip-nonconforming" in matrix  # name and bio deviate
    assert "不合规" in html and "认证即将到期" in html and "备案逾期" in html  # the legend
    assert "申请开通账号" in html
    assert "导出 Excel" in html


def test_matrix_filters(world):
    client = client_for(world["hq"])
    html = client.get("/accounts/?platform=weibo").content.decode()
    matrix = html.split('id="matrix"', 1)[1].split("</table>", 1)[0]
    assert "示例华东微博" in matrix
    assert "微信服务号" not in matrix
    html = client.get("/accounts/?status=suspended").content.decode()
    assert 'id="matrix"' not in html
    assert "没有符合条件的账号" in html


def test_matrix_lists_cross_promotion_links(world):
    from mediadesk.accounts import services

    services.link_accounts(
        actor=world["root"], source=world["account"], target=world["other"], note="互推"
    )
    html = client_for(world["hq"]).get("/accounts/").content.decode()
    assert "互推" in html


def test_operator_sees_no_import_button_and_hq_no_credentials(world):
    html = client_for(world["operator"]).get("/accounts/").content.decode()
    assert "导入 Excel" not in html
    html = client_for(world["hq"]).get(f"/accounts/{world['account'].pk}/").content.decode()
    assert 'id="credentials"' not in html
    html = client_for(world["keeper"]).get(f"/accounts/{world['account'].pk}/").content.decode()
    assert 'id="credentials"' in html


def test_account_detail_masks_the_phone_and_reports_deviations(world):
    html = client_for(world["hq"]).get(f"/accounts/{world['account'].pk}/").content.decode()
    assert "13812345678" not in html
    assert "138****5678" in html
    deviations = html.split('id="deviations"', 1)[1].split("</table>", 1)[0]
    assert "简介与标准简介不一致" in deviations
    assert "不规范的简介" in deviations  # the actual bio
    assert "示例集团官方账号。" in deviations  # the expected bio
    assert "菜单" not in deviations  # the menu conforms


def test_account_list_paginates_and_masks(world):
    from tests import factories as f

    for n in range(30):
        f.account(world["bu"], name=f"批量账号{n:02d}")
    client = client_for(world["hq"])
    html = client.get("/accounts/list/").content.decode()
    assert "第 1 / 2 页" in html
    assert "13812345678" not in html
    assert "138****5678" in html
    html = client.get("/accounts/list/?q=批量账号2&page=1").content.decode()
    assert "批量账号25" in html
    assert "示例华东微博" not in html


def test_english_interface(world):
    client = client_for(world["hq"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/accounts/").content.decode()
    assert "Units × platforms" in html
    assert "WeChat service account" in html
    html = client.get(f"/accounts/applications/{world['application'].pk}/").content.decode()
    assert "Necessity" in html

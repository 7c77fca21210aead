"""The dashboard, the navigation and the placeholder pages of later modules."""

import pytest

from mediadesk.web.views.home import PLACEHOLDER_MODULES
from tests import factories as f
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

DOMAIN_LABELS = ["账号矩阵", "内容", "审核", "发布日历", "互动", "数据", "舆情与风险", "审计日志"]


def _nav(html: str) -> str:
    return html.split('<nav class="nav">', 1)[1].split("</nav>", 1)[0]


def test_navigation_shows_every_domain_to_an_administrator(db):
    html = client_for(f.superuser()).get("/").content.decode()
    nav = _nav(html)
    for label in ["工作台", *DOMAIN_LABELS, "设置", "组织架构", "人员", "角色", "API 令牌"]:
        assert label in nav, label


def test_navigation_follows_the_permissions(operator_client, nobody_client):
    nav = _nav(operator_client.get("/").content.decode())
    for key in ["accounts", "content", "review", "calendar", "inbox", "analytics", "org"]:
        assert f'data-nav="{key}"' in nav
    for key in ["audit", "risk", "people", "roles"]:
        assert f'data-nav="{key}"' not in nav
    nav = _nav(nobody_client.get("/").content.decode())
    assert 'data-nav="dashboard"' in nav
    assert 'data-nav="tokens"' in nav
    assert 'data-nav="audit"' not in nav
    assert 'data-nav="org"' not in nav


def test_the_current_section_is_marked(hq_client):
    html = hq_client.get("/audit/").content.decode()
    assert 'data-nav="audit" aria-current="page"' in html


def test_dashboard_shows_roles_scope_and_health(operator_client, operator):
    response = operator_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "运营/编辑" in html or "运营" in html
    assert "示例集团 / 华东事业部 / 市场部" in html
    assert "系统状态" in html
    assert "数据库" in html
    assert "修改密码" in html  # quick link and top bar
    assert operator.display_name in html  # the top bar names the person
    assert "市场部" in html  # and their unit


def test_top_bar_has_the_language_switch(hq_client):
    html = hq_client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html
    response = hq_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = hq_client.get(response["Location"]).content.decode()
    assert "Dashboard" in html
    assert "Audit log" in html


@pytest.mark.parametrize("module", sorted(PLACEHOLDER_MODULES))
def test_placeholder_pages_are_honest(module, db):
    response = client_for(f.superuser()).get(f"/{module}/")
    assert response.status_code == 200
    assert "该模块将在后续版本中提供" in response.content.decode()


def test_placeholder_pages_check_permissions(operator_client):
    assert operator_client.get("/accounts/").status_code == 200
    response = operator_client.get("/risk/")
    assert response.status_code == 403
    assert "无权" in response.content.decode()

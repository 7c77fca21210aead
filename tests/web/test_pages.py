"""Every page: it renders for someone allowed to use it, and is refused to someone who is not."""

import pytest

from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

PAGES = [
    "/audit/",
    "/audit/verify/",
    "/settings/org/",
    "/settings/org/{dept}/",
    "/settings/org/{dept}/delete/",
    "/settings/people/",
    "/settings/people/new/",
    "/settings/people/{operator}/",
    "/settings/people/{operator}/offboard/",
    "/settings/roles/",
]
OPEN_TO_EVERYONE = ["/", "/settings/tokens/", "/me/password/"]


@pytest.fixture
def urls(dept, operator):
    return lambda path: path.format(dept=dept.pk, operator=operator.pk)


@pytest.mark.parametrize("path", PAGES + OPEN_TO_EVERYONE)
def test_page_renders_for_hq(path, urls, hq):
    response = client_for(hq).get(urls(path))
    assert response.status_code == 200
    assert b"<html" in response.content or path == "/audit/verify/"


@pytest.mark.parametrize("path", PAGES)
def test_page_is_refused_without_a_role(path, urls, nobody):
    response = client_for(nobody).get(urls(path))
    assert response.status_code == 403
    if path != "/audit/verify/":
        assert "您无权访问此页面" in response.content.decode()


@pytest.mark.parametrize("path", PAGES + OPEN_TO_EVERYONE)
def test_page_needs_login(path, urls, client):
    response = client.get(urls(path))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", OPEN_TO_EVERYONE)
def test_personal_pages_are_open_to_anyone_signed_in(path, urls, nobody):
    assert client_for(nobody).get(urls(path)).status_code == 200


def test_missing_objects_are_404(hq_client):
    assert hq_client.get("/settings/org/99999/").status_code == 404
    assert hq_client.get("/settings/people/99999/").status_code == 404


def test_unknown_addresses_get_the_products_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()

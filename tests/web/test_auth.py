"""Log-in, log-out, language, CSRF."""

import pytest
from django.test import Client, override_settings

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "登录" in html
    assert "用户名" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_browser_language_does_not_override_the_default(client):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in html and "Sign in" not in html


def test_login_page_is_in_english_after_switching(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    html = client.get("/login/").content.decode()
    assert 'lang="en"' in html
    assert "Sign in" in html
    assert "登录" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "登录" in client.get("/login/").content.decode()


def test_wrong_password_shows_the_generic_message(client):
    person = f.person(username="zhang")
    for username in (person.username, "no-such-person"):
        response = client.post("/login/", {"username": username, "password": "wrong-Pass-1"})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
        assert "_auth_user_id" not in client.session


@override_settings(MEDIADESK_LOCKOUT_THRESHOLD=2, MEDIADESK_LOCKOUT_MINUTES=15)
def test_a_locked_account_is_told_how_long_to_wait(client):
    person = f.person(username="li")
    client.post("/login/", {"username": "li", "password": "wrong-Pass-1"})
    response = client.post("/login/", {"username": "li", "password": "wrong-Pass-1"})
    assert "账号已锁定，请 15 分钟后再试" in response.content.decode()
    # Even the right password is refused while the lock lasts, with the same explanation.
    response = client.post("/login/", {"username": "li", "password": f.PASSWORD})
    html = response.content.decode()
    assert "账号已锁定" in html
    assert "用户名或密码错误" not in html
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.locked_until is not None


def test_login_goes_to_the_dashboard_or_a_safe_next(client):
    f.person(username="wang")
    response = client.post("/login/", {"username": "wang", "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    client.post("/logout/")
    response = client.post(
        "/login/", {"username": "wang", "password": f.PASSWORD, "next": "/settings/tokens/"}
    )
    assert response["Location"] == "/settings/tokens/"
    client.post("/logout/")
    response = client.post(
        "/login/", {"username": "wang", "password": f.PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_dashboard_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_logout_is_a_post(hq_client):
    assert hq_client.get("/logout/").status_code == 405
    response = hq_client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert hq_client.get("/").status_code == 302


def test_csrf_is_enforced_on_forms(hq):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "hq", "password": f.PASSWORD})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    # With the token from the form the same log-in succeeds.
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/", {"username": "hq", "password": f.PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    # Signed-in forms are protected too.
    response = client.post("/settings/tokens/", {"op": "create", "name": "x", "expires_in": "30"})
    assert response.status_code == 403


def test_changing_ones_own_password(hq_client, hq):
    response = hq_client.post(
        "/me/password/",
        {"old_password": "wrong", "password": "New#Pass2026x", "password2": "New#Pass2026x"},
    )
    assert response.status_code == 200
    assert "当前密码错误" in response.content.decode()
    response = hq_client.post(
        "/me/password/",
        {"old_password": f.PASSWORD, "password": "short", "password2": "short"},
    )
    assert "密码长度太短" in response.content.decode()
    response = hq_client.post(
        "/me/password/",
        {"old_password": f.PASSWORD, "password": "New#Pass2026x", "password2": "New#Pass2026x"},
    )
    assert response.status_code == 302
    assert hq_client.get("/").status_code == 200  # the session survives the change
    hq.refresh_from_db()
    assert hq.check_password("New#Pass2026x")

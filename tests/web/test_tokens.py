"""Settings → API tokens."""

import pytest

from mediadesk.orgs.models import ApiToken
from mediadesk.orgs.services import authenticate_token

pytestmark = pytest.mark.django_db


def test_create_shows_the_raw_token_once(nobody_client, nobody):
    response = nobody_client.post(
        "/settings/tokens/", {"op": "create", "name": "报表脚本", "expires_in": "90"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = ApiToken.objects.get(user=nobody)
    raw = html.split('id="new-token" value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(token.prefix)
    assert authenticate_token(raw) == nobody
    assert "仅显示这一次" in html

    html = nobody_client.get("/settings/tokens/").content.decode()
    assert raw not in html
    assert token.prefix in html
    assert "报表脚本" in html


def test_token_name_is_required(nobody_client):
    response = nobody_client.post(
        "/settings/tokens/", {"op": "create", "name": "", "expires_in": "0"}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_only_ones_own_token(nobody_client, nobody, hq):
    from mediadesk.orgs import services

    mine, _raw = services.create_api_token(actor=nobody, name="mine")
    theirs, _raw = services.create_api_token(actor=hq, name="theirs")
    nobody_client.post("/settings/tokens/", {"op": "revoke", "token": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = nobody_client.post(
        "/settings/tokens/", {"op": "revoke", "token": mine.pk}, follow=True
    )
    assert "已吊销" in response.content.decode()
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_tokens_page_needs_login(client):
    assert client.get("/settings/tokens/").status_code == 302

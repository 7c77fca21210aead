"""Connecting a Weibo or Douyin account: the owner authorises the app on the platform (the
simulator's authorisation page consents at once), the browser comes back to
``/oauth/<platform>/callback/`` with a code and the one-time state, and the connector then acts
with the user token kept in the database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from mediadesk.accounts import vault as crypto
from mediadesk.accounts.models import SocialAccount
from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import PermissionDenied
from mediadesk.demo import load_demo
from mediadesk.orgs import services as org_services
from mediadesk.platforms import oauth
from mediadesk.platforms.bindings import connector_for
from mediadesk.platforms.connectors import (
    CredentialsMissing,
    PostRef,
    PostRequest,
    PostState,
    ReconcileOutcome,
)
from mediadesk.platforms.models import OAuthState, PlatformToken
from mediadesk.platforms.simulated import authorise_accounts
from mediadesk.platforms.simulator import Simulator
from mediadesk.platforms.simulator.embedded import demo_config
from mediadesk.platforms.token_store import stored_token
from tests import factories

from .conftest import (
    DOUYIN_KEY,
    DOUYIN_SECRET,
    WEIBO_KEY,
    WEIBO_SECRET,
    SimHandle,
    bind,
    vault,
)

pytestmark = pytest.mark.django_db

WEIBO_EXCHANGE = "/weibo/oauth2/access_token"
DOUYIN_EXCHANGE = "/douyin/oauth/access_token/"
LINK = "https://mediadesk.example/news/1"


# -- helpers --------------------------------------------------------------------------------------


def weibo_account(*, secret: bool = True) -> SocialAccount:
    account = factories.account(platform="weibo", name="连接测试微博")
    bind(
        account,
        app_id=WEIBO_KEY,
        options={"safe_domains": ["mediadesk.example"], "rip": "203.0.113.7"},
    )
    if secret:
        vault(account, app_secret=WEIBO_SECRET)
    return account


def douyin_account() -> SocialAccount:
    account = factories.account(platform="douyin", name="连接测试抖音")
    bind(account, app_id=DOUYIN_KEY)
    vault(account, app_secret=DOUYIN_SECRET)
    return account


def keeper() -> Any:
    """An account administrator of the group: holds the credentials of its accounts."""
    return factories.person(factories.group(), "account_admin")


def browser(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["mediadesk_language"] = "en"
    return client


def api_client(person: Any) -> Client:
    _, raw = org_services.create_api_token(actor=person, name="oauth-test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def connect_button(client: Client, account: SocialAccount) -> str:
    """Press “Connect” on the account page: the authorisation page to open."""
    response = client.post(f"/accounts/{account.pk}/connect/")
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].startswith("http://127.0.0.1:"), response["Location"]
    return response["Location"]


def consent(url: str) -> str:
    """Open the platform's authorisation page as the owner's browser would; the simulator
    consents at once and redirects to our callback. Returns that path with its query."""
    answer = httpx.get(url, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    target = urlsplit(answer.headers["location"])
    assert target.scheme == "http" and target.netloc == "testserver"
    return f"{target.path}?{target.query}"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def with_query(path: str, **changes: str) -> str:
    base = path.partition("?")[0]
    params = query_of(path)
    params.update(changes)
    return f"{base}?{urlencode(params)}"


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def held_tokens(account: SocialAccount) -> list[Any]:
    return [
        t for t in map(stored_token, PlatformToken.objects.filter(account=account)) if t is not None
    ]


def audit_text() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)


# -- the whole flow -------------------------------------------------------------------------------


def test_connecting_a_weibo_account_lets_its_connector_post_and_read_comments(sim: SimHandle):
    account, person = weibo_account(), keeper()
    with pytest.raises(CredentialsMissing):
        connector_for(account)
    client = browser(person)

    authorize = connect_button(client, account)
    assert authorize.startswith(f"{sim.base_url}/weibo/oauth2/authorize?")
    params = query_of(authorize)
    assert params["client_id"] == WEIBO_KEY
    assert params["redirect_uri"] == "http://testserver/oauth/weibo/callback/"
    assert len(params["state"]) >= 40
    (remembered,) = OAuthState.objects.all()
    assert params["state"] not in json.dumps(list(OAuthState.objects.values()), default=str)
    assert remembered.account == account and remembered.actor == person

    callback = consent(authorize)
    response = client.get(callback)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{account.pk}/#platform-auth"
    (message,) = texts(response)
    assert "连接测试微博 is connected to" in message and "lasts until" in message

    (token,) = held_tokens(account)
    assert token.access_token.startswith("2.00") and token.subject.isdigit()
    with connector_for(account) as connector:
        created = connector.create_post(PostRequest(text=f"新品发布 {LINK}"))
        assert created.state == PostState.PUBLISHED
        page = connector.fetch_comments(PostRef(post_id=created.post_id))
        assert page.comments == ()
    (exchange,) = sim.requests(WEIBO_EXCHANGE)
    assert exchange["body"]["redirect_uri"] == "http://testserver/oauth/weibo/callback/"

    entry = AuditEntry.objects.get(action="platforms.oauth.connected")
    assert entry.actor_id == person.pk and entry.object_id == str(account.pk)
    assert entry.after["platform"] == "weibo" and entry.after["expires_at"]
    everything = audit_text()
    assert token.access_token not in everything
    assert query_of(callback)["code"] not in everything
    assert params["state"] not in everything


def test_connecting_a_douyin_account_lets_its_connector_list_videos(sim: SimHandle):
    account, person = douyin_account(), keeper()
    with pytest.raises(CredentialsMissing):
        connector_for(account)
    client = browser(person)

    authorize = connect_button(client, account)
    assert authorize.startswith(f"{sim.base_url}/douyin/platform/oauth/connect/?")
    params = query_of(authorize)
    assert params["client_key"] == DOUYIN_KEY
    assert "video.list.bind" in params["scope"].split(",")
    response = client.get(consent(authorize))
    assert response["Location"] == f"/accounts/{account.pk}/#platform-auth"
    assert "is connected to" in texts(response)[0]

    (token,) = held_tokens(account)
    assert token.access_token.startswith("act.") and token.refresh_token.startswith("rft.")
    with connector_for(account) as connector:
        info = connector.authenticate()
        assert info.renewals_left == 5 and info.subject == token.subject
        found = connector.reconcile(PostRequest(text="从未发过的视频"))
        assert found.outcome == ReconcileOutcome.NOT_FOUND
    (listing,) = sim.requests("/douyin/api/douyin/v1/video/video_list/")
    assert listing["status"] == 200 and listing["response"]["data"]["error_code"] == 0

    everything = audit_text()
    assert token.access_token not in everything and token.refresh_token not in everything
    assert AuditEntry.objects.filter(action="platforms.oauth.connected").count() == 1


def test_the_api_starts_the_authorisation_and_the_binding_shows_the_token_state(sim: SimHandle):
    account, person = weibo_account(), keeper()
    api = api_client(person)
    before = api.get(f"/api/v1/accounts/{account.pk}/binding").json()
    assert before["user_token"] == {
        "held": False,
        "source": None,
        "expires_at": None,
        "refresh_expires_at": None,
        "expired": False,
        "subject": "",
    }

    answer = api.post(f"/api/v1/accounts/{account.pk}/authorize")
    assert answer.status_code == 200, answer.content
    authorize = answer.json()["authorize_url"]
    assert query_of(authorize)["redirect_uri"] == "http://testserver/oauth/weibo/callback/"
    # The person opens it in their browser, logged in to mediadesk.
    assert browser(person).get(consent(authorize)).status_code == 302

    after = api.get(f"/api/v1/accounts/{account.pk}/binding")
    state = after.json()["user_token"]
    assert state["held"] and state["source"] == "authorization" and not state["expired"]
    expires = dt.datetime.fromisoformat(state["expires_at"])
    assert expires > timezone.now() + dt.timedelta(days=29)
    (token,) = held_tokens(account)
    assert token.access_token not in after.content.decode()


def test_the_callback_address_follows_the_public_url_setting(sim: SimHandle, settings):
    settings.MEDIADESK_PUBLIC_URL = "https://mediadesk.example"
    account, person = weibo_account(), keeper()
    authorize = oauth.start_authorization(actor=person, account=account)
    redirect_uri = query_of(authorize)["redirect_uri"]
    assert redirect_uri == "https://mediadesk.example/oauth/weibo/callback/"
    answer = httpx.get(authorize, follow_redirects=False, timeout=10)
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == redirect_uri
    assert browser(person).get(f"{target.path}?{target.query}").status_code == 302
    (exchange,) = sim.requests(WEIBO_EXCHANGE)
    assert exchange["body"]["redirect_uri"] == redirect_uri and exchange["status"] == 200
    assert held_tokens(account)


def test_the_account_page_offers_to_connect(sim: SimHandle):
    account, person = weibo_account(), keeper()
    client = browser(person)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'id="platform-auth"' in page and f"/accounts/{account.pk}/connect/" in page
    client.get(consent(connect_button(client, account)))
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "badge-ok" in page.split('id="platform-auth"')[1].split("</section>")[0]


# -- states that cannot be trusted ----------------------------------------------------------------


def assert_nothing_stored(sim: SimHandle, account: SocialAccount, exchange: str) -> None:
    assert held_tokens(account) == []
    assert sim.requests(exchange) == []
    assert not AuditEntry.objects.filter(action__startswith="platforms.oauth").exists()


def test_an_unknown_state_is_refused_and_nothing_is_stored(sim: SimHandle):
    account, person = weibo_account(), keeper()
    client = browser(person)
    callback = consent(connect_button(client, account))
    response = client.get(with_query(callback, state="forged-state-value"))
    assert response.status_code == 400
    assert "unknown state" in response.content.decode()
    response = client.get(with_query(callback, state=""))
    assert response.status_code == 400
    assert_nothing_stored(sim, account, WEIBO_EXCHANGE)
    # The real state is still good.
    assert client.get(callback).status_code == 302 and held_tokens(account)


def test_an_expired_state_is_refused_and_nothing_is_stored(sim: SimHandle, time_machine):
    account, person = weibo_account(), keeper()
    client = browser(person)
    callback = consent(connect_button(client, account))
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=10, seconds=1))
    response = client.get(callback)
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert_nothing_stored(sim, account, WEIBO_EXCHANGE)


def test_a_state_works_once(sim: SimHandle):
    account, person = douyin_account(), keeper()
    client = browser(person)
    callback = consent(connect_button(client, account))
    assert client.get(callback).status_code == 302
    version = PlatformToken.objects.get(account=account).version

    again = client.get(callback)
    assert again.status_code == 400
    assert "already used" in again.content.decode()
    assert len(sim.requests(DOUYIN_EXCHANGE)) == 1
    assert PlatformToken.objects.get(account=account).version == version


def test_only_the_person_who_started_can_complete(sim: SimHandle):
    account, person = weibo_account(), keeper()
    callback = consent(connect_button(browser(person), account))
    response = browser(keeper()).get(callback)
    assert response.status_code == 400
    assert "another person" in response.content.decode()
    assert_nothing_stored(sim, account, WEIBO_EXCHANGE)
    assert browser(person).get(callback).status_code == 302 and held_tokens(account)


def test_the_callback_needs_a_login_and_keeps_the_query(sim: SimHandle):
    account = weibo_account()
    callback = consent(connect_button(browser(keeper()), account))
    response = Client().get(callback)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert held_tokens(account) == []


# -- who may start --------------------------------------------------------------------------------


def test_starting_needs_credential_management(sim: SimHandle):
    account = weibo_account()
    hq = factories.person(factories.group(), "hq_communications")  # manages, holds no secrets
    with pytest.raises(PermissionDenied):
        oauth.start_authorization(actor=hq, account=account)
    assert browser(hq).post(f"/accounts/{account.pk}/connect/").status_code == 403
    answer = api_client(hq).post(f"/api/v1/accounts/{account.pk}/authorize")
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    assert not OAuthState.objects.exists()
    assert sim.requests() == []


def test_a_missing_app_secret_is_said_before_leaving_for_the_platform(sim: SimHandle):
    account = weibo_account(secret=False)
    client = browser(keeper())
    response = client.post(f"/accounts/{account.pk}/connect/")
    assert response["Location"] == f"/accounts/{account.pk}/#platform-auth"
    (message,) = texts(response)
    assert "App secret is not in the credentials vault" in message
    assert not OAuthState.objects.exists()


def test_wechat_accounts_are_not_connected_this_way(sim: SimHandle):
    account = factories.account(platform="wechat_service", platform_account_id="gh_oauth_test")
    client = api_client(factories.superuser())
    client.cookies["mediadesk_language"] = "en"  # the API answers in the caller's chosen language
    answer = client.post(f"/api/v1/accounts/{account.pk}/authorize")
    assert answer.status_code == 422
    assert "only Weibo and Douyin" in answer.json()["message"]


# -- the platform says no -------------------------------------------------------------------------


def test_a_declined_authorisation_is_shown_and_changes_nothing(sim: SimHandle):
    account, person = weibo_account(), keeper()
    client = browser(person)
    state = query_of(connect_button(client, account))["state"]
    query = urlencode({"error": "access_denied", "error_code": "21330", "state": state})
    response = client.get(f"/oauth/weibo/callback/?{query}")
    assert response["Location"] == f"/accounts/{account.pk}/#platform-auth"
    (message,) = texts(response)
    assert "declined" in message and "nothing was changed" in message
    assert held_tokens(account) == [] and sim.requests(WEIBO_EXCHANGE) == []
    failed = AuditEntry.objects.get(action="platforms.oauth.failed")
    assert failed.after["error"] == "access_denied"
    assert client.get(f"/oauth/weibo/callback/?{query}").status_code == 400  # used


def test_a_failed_exchange_is_shown_and_stores_nothing(sim: SimHandle):
    account, person = weibo_account(), keeper()
    client = browser(person)
    callback = consent(connect_button(client, account))
    response = client.get(with_query(callback, code="not-a-code-weibo-issued"))
    assert response["Location"] == f"/accounts/{account.pk}/#platform-auth"
    (message,) = texts(response)
    assert "did not give the token" in message and "21325" in message
    assert held_tokens(account) == []
    failed = AuditEntry.objects.get(action="platforms.oauth.failed")
    assert failed.after["raw_code"] == 21325
    assert "not-a-code-weibo-issued" not in audit_text()


def test_a_callback_for_the_wrong_platform_is_refused(sim: SimHandle):
    account, person = weibo_account(), keeper()
    client = browser(person)
    callback = consent(connect_button(client, account))
    response = client.get(callback.replace("/oauth/weibo/", "/oauth/douyin/"))
    assert response.status_code == 400
    assert client.get(callback.replace("/oauth/weibo/", "/oauth/kuaishou/")).status_code == 404
    assert held_tokens(account) == []


# -- tokens ---------------------------------------------------------------------------------------


def test_reconnecting_douyin_never_blanks_the_refresh_token(sim: SimHandle):
    account, person = douyin_account(), keeper()
    client = browser(person)
    client.get(consent(connect_button(client, account)))
    (first,) = held_tokens(account)

    state = query_of(oauth.start_authorization(actor=person, account=account))["state"]

    def douyin_without_refresh(request: httpx.Request) -> httpx.Response:
        data = {"access_token": "act.second", "expires_in": 1296000, "open_id": first.subject}
        return httpx.Response(
            200, json={"data": {**data, "error_code": 0, "description": ""}, "message": "success"}
        )

    oauth.complete_authorization(
        actor=person,
        platform="douyin",
        state=state,
        code="code-two",
        transport=httpx.MockTransport(douyin_without_refresh),
    )
    (second,) = held_tokens(account)
    assert second.access_token == "act.second"
    assert second.refresh_token == first.refresh_token
    assert second.refresh_expires_at == first.refresh_expires_at
    row = PlatformToken.objects.get(account=account)
    assert crypto.decrypt(row.refresh_ciphertext) == first.refresh_token


def test_connecting_again_replaces_an_expired_weibo_token(sim: SimHandle, time_machine):
    account, person = weibo_account(), keeper()
    client = browser(person)
    client.get(consent(connect_button(client, account)))
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    state = oauth.user_token_state(account)
    assert state is not None and state["expired"]
    client = browser(person)  # a month later: a new login
    client.get(consent(connect_button(client, account)))
    state = oauth.user_token_state(account)
    assert state is not None and state["held"] and not state["expired"]
    with connector_for(account) as connector:
        assert connector.create_post(PostRequest(text=f"再次连接 {LINK}")).post_id


# -- make run -------------------------------------------------------------------------------------


def test_make_run_authorises_the_demo_weibo_and_douyin_accounts(settings):
    load_demo()
    simulator = Simulator(demo_config(port=0))
    settings.MEDIADESK_SIMULATOR_URL = simulator.start()
    try:
        assert authorise_accounts(simulator, "http://127.0.0.1:8000") == 2
        weibo = SocialAccount.objects.get(name="示例科技", platform="weibo")
        douyin = SocialAccount.objects.get(name="示例科技", platform="douyin")
        with connector_for(weibo) as connector:
            assert connector.create_post(PostRequest(text="示例 https://example.com/a")).post_id
        with connector_for(douyin) as connector:
            found = connector.reconcile(PostRequest(text="没有这个视频"))
            assert found.outcome == ReconcileOutcome.NOT_FOUND
        entries = AuditEntry.objects.filter(action="platforms.oauth.connected")
        assert {e.after["via"] for e in entries} == {"simulator auto-consent at start"}
        tokens = held_tokens(weibo) + held_tokens(douyin)
        assert all(t.access_token not in audit_text() for t in tokens)
    finally:
        simulator.stop()

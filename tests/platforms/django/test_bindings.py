"""Each account is configured with its endpoint and app id; secrets come from the vault only."""

from __future__ import annotations

import pytest
from django.test import Client

from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import PermissionDenied, ValidationFailed
from mediadesk.orgs import services as org_services
from mediadesk.platforms.bindings import ConnectorNotConfigured, configure_binding, connector_for
from mediadesk.platforms.connectors import CredentialsMissing
from mediadesk.platforms.models import PlatformBinding, PlatformToken
from tests import factories

from .conftest import APPID, SECRET, bind, bound_wechat, vault, wechat_account

pytestmark = pytest.mark.django_db


def api_client(person) -> Client:
    _, raw = org_services.create_api_token(actor=person, name="platforms-test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_a_binding_defaults_to_the_real_platform():
    binding = bind(factories.account(platform="douyin"), app_id="awreal0001", base_url="")
    assert binding.base_url == "https://open.douyin.com"


def test_the_connector_authenticates_with_the_secret_from_the_vault(sim):
    account = bound_wechat()
    with connector_for(account) as connector:
        connector.authenticate()
    (entry,) = sim.requests("/cgi-bin/stable_token")
    assert entry["body"]["appid"] == APPID and entry["body"]["secret"] == "***"
    assert entry["response"]["access_token"]


def test_a_missing_app_secret_is_a_clear_error_and_nothing_is_sent(sim):
    account = bound_wechat(secrets=False)
    with pytest.raises(CredentialsMissing, match="App secret is not in the credentials vault"):
        connector_for(account)
    assert sim.requests() == []


def test_an_account_without_a_binding_cannot_connect(sim):
    account = wechat_account()
    vault(account, app_secret=SECRET)
    with pytest.raises(ConnectorNotConfigured, match="no platform connection"):
        connector_for(account)
    assert sim.requests() == []


def test_a_switched_off_binding_sends_nothing(sim):
    account = bound_wechat()
    bind(account, enabled=False)
    with pytest.raises(ConnectorNotConfigured, match="switched off"):
        connector_for(account)
    assert sim.requests() == []


def test_the_simulator_marker_needs_a_running_simulator(settings):
    settings.MEDIADESK_SIMULATOR_URL = ""
    account = bound_wechat()
    with pytest.raises(ConnectorNotConfigured, match="simulator, which is not running"):
        connector_for(account)


def test_weibo_bindings_reach_the_simulator_under_its_weibo_prefix(sim):
    account = factories.account(platform="weibo")
    bind(account, app_id="2345600001", options={"rip": "203.0.113.7"})
    vault(account, access_token="2.00weibo-token-from-the-vault")
    with connector_for(account) as connector:
        assert connector.base_url == f"{sim.base_url}/weibo"


def test_changing_where_secrets_go_needs_credential_management():
    account = factories.account(platform="wechat_service")
    hq = factories.person(factories.group(), "hq_communications")  # manages, holds no secrets
    with pytest.raises(PermissionDenied):
        configure_binding(actor=hq, account=account, app_id=APPID, base_url="https://evil.example")
    assert not PlatformBinding.objects.exists()


def test_unknown_options_are_refused():
    with pytest.raises(ValidationFailed, match="Unknown options"):
        bind(factories.account(platform="weibo"), app_id="k1", options={"safe_domian": ["x"]})


def test_configuring_a_binding_is_audited():
    binding = bind(factories.account(platform="douyin"), app_id="awaudit001", base_url="")
    entry = AuditEntry.objects.get(action="platforms.binding.create")
    assert entry.object_id == str(binding.pk)
    assert entry.after["app_id"] == "awaudit001"


def test_a_new_endpoint_drops_the_tokens_held_for_the_old_one(sim):
    account = bound_wechat()
    with connector_for(account) as connector:
        connector.authenticate()
    bind(account, base_url="https://api.weixin.qq.com")
    assert not PlatformToken.objects.filter(account=account).exists()


def test_the_binding_endpoint_configures_and_never_shows_a_secret(sim):
    account = wechat_account()
    vault(account, app_secret=SECRET)
    keeper = factories.person(account.owning_unit, "account_admin")
    client = api_client(keeper)
    put = client.put(
        f"/api/v1/accounts/{account.pk}/binding",
        {"app_id": APPID, "base_url": "simulator:"},
        content_type="application/json",
    )
    assert put.status_code == 200, put.content
    got = client.get(f"/api/v1/accounts/{account.pk}/binding")
    body = got.json()
    assert body["effective_base_url"] == sim.base_url
    assert body["credentials"] == {"app_secret": True, "callback_token": False, "aes_key": False}
    assert body["callback_url"].endswith(f"/callbacks/wechat/{account.pk}/")
    assert SECRET not in got.content.decode() + put.content.decode()

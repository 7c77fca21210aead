"""An AccountRef for a real SocialAccount reads its secrets from the vault on demand."""

from __future__ import annotations

import pytest

from mediadesk.accounts.credentials import store_credential
from mediadesk.platforms.connectors import CredentialsMissing, ref_for_account
from tests import factories


@pytest.mark.django_db
def test_the_ref_reads_the_app_secret_from_the_vault() -> None:
    account = factories.account(platform="wechat_service", platform_account_id="wx1a2b3c4d5e6f7a")
    store_credential(
        actor=factories.superuser(), account=account, kind="app_secret", value="s3cret-0001"
    )
    ref = ref_for_account(account, base_url="http://127.0.0.1:9")
    assert (ref.platform, ref.app_id, ref.name) == (
        "wechat_service",
        "wx1a2b3c4d5e6f7a",
        account.name,
    )
    assert ref.secret("app_secret") == "s3cret-0001"


@pytest.mark.django_db
def test_a_secret_not_in_the_vault_is_credentials_missing() -> None:
    ref = ref_for_account(factories.account(platform="douyin"))
    with pytest.raises(CredentialsMissing):
        ref.secret("refresh_token")

"""Tokens in the database: shared by every process, encrypted, a refresh token never blanked,
renewals serialised by a lease."""

from __future__ import annotations

import pytest

from mediadesk.platforms.bindings import connector_for
from mediadesk.platforms.connectors.tokens import StoredToken
from mediadesk.platforms.models import PlatformToken
from mediadesk.platforms.token_store import DbTokenStore

from .conftest import bound_wechat, run_concurrently

pytestmark = pytest.mark.django_db
KEY = "douyin|https://open.douyin.com|awk1|42"


def douyin_token(refresh: str = "rft.first-refresh-token") -> StoredToken:
    return StoredToken(
        access_token="act.first-access-token",
        expires_at=2_000_000_000.0,
        refresh_token=refresh,
        refresh_expires_at=2_100_000_000.0,
        renewals=2,
        subject="open-id-1",
    )


def test_a_token_saved_by_one_process_is_read_by_another():
    DbTokenStore().put(KEY, douyin_token())
    assert DbTokenStore().get(KEY) == douyin_token()


def test_an_answer_without_a_refresh_token_keeps_the_stored_one():
    store = DbTokenStore()
    store.put(KEY, douyin_token())
    store.put(KEY, StoredToken(access_token="act.second", expires_at=2_000_100_000.0))
    kept = DbTokenStore().get(KEY)
    assert (kept.access_token, kept.refresh_token) == ("act.second", "rft.first-refresh-token")


def test_tokens_are_encrypted_at_rest():
    DbTokenStore().put(KEY, douyin_token())
    row = PlatformToken.objects.get(key=KEY)
    assert "first-access-token" not in row.access_ciphertext
    assert "first-refresh-token" not in row.refresh_ciphertext


def test_a_vault_rekey_re_encrypts_stored_tokens(tmp_path, monkeypatch):
    from mediadesk.accounts import vault

    monkeypatch.setenv("MEDIADESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(vault.ENV_VAR, raising=False)
    DbTokenStore().put(KEY, douyin_token())
    before = PlatformToken.objects.values_list("access_ciphertext", "refresh_ciphertext").get()

    assert vault.rekey() == 1
    assert len(vault.key_file().read_text().split()) == 1  # the old key is gone
    after = PlatformToken.objects.values_list("access_ciphertext", "refresh_ciphertext").get()
    assert after[0] != before[0] and after[1] != before[1]
    assert DbTokenStore().get(KEY) == douyin_token()


def test_a_renewal_reads_the_token_another_process_wrote_not_this_process_copy():
    from mediadesk.accounts import vault

    store = DbTokenStore()
    store.put(KEY, douyin_token())
    assert store.get(KEY).access_token == "act.first-access-token"  # now held in this process
    # another process renews it: only the database row changes
    PlatformToken.objects.filter(key=KEY).update(access_ciphertext=vault.encrypt("act.renewed"))

    with store.lock(KEY):
        assert store.get(KEY).access_token == "act.renewed"
    assert store.get(KEY).access_token == "act.renewed"  # and the copy follows


def test_a_discarded_token_is_not_served_from_this_process_copy():
    store = DbTokenStore()
    store.put(KEY, douyin_token())
    assert store.get(KEY) is not None

    store.discard(KEY)

    assert store.get(KEY) is None


def test_a_held_lease_keeps_a_second_worker_out():
    first, second = DbTokenStore(), DbTokenStore()
    assert first.try_acquire(KEY, "worker-1")
    assert not second.try_acquire(KEY, "worker-2")


def test_a_released_lease_can_be_taken_again():
    first, second = DbTokenStore(), DbTokenStore()
    first.try_acquire(KEY, "worker-1")
    first.release(KEY, "worker-1")
    assert second.try_acquire(KEY, "worker-2")


def test_an_expired_lease_is_taken_over(time_machine):
    time_machine.move_to("2026-05-01T08:00:00+08:00", tick=False)
    DbTokenStore().try_acquire(KEY, "worker-that-died")
    time_machine.shift(600)
    assert DbTokenStore().try_acquire(KEY, "worker-2")


def test_connectors_of_one_account_share_its_token(sim):
    account = bound_wechat()
    for _ in range(2):  # two processes, each building its own connector
        with connector_for(account) as connector:
            connector.authenticate()
    assert len(sim.requests("/cgi-bin/stable_token")) == 1


def test_the_simulator_token_is_kept_under_the_marker_not_the_port(sim):
    account = bound_wechat()
    with connector_for(account) as connector:
        connector.authenticate()
    row = PlatformToken.objects.get(account=account)
    assert row.key.startswith("wechat|simulator:|") and sim.base_url not in row.key


@pytest.mark.django_db(transaction=True)
def test_two_workers_needing_a_token_at_once_fetch_it_once(sim):
    account = bound_wechat()

    def work() -> None:
        with connector_for(account) as connector:
            connector.authenticate()

    run_concurrently(work, work)
    assert len(sim.requests("/cgi-bin/stable_token")) == 1

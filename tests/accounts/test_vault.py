import pytest

from mediadesk.accounts import credentials, vault
from mediadesk.accounts.models import Credential, RotationTask
from mediadesk.audit.models import AuditEntry
from mediadesk.core.errors import PermissionDenied
from tests import factories as f

pytestmark = pytest.mark.django_db
SECRET = "wx-app-secret-7f3a9c"


@pytest.fixture
def keeper_and_account():
    account = f.account()
    keeper = f.person(account.owning_unit, "account_admin")
    return keeper, account


def test_secrets_are_encrypted_at_rest(keeper_and_account):
    keeper, account = keeper_and_account
    stored = credentials.store_credential(
        actor=keeper, account=account, kind="app_secret", value=SECRET
    )
    raw = Credential.objects.values_list("ciphertext", flat=True).get(pk=stored.pk)
    assert SECRET not in raw and vault.decrypt(raw) == SECRET


def test_revealing_needs_the_permission(keeper_and_account):
    keeper, account = keeper_and_account
    stored = credentials.store_credential(
        actor=keeper, account=account, kind="app_secret", value=SECRET
    )
    editor = f.person(account.owning_unit, "operator")
    with pytest.raises(PermissionDenied):
        credentials.reveal_credential(actor=editor, credential=stored)


def test_a_reveal_is_audited_without_the_value(keeper_and_account):
    keeper, account = keeper_and_account
    stored = credentials.store_credential(
        actor=keeper, account=account, kind="app_secret", value=SECRET
    )
    assert credentials.reveal_credential(actor=keeper, credential=stored, purpose="配置") == SECRET
    entry = AuditEntry.objects.get(action="accounts.credential.reveal")
    assert entry.actor_id == keeper.pk
    assert SECRET not in str(list(AuditEntry.objects.values()))


def test_rotation_keeps_a_history_of_who_and_when(keeper_and_account):
    keeper, account = keeper_and_account
    stored = credentials.store_credential(
        actor=keeper, account=account, kind="password", value=SECRET
    )
    credentials.rotate_credential(
        actor=keeper, credential=stored, value="new-Secret-1", reason="定期更换"
    )
    stored.refresh_from_db()
    assert stored.version == 2
    assert [(r.version, r.rotated_by_id) for r in stored.rotations.all()] == [(2, keeper.pk)]
    assert credentials.reveal_credential(actor=keeper, credential=stored) == "new-Secret-1"


def test_rekeying_reencrypts_everything_and_retires_the_old_key(
    keeper_and_account, tmp_path, monkeypatch
):
    monkeypatch.setenv("MEDIADESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(vault.ENV_VAR, raising=False)
    keeper, account = keeper_and_account
    stored = credentials.store_credential(
        actor=keeper, account=account, kind="app_secret", value=SECRET
    )
    old_key = vault.key_file().read_text()
    assert vault.rekey() == 1
    assert vault.key_file().read_text() != old_key
    assert len(vault.key_file().read_text().split()) == 1
    stored.refresh_from_db()
    assert vault.decrypt(stored.ciphertext) == SECRET


def test_someone_leaving_gets_rotation_tasks_for_what_they_could_reveal(keeper_and_account):
    keeper, account = keeper_and_account
    f.superuser()
    credentials.store_credential(actor=keeper, account=account, kind="app_secret", value=SECRET)
    credentials.store_credential(
        actor=f.superuser(), account=f.account(), kind="password", value="other"
    )
    tasks = credentials.offboard_person(actor=f.superuser(), person=keeper)
    assert [t.credential.account_id for t in tasks] == [account.pk]
    keeper.refresh_from_db()
    assert not keeper.is_active and not keeper.role_assignments.active().exists()
    assert RotationTask.objects.filter(done_at__isnull=True).count() == 1


def test_the_rekey_command_reports_what_it_did(keeper_and_account, tmp_path, monkeypatch, capsys):
    from django.core.management import call_command

    monkeypatch.setenv("MEDIADESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(vault.ENV_VAR, raising=False)
    keeper, account = keeper_and_account
    credentials.store_credential(actor=keeper, account=account, kind="app_secret", value=SECRET)
    call_command("vault", "rekey")
    assert "re-encrypted 1 credential" in capsys.readouterr().out

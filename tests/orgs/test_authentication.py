import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from mediadesk.audit.models import AuditEntry
from mediadesk.orgs import services
from mediadesk.orgs.models import ApiToken
from tests import factories as f

pytestmark = pytest.mark.django_db


def _fail(client, username, times):
    for _ in range(times):
        client.post("/login/", {"username": username, "password": "wrong-password"})


def test_repeated_failed_logins_lock_the_person_out():
    who = f.person(username="wang")
    client = Client()
    _fail(client, "wang", settings.MEDIADESK_LOCKOUT_THRESHOLD)
    assert not client.login(username="wang", password=f.PASSWORD)  # right password, still locked
    who.refresh_from_db()
    assert who.locked_until > timezone.now()
    assert AuditEntry.objects.filter(action="auth.locked", object_id=str(who.pk)).exists()


def test_the_lock_expires_after_the_configured_minutes():
    f.person(username="li")
    _fail(Client(), "li", settings.MEDIADESK_LOCKOUT_THRESHOLD)
    later = timezone.now() + dt.timedelta(minutes=settings.MEDIADESK_LOCKOUT_MINUTES + 1)
    with time_machine.travel(later):
        assert Client().login(username="li", password=f.PASSWORD)


def test_an_administrator_can_unlock_a_person_at_once():
    who = f.person(username="zhao")
    _fail(Client(), "zhao", settings.MEDIADESK_LOCKOUT_THRESHOLD)
    services.unlock_person(actor=f.superuser(), person=who)
    assert Client().login(username="zhao", password=f.PASSWORD)


def test_failed_logins_for_unknown_names_are_audited_without_an_actor():
    Client().post("/login/", {"username": "ghost", "password": "x"})
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor_id is None
    assert entry.object_repr == "ghost"


def test_sessions_expire_after_the_idle_timeout():
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the expiry forward
    who = f.person()
    client = Client()
    client.force_login(who)
    assert client.get("/").status_code == 200
    with time_machine.travel(
        timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    ):
        assert client.get("/").status_code == 302


def test_api_tokens_are_stored_only_as_a_hash():
    who = f.person()
    token, raw = services.create_api_token(actor=who, name="报表脚本")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.prefix)
    assert stored.token_hash == services.hash_token(raw)
    assert services.authenticate_token(raw) == who


def test_a_revoked_token_no_longer_authenticates():
    who = f.person()
    token, raw = services.create_api_token(actor=who, name="旧脚本")
    services.revoke_api_token(actor=who, token=token)
    assert services.authenticate_token(raw) is None


def test_an_expired_token_no_longer_authenticates():
    who = f.person()
    _, raw = services.create_api_token(
        actor=who, name="短期", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert services.authenticate_token(raw) is None


def test_nobody_can_revoke_someone_elses_token_without_permission():
    from mediadesk.core.errors import PermissionDenied

    owner, stranger = f.person(f.unit()), f.person(f.unit())
    token, _ = services.create_api_token(actor=owner, name="我的")
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(actor=stranger, token=token)

"""The credentials vault as people use it (ACC-6): store, reveal (audited), rotate, offboard.

Values are encrypted by :mod:`mediadesk.accounts.vault` and leave this module only through
:func:`reveal_credential` (a person, audited) and :func:`credential_value` (a connector acting
for the system). Audit entries never contain a value.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts import vault
from mediadesk.accounts.models import (
    Credential,
    CredentialKind,
    CredentialRotation,
    RotationTask,
    SocialAccount,
)
from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs import services as org_services
from mediadesk.orgs.models import User
from mediadesk.orgs.permissions import Action, can, require

MAX_SECRET_LENGTH = 4096


def _clean_secret(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(_("The secret is empty."), fields={"value": _("required")})
    if len(value) > MAX_SECRET_LENGTH:
        raise ValidationFailed(_("The secret is too long."), fields={"value": _("too long")})
    return value.strip()


@transaction.atomic
def store_credential(
    *, actor: Any, account: SocialAccount, kind: str, value: str, label: str = ""
) -> Credential:
    require(actor, Action.CREDENTIAL_MANAGE, account)
    if kind not in CredentialKind.values:
        raise ValidationFailed(_("Unknown credential kind."), fields={"kind": _("unknown")})
    try:
        with transaction.atomic():
            credential = Credential.objects.create(
                account=account,
                kind=kind,
                label=(label or "").strip()[:100],
                ciphertext=vault.encrypt(_clean_secret(value)),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("This account already has that credential; rotate it instead.")) from exc
    record_event(
        action="accounts.credential.store",
        actor=actor,
        obj=credential,
        after={"account_id": account.pk, "kind": kind, "label": credential.label},
    )
    return credential


@transaction.atomic
def reveal_credential(*, actor: Any, credential: Credential, purpose: str = "") -> str:
    """Show a secret to a permitted person; the reveal (never the value) is audited."""
    require(actor, Action.CREDENTIAL_REVEAL, credential)
    value = vault.decrypt(credential.ciphertext)
    record_event(
        action="accounts.credential.reveal",
        actor=actor,
        obj=credential,
        after={
            "account_id": credential.account_id,
            "kind": credential.kind,
            "purpose": (purpose or "")[:200],
        },
    )
    return value


def credential_value(account: SocialAccount, kind: str, label: str = "") -> str | None:
    """The decrypted value for a connector acting for the system, or None when not stored."""
    credential = Credential.objects.filter(account=account, kind=kind, label=label).first()
    return vault.decrypt(credential.ciphertext) if credential else None


@transaction.atomic
def rotate_credential(
    *, actor: Any, credential: Credential, value: str, reason: str = ""
) -> Credential:
    """Replace a secret; the history keeps when and by whom, never the old value."""
    credential = (
        Credential.objects.select_for_update(of=("self",))
        .select_related("account__owning_unit")
        .get(pk=credential.pk)
    )
    require(actor, Action.CREDENTIAL_MANAGE, credential)
    credential.ciphertext = vault.encrypt(_clean_secret(value))
    credential.version += 1
    credential.rotated_at, credential.rotated_by = timezone.now(), actor
    credential.save()
    CredentialRotation.objects.create(
        credential=credential,
        version=credential.version,
        rotated_by=actor,
        reason=(reason or "")[:200],
    )
    credential.rotation_tasks.filter(done_at__isnull=True).update(done_at=timezone.now())
    record_event(
        action="accounts.credential.rotate",
        actor=actor,
        obj=credential,
        after={"version": credential.version, "reason": reason},
    )
    return credential


@transaction.atomic
def offboard_person(*, actor: Any, person: User) -> list[RotationTask]:
    """Someone leaves: revoke everything, and open a rotation task for every credential they
    could have revealed, telling the account administrators."""
    revealable = [
        c
        for c in Credential.objects.select_related("account__owning_unit")
        if can(person, Action.CREDENTIAL_REVEAL, c)
    ]
    org_services.deactivate_person(actor=actor, person=person)
    tasks = [
        RotationTask.objects.create(
            credential=c,
            departed=person,
            reason=_("%(p)s could reveal %(c)s of %(a)s and has left")
            % {"p": person, "c": c, "a": c.account.name},
        )
        for c in revealable
    ]
    for task in tasks:
        record_event(
            action="accounts.rotation_task.open",
            actor=actor,
            obj=task,
            after={"credential_id": task.credential_id, "departed_id": person.pk},
        )
        keepers = [
            u
            for u in User.objects.filter(is_active=True).exclude(pk=person.pk)
            if can(u, Action.CREDENTIAL_MANAGE, task.credential)
        ]
        notify(
            keepers,
            kind="credential.rotate",
            title=str(task.reason),
            link=f"/accounts/{task.credential.account_id}/",
            dedupe_key=f"rotation-task-{task.pk}",
        )
    return tasks


def revealable_credentials(person: User) -> list[Credential]:
    """The credentials ``person`` could reveal now: what off-boarding would open tasks for."""
    return [
        c
        for c in Credential.objects.select_related("account__owning_unit").defer("ciphertext")
        if can(person, Action.CREDENTIAL_REVEAL, c)
    ]

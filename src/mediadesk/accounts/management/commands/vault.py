"""``mediadesk vault rekey [--new-key KEY]``: re-encrypt every credential under a new key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mediadesk.accounts import vault
from mediadesk.audit.services import record_event
from mediadesk.core.context import acting


class Command(BaseCommand):
    help = "Manage the credentials vault key."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        rekey = sub.add_parser("rekey", help="re-encrypt every credential under a new key")
        rekey.add_argument(
            "--new-key",
            help="a Fernet key to use (required when keys come from MEDIADESK_VAULT_KEYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import os

        new_key = options.get("new_key")
        if os.environ.get(vault.ENV_VAR, "").strip() and not new_key:
            raise CommandError(
                f"keys come from {vault.ENV_VAR}: pass --new-key, then put it first in the variable"
            )
        try:
            with acting(source="cli"):
                count = vault.rekey(new_key.encode() if new_key else None)
                record_event(
                    action="accounts.vault.rekey",
                    object_type="accounts.credential",
                    after={"credentials": count},
                )
        except (vault.VaultError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        where = vault.ENV_VAR if os.environ.get(vault.ENV_VAR) else str(vault.key_file())
        self.stdout.write(f"re-encrypted {count} credential(s); the key now in use is in {where}")

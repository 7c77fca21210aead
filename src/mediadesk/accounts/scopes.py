"""Where accounts and their records sit, for permissions and audit scoping."""

from mediadesk.accounts.models import (
    AccountApplication,
    Credential,
    Filing,
    RotationTask,
    SocialAccount,
    UnitProfile,
)
from mediadesk.core.scopes import Scope, register


def _account_scope(account: SocialAccount) -> Scope:
    return Scope(unit_path=account.owning_unit.path, account_id=account.pk)


register(SocialAccount, _account_scope)
register(AccountApplication, lambda a: _account_scope(a.account))
register(Filing, lambda f: _account_scope(f.account))
register(Credential, lambda c: _account_scope(c.account))
register(RotationTask, lambda t: _account_scope(t.credential.account))
register(UnitProfile, lambda p: Scope(unit_path=p.unit.path))

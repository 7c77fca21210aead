"""Where the platform records sit, for permissions and audit scoping: with their account."""

from mediadesk.core.scopes import Scope, register
from mediadesk.platforms.models import (
    MenuChangeRequest,
    OAuthState,
    PlatformBinding,
    PlatformEvent,
    PlatformToken,
)


def _account_scope(account: object) -> Scope:
    if account is None:
        return Scope()
    return Scope(unit_path=account.owning_unit.path, account_id=account.pk)  # type: ignore[attr-defined]


register(PlatformBinding, lambda b: _account_scope(b.account))
register(PlatformEvent, lambda e: _account_scope(e.account))
register(MenuChangeRequest, lambda r: _account_scope(r.account))
register(PlatformToken, lambda t: _account_scope(t.account))
register(OAuthState, lambda s: _account_scope(s.account))

"""Where publications, their attempts and withdrawals sit: with their account."""

from mediadesk.core.scopes import Scope, register
from mediadesk.publishing.models import Publication, PublishAttempt, WithdrawalRequest


def _account_scope(account: object) -> Scope:
    return Scope(unit_path=account.owning_unit.path, account_id=account.pk)  # type: ignore[attr-defined]


register(Publication, lambda p: _account_scope(p.account))
register(PublishAttempt, lambda a: _account_scope(a.publication.account))
register(WithdrawalRequest, lambda w: _account_scope(w.publication.account))

"""Where org objects sit, for the permission service and audit scoping."""

from mediadesk.core.scopes import Scope, register
from mediadesk.orgs.models import OrgUnit, RoleAssignment, User

register(OrgUnit, lambda unit: Scope(unit_path=unit.path))
register(User, lambda user: Scope(unit_path=user.org_unit.path if user.org_unit_id else ""))


def _grant_scope(grant: RoleAssignment) -> Scope:
    if grant.account_id:
        return Scope(unit_path=grant.account.owning_unit.path, account_id=grant.account_id)
    return Scope(unit_path=grant.org_unit.path)


register(RoleAssignment, _grant_scope)

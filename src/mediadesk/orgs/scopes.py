"""Where org objects sit, for the permission service and audit scoping."""

from mediadesk.core.scopes import Scope, register
from mediadesk.orgs.models import OrgUnit, RoleAssignment, User

register(OrgUnit, lambda unit: Scope(unit_path=unit.path))
register(User, lambda user: Scope(unit_path=user.org_unit.path if user.org_unit_id else ""))
register(RoleAssignment, lambda grant: Scope(unit_path=grant.org_unit.path))

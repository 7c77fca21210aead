"""Reading the organisation, limited to what the reader may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mediadesk.orgs.models import ApiToken, OrgUnit, RoleAssignment, User
from mediadesk.orgs.permissions import ALL_UNITS, Action, require, unit_paths_for


def _scoped(qs: QuerySet, user: Any, action: Action, field: str) -> QuerySet:
    paths = unit_paths_for(user, action)
    if paths is ALL_UNITS:
        return qs
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return qs.filter(condition)


def unit_tree(*, user: Any) -> list[OrgUnit]:
    """Units the user may see, in tree order (parents before children, siblings by name)."""
    require(user, Action.ORG_VIEW)
    units = list(_scoped(OrgUnit.objects.all(), user, Action.ORG_VIEW, "path"))
    by_parent: dict[int | None, list[OrgUnit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent, []).append(unit)
    ordered: list[OrgUnit] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(by_parent.get(parent, []), key=lambda u: (u.kind != "group", u.name)):
            unit.tree_depth = depth
            ordered.append(unit)
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def get_unit(*, user: Any, unit_id: int) -> OrgUnit:
    from mediadesk.core.errors import NotFound

    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist")
    require(user, Action.ORG_VIEW, unit)
    return unit


def list_units(
    *, user: Any, kind: str | None = None, parent: int | None = None, q: str | None = None
) -> QuerySet[OrgUnit]:
    require(user, Action.ORG_VIEW)
    qs = _scoped(OrgUnit.objects.all(), user, Action.ORG_VIEW, "path")
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("path")


def list_people(
    *,
    user: Any,
    q: str | None = None,
    unit: int | None = None,
    role: str | None = None,
    active: bool | None = None,
    include_subunits: bool = True,
) -> QuerySet[User]:
    require(user, Action.PERSON_VIEW)
    qs = _scoped(
        User.objects.select_related("org_unit"), user, Action.PERSON_VIEW, "org_unit__path"
    )
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q)
        )
    if unit is not None:
        target = OrgUnit.objects.filter(pk=unit).first()
        if target is None:
            return qs.none()
        qs = (
            qs.filter(org_unit__path__startswith=target.path)
            if include_subunits
            else qs.filter(org_unit=target)
        )
    if role:
        qs = qs.filter(
            role_assignments__role=role, role_assignments__revoked_at__isnull=True
        ).distinct()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("username")


def get_person(*, user: Any, person_id: int) -> User:
    from mediadesk.core.errors import NotFound

    person = User.objects.select_related("org_unit").filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    if person.pk != getattr(user, "pk", None):
        require(user, Action.PERSON_VIEW, person)
    return person


def list_assignments(
    *,
    user: Any,
    person: int | None = None,
    unit: int | None = None,
    role: str | None = None,
    active: bool | None = True,
) -> QuerySet[RoleAssignment]:
    require(user, Action.PERSON_VIEW)
    qs = RoleAssignment.objects.select_related("user", "org_unit", "account", "granted_by")
    paths = unit_paths_for(user, Action.PERSON_VIEW)
    if paths is not ALL_UNITS:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(org_unit__path__startswith=path)
            condition |= Q(account__owning_unit__path__startswith=path)
        qs = qs.filter(condition)
    if person is not None:
        qs = qs.filter(user_id=person)
    if unit is not None:
        qs = qs.filter(org_unit_id=unit)
    if role:
        qs = qs.filter(role=role)
    if active is True:
        qs = qs.filter(revoked_at__isnull=True)
    elif active is False:
        qs = qs.filter(revoked_at__isnull=False)
    return qs.order_by("user__username", "role")


def roles_of(person: User) -> QuerySet[RoleAssignment]:
    """A person's own active grants (anyone may see their own)."""
    return person.role_assignments.active().select_related("org_unit", "account").order_by("role")


def list_api_tokens(*, user: Any, include_revoked: bool = False) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.filter(user_id=user.pk)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("-created_at")

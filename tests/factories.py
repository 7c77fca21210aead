"""Test factories. Units and people are built through the services so paths and audit are real."""

from __future__ import annotations

import itertools

from mediadesk.orgs import services
from mediadesk.orgs.models import OrgUnit, Role, UnitKind, User

PASSWORD = "Test#Pass2026"
_seq = itertools.count(1)


def superuser(username: str = "root") -> User:
    existing = User.objects.filter(username=username).first()
    return existing or User.objects.create_superuser(username, password=PASSWORD)


def group(name: str = "示例集团") -> OrgUnit:
    existing = OrgUnit.objects.filter(kind=UnitKind.GROUP).first()
    return existing or services.create_unit(actor=superuser(), name=name, kind=UnitKind.GROUP)


def unit(
    parent: OrgUnit | None = None, kind: str = UnitKind.BUSINESS_UNIT, name: str = ""
) -> OrgUnit:
    parent = parent or group()
    if kind == UnitKind.BUSINESS_UNIT and parent.kind != UnitKind.GROUP:
        kind = UnitKind.DEPARTMENT
    return services.create_unit(
        actor=superuser(), name=name or f"单位{next(_seq)}", kind=kind, parent=parent
    )


def person(
    org_unit: OrgUnit | None = None,
    *roles: str | tuple[str, OrgUnit],
    username: str = "",
    password: str = PASSWORD,
) -> User:
    """A person in ``org_unit``; each role is granted on their unit, or ``(role, unit)``."""
    org_unit = org_unit or group()
    who = services.create_person(
        actor=superuser(),
        username=username or f"user{next(_seq)}",
        display_name=username or "测试用户",
        org_unit=org_unit,
        password=password,
    )
    for role in roles:
        role_name, scope = role if isinstance(role, tuple) else (role, org_unit)
        services.grant_role(actor=superuser(), person=who, role=Role(role_name), org_unit=scope)
    return who

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


def account(owning_unit: OrgUnit | None = None, **fields):
    """A registered, active account (through the service, so it is audited and filed)."""
    from mediadesk.accounts import services as account_services

    defaults = {
        "platform": "weibo",
        "name": f"账号{next(_seq)}",
        "matrix_role": "brand",
    }
    defaults.update(fields)
    return account_services.register_account(
        actor=superuser(), owning_unit=owning_unit or unit(), **defaults
    )


APPLICATION_ANSWERS = {
    "necessity": "品牌传播需要独立阵地",
    "feasibility": "已有三名专职编辑",
    "type_reason": "订阅号每天可群发一次",
    "positioning": "产品资讯与用户服务",
    "publishing_frequency": "每周三篇",
    "layout": "头条+次条",
    "operating_team": "张编辑、赵策划",
    "review_flow": "三级审核",
    "technical_support": "集团技术部",
}

"""The demo group 示例集团: two business units, departments and one person per role."""

from __future__ import annotations

from django.db import transaction

from mediadesk.core.context import acting
from mediadesk.orgs import services
from mediadesk.orgs.models import OrgUnit, Role, UnitKind, User

# Fixed and documented in the README; printed by `make run`. Change them on a real install.
DEMO_PASSWORD = "Demo#2026md"

GROUP = "示例集团"
UNITS = {
    "示例科技": ["品牌部", "产品运营部", "客户服务部"],
    "示例地产": ["市场部", "法务部"],
}

# username, display name, role, unit the role is granted on (None = the group), home unit
DEMO_USERS: list[tuple[str, str, str | None, str | None, str]] = [
    ("admin", "系统管理员", None, None, GROUP),
    ("gm", "王总经理", Role.GENERAL_MANAGER, None, GROUP),
    ("hq", "李企宣", Role.HQ_COMMUNICATIONS, None, GROUP),
    ("editor", "张编辑", Role.OPERATOR, "示例科技", "品牌部"),
    ("review1", "赵策划", Role.REVIEWER_L1, "示例科技", "品牌部"),
    ("review2", "钱经理", Role.REVIEWER_L2, "示例科技", "品牌部"),
    ("legal", "孙法务", Role.REVIEWER_L3, None, "法务部"),
    ("service", "周客服", Role.CUSTOMER_SERVICE, "示例科技", "客户服务部"),
    ("analyst", "吴分析", Role.DATA_ANALYST, None, GROUP),
    ("tech", "郑技术", Role.TECHNICAL_SUPPORT, None, GROUP),
    ("keeper", "冯账号管理员", Role.ACCOUNT_ADMIN, "示例科技", "产品运营部"),
]


@transaction.atomic
def seed_orgs() -> None:
    with acting(source="demo"):
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser(
                "admin", password=DEMO_PASSWORD, display_name="系统管理员"
            )
        group = OrgUnit.objects.filter(kind=UnitKind.GROUP).first()
        if group is None:
            group = services.create_unit(actor=admin, name=GROUP, kind=UnitKind.GROUP)
        units = {group.name: group}
        for bu_name, departments in UNITS.items():
            bu = OrgUnit.objects.filter(parent=group, name=bu_name).first() or services.create_unit(
                actor=admin, name=bu_name, kind=UnitKind.BUSINESS_UNIT, parent=group
            )
            units[bu_name] = bu
            for dept in departments:
                units[dept] = OrgUnit.objects.filter(
                    parent=bu, name=dept
                ).first() or services.create_unit(
                    actor=admin, name=dept, kind=UnitKind.DEPARTMENT, parent=bu
                )
        if admin.org_unit_id is None:
            services.update_person(actor=admin, person=admin, org_unit=group)
        for username, display, role, scope, home in DEMO_USERS:
            if username == "admin":
                continue
            person = User.objects.filter(username=username).first()
            if person is None:
                person = services.create_person(
                    actor=admin,
                    username=username,
                    display_name=display,
                    org_unit=units[home],
                    password=DEMO_PASSWORD,
                    email=f"{username}@example.com",
                )
            scope_unit = units[scope] if scope else group
            if (
                role
                and not person.role_assignments.active()
                .filter(role=role, org_unit=scope_unit)
                .exists()
            ):
                services.grant_role(actor=admin, person=person, role=role, org_unit=scope_unit)

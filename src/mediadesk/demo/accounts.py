"""Demo account matrix: 15 accounts across platforms, with deviations, a lapsing verification,
an overdue filing and applications in progress, so every page has something true to show."""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone

from mediadesk.accounts import credentials, services, standards
from mediadesk.accounts.models import Filing, FilingKind, FilingStatus, SocialAccount
from mediadesk.accounts.spreadsheets import CHINESE
from mediadesk.audit.services import record_event
from mediadesk.core import workdays
from mediadesk.core.context import acting
from mediadesk.orgs.models import OrgUnit, UnitKind, User

GOOD_MENU = {
    "button": [
        {
            "name": "走进示例",
            "sub_button": [
                {"type": "article_id", "name": "示例控股", "article_id": "DEMO_ARTICLE_1"},
                {"type": "view", "name": "示例官网", "url": "https://www.example.com"},
            ],
        },
        {"name": "服务中心", "type": "click", "key": "SERVICE"},
    ]
}
OFF_MENU = {"button": [{"name": "最新活动", "type": "view", "url": "https://www.example.com/news"}]}


def _logo(variant: int) -> bytes:
    """A simple generated emblem (no third-party artwork)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(img)
    if variant == 0:
        draw.ellipse((20, 20, 220, 220), fill=(196, 30, 58))
        draw.rectangle((105, 40, 135, 200), fill="white")
    elif variant == 1:
        draw.rounded_rectangle((20, 20, 220, 220), radius=40, fill=(20, 90, 160))
        draw.ellipse((80, 80, 160, 160), fill="white")
    else:
        draw.polygon([(120, 10), (230, 230), (10, 230)], fill=(40, 140, 80))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


# name, platform, unit, matrix role, extra fields
ACCOUNTS = [
    (
        "示例集团",
        "wechat_service",
        "示例集团",
        "group_official",
        {
            "platform_account_id": "gh_demo_group",
            "menu": GOOD_MENU,
            "logo": 0,
            "followers": 268000,
            "verified_days": 200,
        },
    ),
    (
        "示例集团",
        "weibo",
        "示例集团",
        "group_official",
        {"platform_account_id": "5800000001", "logo": 0, "followers": 412000},
    ),
    ("示例集团", "wechat_channels", "示例集团", "group_official", {"logo": 0, "followers": 56000}),
    (
        "示例科技",
        "wechat_service",
        "示例科技",
        "brand",
        {
            "platform_account_id": "gh_demo_tech",
            "menu": GOOD_MENU,
            "logo": 0,
            "followers": 83000,
            "verified_days": 12,
        },
    ),
    (
        "示例科技",
        "weibo",
        "示例科技",
        "brand",
        {"platform_account_id": "5800000002", "logo": 0, "followers": 120500},
    ),
    (
        "示例科技",
        "douyin",
        "示例科技",
        "product",
        {"platform_account_id": "dy_demo_tech", "logo": 0, "followers": 301000},
    ),
    (
        "科技小助手",
        "wechat_subscription",
        "示例科技",
        "customer_service",
        {
            "platform_account_id": "gh_demo_helper",
            "menu": OFF_MENU,
            "logo": 0,
            "followers": 9200,
            "verified_days": 150,
        },
    ),
    (
        "示例科技招聘",
        "wechat_subscription",
        "示例科技",
        "recruitment",
        {
            "platform_account_id": "gh_demo_jobs",
            "menu": GOOD_MENU,
            "logo": 0,
            "followers": 15800,
            "exception": "招聘号按集团人力资源部要求加“招聘”后缀",
            "verified_days": 300,
        },
    ),
    (
        "示例科技",
        "xiaohongshu",
        "示例科技",
        "product",
        {"logo": 0, "bio": "好物分享，欢迎关注", "followers": 40200},
    ),
    (
        "示例科技",
        "bilibili",
        "示例科技",
        "corporate_university",
        {"logo": 0, "followers": 7100, "status": "stopped_updating"},
    ),
    (
        "示例地产",
        "wechat_service",
        "示例地产",
        "brand",
        {
            "platform_account_id": "gh_demo_estate",
            "menu": GOOD_MENU,
            "logo": 2,
            "followers": 64000,
            "verified_days": -3,
        },
    ),
    (
        "示例地产",
        "weibo",
        "示例地产",
        "brand",
        {"platform_account_id": "5800000003", "logo": 1, "followers": 38000, "status": "suspended"},
    ),
    (
        "示例地产",
        "douyin",
        "示例地产",
        "campaign",
        {"platform_account_id": "dy_demo_estate", "logo": 1, "followers": 91000},
    ),
    ("示例地产", "kuaishou", "示例地产", "campaign", {"logo": 1, "followers": 22000}),
]


@transaction.atomic
def seed_accounts() -> None:
    if SocialAccount.objects.exists():
        return
    with acting(source="demo"):
        admin = User.objects.get(username="admin")
        units = {u.name: u for u in OrgUnit.objects.exclude(kind=UnitKind.DEPARTMENT)}
        group = units["示例集团"]
        standards.save_profile(
            actor=admin,
            unit=group,
            brand_name="示例",
            unit_name="集团",
            standard_bio="示例集团官方账号，发布集团权威信息。",
            logo=_logo(0),
        )
        standards.save_profile(
            actor=admin,
            unit=units["示例科技"],
            unit_name="科技",
            standard_bio="示例科技官方账号，分享科技产品与服务资讯。",
        )
        standards.save_profile(
            actor=admin,
            unit=units["示例地产"],
            unit_name="地产",
            standard_bio="示例地产官方账号，发布项目动态与服务信息。",
            logo=_logo(1),
        )
        standards.save_company_names(
            actor=admin,
            full_names=["示例集团", "示例集团有限公司"],
            short_names=["示例"],
            english_names=["SLJT"],
        )
        today = timezone.localdate()
        bios = {
            "示例集团": "示例集团官方账号，发布集团权威信息。",
            "示例科技": "示例科技官方账号，分享科技产品与服务资讯。",
            "示例地产": "示例地产官方账号，发布项目动态与服务信息。",
        }
        created = {}
        for name, platform, unit_name, role, extra in ACCOUNTS:
            fields = {
                "platform_account_id": extra.get("platform_account_id", ""),
                "bio": extra.get("bio", bios[unit_name]),
                "follower_count": extra.get("followers", 0),
                "target_posts_per_week": 3 if platform.startswith("wechat") else 7,
            }
            if "verified_days" in extra:
                fields["verification_status"] = (
                    "verified" if extra["verified_days"] >= 0 else "expired"
                )
                fields["verification_expires_on"] = today + dt.timedelta(
                    days=extra["verified_days"]
                )
            if "menu" in extra:
                fields["wechat_menu"] = extra["menu"]
            account = services.register_account(
                actor=admin,
                platform=platform,
                name=name,
                owning_unit=units[unit_name],
                matrix_role=role,
                function_positioning=f"{unit_name}{CHINESE['matrix_role'][role]}阵地",
                **fields,
            )
            account = services.update_account(
                actor=admin, account=account, avatar=_logo(extra["logo"])
            )
            if extra.get("exception"):
                services.set_name_exception(actor=admin, account=account, reason=extra["exception"])
            if extra.get("status") in {"stopped_updating", "suspended"}:
                services.file_status_change(
                    actor=admin,
                    account=account,
                    kind="stop_updating" if extra["status"] == "stopped_updating" else "suspension",
                    reason="课程改版，暂停更新"
                    if extra["status"] == "stopped_updating"
                    else "被用户投诉，平台临时封禁",
                    details={"cause": "complaint"} if extra["status"] == "suspended" else None,
                )
            created[(name, platform)] = account
        for source, target in [
            (("示例集团", "wechat_service"), ("示例科技", "wechat_service")),
            (("示例集团", "weibo"), ("示例科技", "weibo")),
            (("示例集团", "weibo"), ("示例地产", "weibo")),
        ]:
            services.link_accounts(
                actor=admin, source=created[source], target=created[target], note="矩阵联动"
            )
        tech = created[("示例科技", "wechat_service")]
        credentials.store_credential(
            actor=admin, account=tech, kind="app_secret", value="demo-tech-app-secret-0001"
        )
        credentials.store_credential(
            actor=admin,
            account=created[("示例科技", "weibo")],
            kind="password",
            value="Demo-weibo-password-01",
        )
        # an operator change filed too late: it happened three weeks ago
        occurred = today - dt.timedelta(days=21)
        late = Filing.objects.create(
            account=created[("示例地产", "douyin")],
            kind=FilingKind.OPERATOR_CHANGE,
            status=FilingStatus.DUE,
            details={"note": "运营人员由刘某调整为陈某"},
            recipients=["企宣部"],
            occurred_on=occurred,
            due_on=workdays.add_working_days(occurred, 5),
        )
        record_event(
            action="accounts.filing.open",
            obj=late,
            after={"kind": late.kind, "due_on": str(late.due_on)},
        )
        editor = User.objects.get(username="editor")
        services.apply_for_account(
            actor=editor,
            unit=units["示例科技"],
            platform="zhihu",
            name="示例科技",
            matrix_role="brand",
            necessity="知乎用户与我们的技术型客户高度重合，需要专业问答阵地",
            feasibility="产品运营部两名编辑可兼顾",
            type_reason="机构号便于认证与品牌背书",
            positioning="技术科普与产品答疑",
            publishing_frequency="每周两篇回答、一篇文章",
            layout="专栏+回答",
            operating_team="张编辑（主编）、赵策划（选题）",
            review_flow="一审策划、二审部门经理、三审法务",
            technical_support="集团技术部",
        )

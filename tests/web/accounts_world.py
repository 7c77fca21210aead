"""A small account matrix for the account page tests, built through the services."""

from __future__ import annotations

import io

import pytest

from mediadesk.accounts import credentials, services, standards
from tests import factories as f

SECRET = "wx-app-secret-7f3e9c1d-never-in-a-list"
MENU = {
    "button": [
        {
            "name": "走进示例",
            "sub_button": [
                {"type": "article_id", "name": "示例控股", "article_id": "A1"},
                {"type": "view", "name": "示例官网", "url": "https://www.example.com"},
            ],
        }
    ]
}


def png(colour: tuple[int, int, int] = (200, 30, 60), shape: str = "circle") -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (120, 120), "white")
    draw = ImageDraw.Draw(img)
    if shape == "circle":
        draw.ellipse((10, 10, 110, 110), fill=colour)
    else:
        draw.polygon([(60, 5), (115, 115), (5, 115)], fill=colour)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def world(bu, dept, hq, operator, nobody):
    """HQ, an operator in a department, an account administrator of the business unit, one
    WeChat account with a stored secret, a pending application and a due filing."""
    root = f.superuser()
    keeper = f.person(bu, "account_admin", username="keeper")
    standards.save_profile(
        actor=root,
        unit=f.group(),
        brand_name="示例",
        unit_name="集团",
        standard_bio="示例集团官方账号。",
        logo=png(),
    )
    standards.save_profile(actor=root, unit=bu, unit_name="华东")
    standards.save_company_names(
        actor=root, full_names=["示例集团"], short_names=["示例"], english_names=["SLJT"]
    )
    account = f.account(
        bu,
        platform="wechat_service",
        name="示例华东",
        platform_account_id="gh_east",
        bio="不规范的简介",
        bound_phone="13812345678",
        wechat_menu=MENU,
    )
    account = services.update_account(actor=root, account=account, avatar=png())
    other = f.account(bu, platform="weibo", name="示例华东微博", platform_account_id="58001")
    credential = credentials.store_credential(
        actor=root, account=account, kind="app_secret", value=SECRET
    )
    application = services.apply_for_account(
        actor=operator,
        unit=dept,
        platform="douyin",
        name="示例华东抖音",
        matrix_role="campaign",
        **f.APPLICATION_ANSWERS,
    )
    services.grant_account_role(actor=root, person=operator, role="operator", account=account)
    return {
        "root": root,
        "hq": hq,
        "operator": operator,
        "keeper": keeper,
        "nobody": nobody,
        "bu": bu,
        "dept": dept,
        "account": account,
        "other": other,
        "credential": credential,
        "application": application,
        "filing": account.filings.filter(status="due").first(),
    }

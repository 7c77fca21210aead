import pytest

from mediadesk.accounts import services, standards
from mediadesk.accounts.conformity import check_account
from tests import factories as f
from tests.accounts.images import logo

pytestmark = pytest.mark.django_db

GOOD_MENU = {
    "button": [
        {
            "name": "走进示例",
            "sub_button": [
                {"type": "article_id", "name": "示例控股", "article_id": "A1"},
                {"type": "view", "name": "示例官网", "url": "https://example.com"},
            ],
        }
    ]
}


@pytest.fixture
def unit():
    bu = f.unit(name="科技")
    standards.save_profile(actor=f.superuser(), unit=f.group(), brand_name="示例")
    standards.save_profile(
        actor=f.superuser(), unit=bu, standard_bio="示例科技官方账号", logo=logo()
    )
    return bu


def _codes(account):
    return {d.code for d in check_account(account)}


def test_a_conforming_account_has_no_deviations(unit):
    account = f.account(
        unit,
        platform="wechat_service",
        name="示例科技",
        bio="示例科技官方账号",
        wechat_menu=GOOD_MENU,
    )
    account = services.update_account(
        actor=f.superuser(), account=account, avatar=logo("JPEG", size=120)
    )
    assert _codes(account) == set()


def test_a_name_off_the_convention_is_reported_unless_an_exception_is_approved(unit):
    account = f.account(unit, name="科技小助手", bio="示例科技官方账号")
    assert "name" in _codes(account)
    services.set_name_exception(actor=f.superuser(), account=account, reason="吉祥物账号")
    assert "name" not in _codes(account)


def test_a_different_logo_is_reported_even_under_the_same_file_name(unit):
    account = f.account(unit, name="示例科技", bio="示例科技官方账号")
    account = services.update_account(actor=f.superuser(), account=account, avatar=logo(variant=1))
    assert "avatar" in _codes(account)


def test_a_changed_bio_is_reported(unit):
    account = f.account(unit, name="示例科技", bio="欢迎关注")
    assert "bio" in _codes(account)


@pytest.mark.parametrize(
    ("menu", "code"),
    [
        (None, "menu_missing"),
        ({"button": [{"name": "最新活动", "sub_button": []}]}, "menu_first"),
        (
            {
                "button": [
                    {
                        "name": "走进示例",
                        "sub_button": [
                            {"type": "view", "name": "示例控股", "url": "https://x"},
                            {"type": "view", "name": "示例官网", "url": "https://example.com"},
                        ],
                    }
                ]
            },
            "menu_holding",
        ),
        (
            {
                "button": [
                    {
                        "name": "走进示例",
                        "sub_button": [
                            {"type": "article_id", "name": "示例控股", "article_id": "A"}
                        ],
                    }
                ]
            },
            "menu_site",
        ),
    ],
)
def test_wechat_menu_deviations(unit, menu, code):
    account = f.account(
        unit,
        platform="wechat_subscription",
        name="示例科技",
        bio="示例科技官方账号",
        wechat_menu=menu,
    )
    assert code in _codes(account)


def test_an_upload_that_is_not_an_image_is_refused(unit):
    from mediadesk.core.errors import ValidationFailed

    account = f.account(unit)
    with pytest.raises(ValidationFailed, match="not an image"):
        services.update_account(actor=f.superuser(), account=account, avatar=b"GIF89a-not-really")

import io

import openpyxl
import pytest

from mediadesk.accounts import spreadsheets
from mediadesk.accounts.models import SocialAccount
from mediadesk.core.errors import ValidationFailed
from tests import factories as f

pytestmark = pytest.mark.django_db
HEADERS = [h for h, _ in spreadsheets.COLUMNS]


def _workbook(rows):
    wb = openpyxl.Workbook()
    wb.active.append(HEADERS)
    for row in rows:
        wb.active.append(row + [None] * (len(HEADERS) - len(row)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_export_has_the_chinese_headers_and_masks_phones():
    f.account(name="示例微博", bound_phone="13812345678")
    sheet = openpyxl.load_workbook(
        io.BytesIO(spreadsheets.export_accounts(SocialAccount.objects.all()))
    ).active
    rows = list(sheet.values)
    assert list(rows[0]) == HEADERS
    assert rows[1][1] == "示例微博" and rows[1][13] == "138****5678"


def test_an_import_with_bad_rows_reports_each_and_imports_nothing():
    unit = f.unit(name="示例科技")
    content = _workbook(
        [
            ["微博", "好账号", "w1", unit.name, "品牌"],
            ["推特", "坏平台", "t1", unit.name, "品牌"],
            ["抖音", "缺单位", "d1", "不存在的单位", "品牌"],
            ["抖音", "", "d2", unit.name, "品牌"],
        ]
    )
    with pytest.raises(ValidationFailed) as info:
        spreadsheets.import_accounts(actor=f.superuser(), content=content)
    rows = {(e["row"], e["column"]) for e in info.value.fields["rows"]}
    assert rows == {(3, "平台"), (4, "所属单位"), (5, "账号名称")}
    assert not SocialAccount.objects.exists()


def test_a_clean_import_registers_every_row():
    unit = f.unit(name="示例科技")
    content = _workbook(
        [
            [
                "微博",
                "示例科技微博",
                "w1",
                unit.name,
                "品牌",
                "",
                "",
                7,
                "正常运营",
                "已认证",
                "2027-03-01",
                1200,
            ],
            ["wechat_service", "示例科技服务号", "gh_1", unit.name, "customer_service"],
        ]
    )
    created = spreadsheets.import_accounts(actor=f.superuser(), content=content)
    assert sorted(a.name for a in created) == ["示例科技微博", "示例科技服务号"]
    weibo = SocialAccount.objects.get(platform="weibo")
    assert (weibo.follower_count, str(weibo.verification_expires_on)) == (1200, "2027-03-01")


def test_a_file_that_is_not_excel_is_a_clear_error():
    with pytest.raises(ValidationFailed, match="not an Excel"):
        spreadsheets.import_accounts(actor=f.superuser(), content=b"hello")

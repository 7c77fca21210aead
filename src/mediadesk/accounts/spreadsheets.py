"""Accounts to and from Excel with Chinese headers. An import with any bad row imports nothing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mediadesk.accounts.models import (
    AccountStatus,
    MatrixRole,
    Platform,
    SocialAccount,
    VerificationStatus,
)
from mediadesk.audit.services import record_event
from mediadesk.core.errors import DomainError, ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.services import mask_phone

# header, attribute
COLUMNS = [
    ("平台", "platform"),
    ("账号名称", "name"),
    ("平台账号ID", "platform_account_id"),
    ("所属单位", "owning_unit"),
    ("矩阵定位", "matrix_role"),
    ("功能定位", "function_positioning"),
    ("内容定位", "content_positioning"),
    ("每周目标发文数", "target_posts_per_week"),
    ("状态", "status"),
    ("认证状态", "verification_status"),
    ("认证到期日", "verification_expires_on"),
    ("粉丝数", "follower_count"),
    ("管理员微信号", "admin_wechat_id"),
    ("绑定手机", "bound_phone"),
]
REQUIRED = {"platform", "name", "owning_unit", "matrix_role"}
CHOICES = {
    "platform": Platform,
    "matrix_role": MatrixRole,
    "status": AccountStatus,
    "verification_status": VerificationStatus,
}


# The Chinese names used in the sheets: a data contract like the headers, so spelled out here.
CHINESE = {
    "platform": {
        "wechat_service": "服务号",
        "wechat_subscription": "订阅号",
        "weibo": "微博",
        "douyin": "抖音",
        "kuaishou": "快手",
        "zhihu": "知乎",
        "bilibili": "哔哩哔哩",
        "xiaohongshu": "小红书",
        "wechat_channels": "视频号",
        "website": "官网",
    },
    "matrix_role": {
        "group_official": "集团官方",
        "leader": "领导",
        "brand": "品牌",
        "product": "产品",
        "customer_service": "客服",
        "recruitment": "招聘",
        "campaign": "活动",
        "mascot": "吉祥物",
        "corporate_university": "企业大学",
    },
    "status": {
        "applying": "申请中",
        "active": "正常运营",
        "stopped_updating": "停止更新",
        "suspended": "被封禁",
        "closed": "已注销",
    },
    "verification_status": {"unverified": "未认证", "verified": "已认证", "expired": "认证过期"},
}
ALIASES = {
    "platform": {
        "B站": "bilibili",
        "公众号服务号": "wechat_service",
        "公众号订阅号": "wechat_subscription",
    }
}


def _label_lookup(attr: str, choices: Any) -> dict[str, str]:
    """Accept the stored value, the Chinese name or the English label."""
    lookup = {value: value for value in choices.values}
    lookup.update({str(label): value for value, label in choices.choices})
    lookup.update({zh: value for value, zh in CHINESE[attr].items()})
    lookup.update(ALIASES.get(attr, {}))
    return lookup


def export_accounts(accounts: Any) -> bytes:
    """The registry as an .xlsx workbook; the bound phone is masked."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "账号矩阵"
    sheet.append([header for header, _attr in COLUMNS])
    for account in accounts:
        sheet.append(
            [
                CHINESE["platform"][account.platform],
                account.name,
                account.platform_account_id,
                account.owning_unit.name,
                CHINESE["matrix_role"][account.matrix_role],
                account.function_positioning,
                account.content_positioning,
                account.target_posts_per_week,
                CHINESE["status"][account.status],
                CHINESE["verification_status"][account.verification_status],
                account.verification_expires_on,
                account.follower_count,
                account.admin_wechat_id,
                mask_phone(account.bound_phone),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(ValidationFailed):
    """The file had bad rows; ``errors`` lists each, and nothing was imported."""

    def __init__(self, errors: list[RowError]):
        summary = "; ".join(f"第{e.row}行 {e.column}: {e.message}" for e in errors[:20])
        more = f" … (+{len(errors) - 20})" if len(errors) > 20 else ""
        super().__init__(
            _("%(n)d row(s) are wrong, nothing was imported: %(s)s")
            % {"n": len(errors), "s": summary + more},
            fields={"rows": [e.__dict__ for e in errors]},
        )
        self.errors = errors


def _read_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ValidationFailed(
            _("This is not an Excel (.xlsx) file."), fields={"file": _("not xlsx")}
        ) from exc
    rows = list(workbook.active.iter_rows(values_only=True))
    if not rows:
        raise ValidationFailed(_("The sheet is empty."), fields={"file": _("empty")})
    headers = [str(h or "").strip() for h in rows[0]]
    body = [(i + 2, list(r)) for i, r in enumerate(rows[1:]) if any(c not in (None, "") for c in r)]
    return headers, body


def import_accounts(*, actor: Any, content: bytes) -> list[SocialAccount]:
    """Register every row, or none: all rows are checked first and every problem is reported."""
    from mediadesk.accounts.services import register_account

    headers, body = _read_rows(content)
    known = {header: attr for header, attr in COLUMNS}
    missing = [h for h, attr in COLUMNS if attr in REQUIRED and h not in headers]
    if missing:
        raise ValidationFailed(
            _("Missing columns: %(c)s") % {"c": "、".join(missing)},
            fields={"file": _("missing columns")},
        )
    units = {u.name: u for u in OrgUnit.objects.all()}
    lookups = {attr: _label_lookup(attr, choices) for attr, choices in CHOICES.items()}
    errors: list[RowError] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for number, row in body:
        values: dict[str, Any] = {}
        for header, cell in zip(headers, row, strict=False):
            attr = known.get(header)
            if attr is None:
                continue
            text = "" if cell is None else str(cell).strip()
            if attr in REQUIRED and not text:
                errors.append(RowError(number, header, _("required")))
                continue
            if attr in lookups and text:
                if text not in lookups[attr]:
                    errors.append(RowError(number, header, _("unknown value %(v)s") % {"v": text}))
                    continue
                text = lookups[attr][text]
            if attr == "owning_unit":
                if text not in units:
                    errors.append(RowError(number, header, _("no unit named %(v)s") % {"v": text}))
                    continue
                values[attr] = units[text]
                continue
            if attr in {"target_posts_per_week", "follower_count"} and text:
                try:
                    values[attr] = int(float(text))
                except ValueError:
                    errors.append(RowError(number, header, _("not a number")))
                continue
            if attr == "verification_expires_on" and text:
                if isinstance(cell, dt.datetime | dt.date):
                    values[attr] = (
                        cell
                        if isinstance(cell, dt.date) and not isinstance(cell, dt.datetime)
                        else cell.date()
                    )
                else:
                    try:
                        values[attr] = dt.date.fromisoformat(text[:10])
                    except ValueError:
                        errors.append(RowError(number, header, _("not a date (YYYY-MM-DD)")))
                continue
            if text:
                values[attr] = text
        key = (values.get("platform", ""), values.get("platform_account_id", ""))
        if key[1]:
            if key in seen:
                errors.append(RowError(number, "平台账号ID", _("duplicate within the file")))
            elif SocialAccount.objects.filter(platform=key[0], platform_account_id=key[1]).exists():
                errors.append(RowError(number, "平台账号ID", _("already registered")))
            seen.add(key)
        parsed.append((number, values))
    if errors:
        raise ImportRejected(errors)
    created = []
    with transaction.atomic():
        for number, values in parsed:
            try:
                created.append(register_account(actor=actor, **values))
            except DomainError as exc:  # e.g. no permission on that unit
                errors.append(RowError(number, "", exc.message))
        if errors:
            raise ImportRejected(errors)  # rolls back the rows already registered
        record_event(
            action="accounts.import",
            actor=actor,
            object_type="accounts.socialaccount",
            after={"rows": len(created)},
        )
    return created


def export_for(*, actor: Any, accounts: Any) -> bytes:
    """The workbook of ``accounts`` (already limited to what ``actor`` may see); audited."""
    content = export_accounts(accounts)
    record_event(
        action="accounts.export",
        actor=actor,
        object_type="accounts.socialaccount",
        after={"rows": len(accounts) if isinstance(accounts, list) else accounts.count()},
    )
    return content


def template_workbook() -> bytes:
    """An empty sheet with the import headers, for people who start from scratch."""
    return export_accounts([])

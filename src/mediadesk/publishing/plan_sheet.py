"""The publish plan to and from Excel with 模板1's exact headers (PUB-1).

The ten columns of the seed's table come first, spelled as the seed spells them; machine
columns follow (账号, 所属单位, 发布时间, 计划ID) so a sheet can be exported, edited and imported
back: a row with a 计划ID updates that row, a row without one adds a row. An import checks every
row first and imports nothing when any row is wrong, listing each (row number + what is wrong).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mediadesk.accounts.models import Platform, SocialAccount
from mediadesk.accounts.spreadsheets import CHINESE, ImportRejected, RowError
from mediadesk.audit.services import record_event
from mediadesk.core.errors import DomainError, ValidationFailed
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.publishing.models import PlanEntry
from mediadesk.publishing.plan_entries import (
    STATUS_ZH,
    create_plan_entry,
    update_plan_entry,
)
from mediadesk.publishing.planning_selectors import PlanRow

#: 模板1, exactly as the seed writes it.
PLAN_HEADERS = (
    "序号",
    "发布日期",
    "发布平台",
    "内容主题",
    "内容形式",
    "目标数据（曝光/互动/转化）",
    "负责人",
    "审核人",
    "状态（待发布/已发布/已撤回）",
    "备注",
)
MACHINE_HEADERS = ("账号", "所属单位", "发布时间", "计划ID")
HEADERS = PLAN_HEADERS + MACHINE_HEADERS

#: The seed writes 公众号 for a WeChat Official Account; the sheet says which kind.
PLATFORM_ZH = {
    **CHINESE["platform"],
    Platform.WECHAT_SUBSCRIPTION.value: "公众号（订阅号）",
    Platform.WECHAT_SERVICE.value: "公众号（服务号）",
}
_WECHAT_ANY = "公众号"
#: Which model field an error of ``clean_plan_fields`` belongs to → the column to name.
FIELD_COLUMNS = {
    "planned_on": "发布日期",
    "platform": "发布平台",
    "topic": "内容主题",
    "format": "内容形式",
    "targets": "目标数据（曝光/互动/转化）",
    "owner": "负责人",
    "reviewer": "审核人",
    "notes": "备注",
    "account": "账号",
    "unit": "所属单位",
    "planned_time": "发布时间",
}
MAX_BYTES = 10 * 1024 * 1024


def _person_name(person: Any) -> str:
    return (person.display_name or person.username) if person is not None else ""


def export_plan(*, actor: Any, rows: list[PlanRow]) -> bytes:
    """The rows (already limited to what ``actor`` may see) as an .xlsx workbook; audited."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "内容发布计划表"
    sheet.append(list(HEADERS))
    for row in rows:
        entry = row.entry
        sheet.append(
            [
                row.number,
                entry.planned_on,
                PLATFORM_ZH.get(entry.platform, entry.platform),
                entry.topic,
                entry.format,
                entry.targets_text,
                _person_name(entry.owner),
                _person_name(entry.reviewer),
                row.status_label,
                entry.notes,
                entry.account.name if entry.account_id else "",
                entry.owning_unit.name,
                f"{entry.planned_time:%H:%M}" if entry.planned_time else "",
                entry.pk,
            ]
        )
    for column, width in zip(
        "ABCDEFGHIJKLMN", (6, 12, 16, 36, 16, 28, 10, 10, 12, 24, 20, 14, 9, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    record_event(
        action="publishing.plan.export",
        actor=actor,
        object_type="publishing.planentry",
        after={"rows": len(rows)},
    )
    return out.getvalue()


def template_workbook() -> bytes:
    """An empty plan with the headers, to start from."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "内容发布计划表"
    workbook.active.append(list(HEADERS))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- import ----------------------------------------------------------------------------------


def _read(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if len(content) > MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 10 MB."), fields={"file": _("too large")})
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


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _date(cell: Any) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = _text(cell).replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def _time(cell: Any) -> dt.time | None:
    if cell in (None, ""):
        return None
    if isinstance(cell, dt.datetime):
        return cell.time()
    if isinstance(cell, dt.time):
        return cell
    return dt.time.fromisoformat(_text(cell).replace("：", ":"))


def _platforms(text: str) -> set[str]:
    """The platform values a 发布平台 cell may mean (公众号 means either WeChat kind)."""
    if text == _WECHAT_ANY:
        return {Platform.WECHAT_SUBSCRIPTION.value, Platform.WECHAT_SERVICE.value}
    lookup = {value: value for value in Platform.values}
    lookup.update({zh: value for value, zh in CHINESE["platform"].items()})
    lookup.update({zh: value for value, zh in PLATFORM_ZH.items()})
    lookup.update({str(label): value for value, label in Platform.choices})
    lookup.update({"B站": Platform.BILIBILI.value})
    return {lookup[text]} if text in lookup else set()


def _one(matches: list[Any], what: str, text: str) -> Any:
    if not matches:
        raise ValueError(_("no %(w)s named %(v)s") % {"w": what, "v": text})
    if len(matches) > 1:
        raise ValueError(_("%(v)s names more than one %(w)s") % {"w": what, "v": text})
    return matches[0]


def _person(text: str) -> Any:
    if not text:
        return None
    return _one(
        list(User.objects.filter(Q(username=text) | Q(display_name=text), is_active=True)),
        _("person"),
        text,
    )


def _row_data(values: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Turn one row's cells into service keywords; problems as (column, message)."""
    errors: list[tuple[str, str]] = []
    data: dict[str, Any] = {}

    def take(column: str, parse: Any, key: str, message: str = "") -> None:
        try:
            data[key] = parse(values.get(column))
        except (ValueError, TypeError) as exc:
            errors.append((column, message or str(exc)))

    take("发布日期", _date, "planned_on", _("not a date (YYYY-MM-DD)"))
    take("发布时间", _time, "planned_time", _("not a time (HH:MM)"))
    data["topic"] = _text(values.get("内容主题"))
    data["format"] = _text(values.get("内容形式"))
    data["targets"] = _text(values.get("目标数据（曝光/互动/转化）"))
    data["notes"] = _text(values.get("备注"))
    take("负责人", lambda c: _person(_text(c)), "owner")
    take("审核人", lambda c: _person(_text(c)), "reviewer")
    platform_text = _text(values.get("发布平台"))
    platforms = _platforms(platform_text) if platform_text else set()
    if platform_text and not platforms:
        errors.append(("发布平台", _("unknown platform %(v)s") % {"v": platform_text}))
    account_text = _text(values.get("账号"))
    if account_text:
        candidates = SocialAccount.objects.filter(name=account_text).select_related("owning_unit")
        if platforms:
            candidates = candidates.filter(platform__in=platforms)
        take("账号", lambda _c: _one(list(candidates), _("account"), account_text), "account")
    else:
        data["account"] = None
        if len(platforms) > 1:
            errors.append(
                ("发布平台", _("say 公众号（订阅号） or 公众号（服务号）, or name the account"))
            )
        elif platforms:
            data["platform"] = next(iter(platforms))
        elif not platform_text:
            errors.append(("发布平台", _("required")))
        unit_text = _text(values.get("所属单位"))
        if unit_text:
            take(
                "所属单位",
                lambda _c: _one(list(OrgUnit.objects.filter(name=unit_text)), _("unit"), unit_text),
                "unit",
            )
        else:
            errors.append(("所属单位", _("name the unit, or the account")))
    status = _text(values.get("状态（待发布/已发布/已撤回）"))
    if status and status not in STATUS_ZH.values():
        errors.append(("状态（待发布/已发布/已撤回）", _("unknown status %(v)s") % {"v": status}))
    return data, errors


def import_plan(*, actor: Any, content: bytes) -> list[PlanEntry]:
    """Add (or, with a 计划ID, update) every row, or none."""
    headers, body = _read(content)
    missing = [h for h in ("发布日期", "内容主题") if h not in headers]
    if "发布平台" not in headers and "账号" not in headers:
        missing.append("发布平台")
    if missing:
        raise ValidationFailed(
            _("Missing columns: %(c)s") % {"c": "、".join(missing)},
            fields={"file": _("missing columns")},
        )
    errors: list[RowError] = []
    saved: list[PlanEntry] = []
    with transaction.atomic():
        for number, cells in body:
            values = {h: c for h, c in zip(headers, cells, strict=False) if h in HEADERS}
            data, problems = _row_data(values)
            errors += [RowError(number, column, message) for column, message in problems]
            if problems:
                continue
            entry_id = _text(values.get("计划ID"))
            status = _text(values.get("状态（待发布/已发布/已撤回）"))
            try:
                if entry_id:
                    entry = PlanEntry.objects.filter(pk=int(entry_id)).first()
                    if entry is None:
                        raise ValidationFailed(
                            _("no plan entry %(v)s") % {"v": entry_id}, fields={"计划ID": "!"}
                        )
                    if "platform" not in data and entry.account_id is None:
                        data["platform"] = entry.platform
                    saved.append(
                        update_plan_entry(actor=actor, entry=entry, version=entry.version, **data)
                    )
                else:
                    if status and status != STATUS_ZH["pending"]:
                        raise ValidationFailed(
                            _("a new row is 待发布; its status follows its publication"),
                            fields={"状态（待发布/已发布/已撤回）": "!"},
                        )
                    saved.append(create_plan_entry(actor=actor, **data))
            except DomainError as exc:
                field = next(iter(exc.fields), "")
                errors.append(RowError(number, FIELD_COLUMNS.get(field, field), exc.message))
            except ValueError:
                errors.append(RowError(number, "计划ID", _("not a number")))
        if errors:
            raise ImportRejected(errors)  # rolls back the rows already saved
        record_event(
            action="publishing.plan.import",
            actor=actor,
            object_type="publishing.planentry",
            after={"rows": len(saved)},
        )
    return saved


class _RolledBack(Exception):
    def __init__(self, rows: list[dict[str, Any]]):
        super().__init__("preview")
        self.rows = rows


def preview_import(*, actor: Any, content: bytes) -> list[dict[str, Any]]:
    """What :func:`import_plan` would do with ``content``, without doing it: the import runs in
    a transaction that is then rolled back (its audit entries with it). Raises what the import
    raises (:class:`ImportRejected` listing every bad row, or ValidationFailed for the file);
    otherwise one description per row: its sheet row number, whether it adds or updates a row,
    and the values as they would be stored."""
    _headers, body = _read(content)
    try:
        with transaction.atomic():
            saved = import_plan(actor=actor, content=content)
            rows = [
                {
                    "row": number,
                    "new": entry.version == 1,
                    "entry_id": entry.pk if entry.version > 1 else None,
                    "planned_on": entry.planned_on,
                    "planned_time": entry.planned_time,
                    "platform": PLATFORM_ZH.get(entry.platform, entry.platform),
                    "account": entry.account.name if entry.account_id else "",
                    "unit": entry.owning_unit.name,
                    "topic": entry.topic,
                    "format": entry.format,
                    "targets": entry.targets_text,
                    "owner": _person_name(entry.owner),
                    "reviewer": _person_name(entry.reviewer),
                    "notes": entry.notes,
                }
                for (number, _cells), entry in zip(body, saved, strict=True)
            ]
            raise _RolledBack(rows)
    except _RolledBack as done:
        return done.rows

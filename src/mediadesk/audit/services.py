"""Writing, verifying, purging and exporting the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from mediadesk.audit.guards import RETENTION_DAYS
from mediadesk.audit.models import AuditChainHead, AuditEntry, AuditPurge
from mediadesk.core import context
from mediadesk.core.errors import ValidationFailed
from mediadesk.core.scopes import scope_of

SYSTEM_LABEL = "system"


def actor_label(actor: Any) -> str:
    if actor is None:
        return SYSTEM_LABEL
    display = getattr(actor, "display_name", "") or ""
    username = getattr(actor, "username", str(actor))
    return f"{username} ({display})" if display and display != username else username


def _jsonable(value: Any) -> Any:
    """Values as they will read back from a JSON column, so the hash survives a round trip."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "seq": entry.seq,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "scope_path": entry.scope_path,
        "before": entry.before,
        "after": entry.after,
        "source": entry.source,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "request_id": entry.request_id,
    }


def record_event(
    *,
    action: str,
    actor: Any = None,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    scope_path: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction when there is one.

    ``obj`` fills the object fields and the scope; explicit arguments override it. Call this from
    services only, in the same transaction as the change it records, so the two stand or fall
    together.
    """
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
        if scope_path is None:
            try:
                scope_path = scope_of(obj).unit_path
            except TypeError:
                scope_path = ""
    ctx = context.current()
    with transaction.atomic():
        # Updating the head row first takes its lock (a row lock on PostgreSQL, the write lock
        # on SQLite), so concurrent appends get consecutive numbers and a consistent chain.
        head = _advance_head()
        if head is None:
            AuditChainHead.objects.create(pk=1, seq=1, last_hash="")
            head = (1, "")
        seq, last_hash = head
        entry = AuditEntry(
            seq=seq,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=actor_label(actor),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:300],
            scope_path=scope_path or "",
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            source=ctx.source,
            ip=ctx.ip,
            user_agent=ctx.user_agent[:300],
            request_id=ctx.request_id,
            prev_hash=last_hash,
        )
        entry.hash = _entry_hash(_hashed_fields(entry), entry.prev_hash)
        entry.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=entry.hash)
    return entry


def _advance_head() -> tuple[int, str] | None:
    """Take the next number and read the tip in one statement (``UPDATE … RETURNING``, on
    PostgreSQL and SQLite ≥ 3.35); None before the first entry. Every engine step that records
    an event pays for this, under a lock all writers share, so one statement rather than two."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash"  # noqa: S608
        )
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row is not None else None


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Recompute every hash and link; report the first entry that was altered or removed."""
    anchor = AuditPurge.objects.order_by("-anchor_seq").first()
    expected_prev = anchor.anchor_hash if anchor else ""
    expected_seq = (anchor.anchor_seq + 1) if anchor else 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.seq, "link to the previous entry is broken")
        if _entry_hash(_hashed_fields(entry), entry.prev_hash) != entry.hash:
            return ChainReport(False, checked, entry.seq, "content differs from what was recorded")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != expected_prev):
        return ChainReport(False, checked, expected_seq, "the newest entries were removed")
    return ChainReport(True, checked)


def purge_expired(*, before: dt.datetime, actor: Any = None) -> int:
    """Delete entries older than ``before``; refuses anything younger than the retention minimum.

    The hash of the newest purged entry is kept as the anchor the remaining chain verifies from.
    """
    minimum = max(RETENTION_DAYS, getattr(settings, "MEDIADESK_AUDIT_MIN_RETENTION_DAYS", 0))
    limit = timezone.now() - dt.timedelta(days=minimum)
    if before > limit:
        raise ValidationFailed(
            f"audit entries are kept at least {minimum} days; purge cut-off must be before "
            f"{limit:%Y-%m-%d}",
            fields={"before": "too recent"},
        )
    with transaction.atomic():
        doomed = AuditEntry.objects.filter(at__lt=before).order_by("-seq")
        last = doomed.first()
        if last is None:
            return 0
        count = doomed.count()
        table = AuditEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last.seq])  # noqa: S608
        AuditPurge.objects.create(
            at=timezone.now(),
            purged_before=before,
            purged_count=count,
            anchor_seq=last.seq,
            anchor_hash=last.hash,
            actor_label=actor_label(actor),
        )
        record_event(
            action="audit.purge",
            actor=actor,
            object_type="audit.auditentry",
            after={"purged_before": before.isoformat(), "count": count, "up_to_seq": last.seq},
        )
    return count


def record_search(*, user: Any, filters: dict[str, Any]) -> None:
    """Reading the audit log is itself a sensitive read."""
    shown = {k: getattr(v, "pk", v) for k, v in filters.items() if v not in (None, "")}
    record_event(
        action="audit.search",
        actor=user,
        object_type="audit.auditentry",
        after={"filters": shown},
    )


def search_log(*, user: Any, **filters: Any) -> Any:
    """Search the audit log as a person would, recording that they looked."""
    from mediadesk.audit.selectors import search_entries

    entries = search_entries(user=user, **filters)
    record_search(user=user, filters=filters)
    return entries


EXPORT_HEADERS = [
    ("seq", "序号"),
    ("at", "时间"),
    ("actor", "操作人"),
    ("action", "操作"),
    ("object_type", "对象类型"),
    ("object_id", "对象ID"),
    ("object_repr", "对象"),
    ("before", "变更前"),
    ("after", "变更后"),
    ("source", "来源"),
    ("ip", "IP"),
    ("hash", "哈希"),
]


def _export_rows(entries: Iterable[AuditEntry]) -> Iterable[list[Any]]:
    tz = timezone.get_default_timezone()
    for e in entries:
        yield [
            e.seq,
            e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
            json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
            e.source,
            e.ip,
            e.hash,
        ]


def export_entries(*, actor: Any, entries: Any, fmt: str, filters: dict[str, Any]) -> tuple:
    """Render entries as CSV or Excel; the export itself is a sensitive read and is audited.

    Returns ``(content: bytes, filename: str, content_type: str)``.
    """
    from mediadesk.orgs.permissions import Action, require

    require(actor, Action.AUDIT_EXPORT)
    if fmt not in {"csv", "xlsx"}:
        raise ValidationFailed("format must be csv or xlsx", fields={"format": "csv or xlsx"})
    rows = list(_export_rows(entries.order_by("seq").iterator()))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([h for _, h in EXPORT_HEADERS])
        writer.writerows(rows)
        # A BOM so Excel opens the Chinese headers correctly.
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        filename, content_type = f"audit-{stamp}.csv", "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("审计日志")
        sheet.append([h for _, h in EXPORT_HEADERS])
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
        filename = f"audit-{stamp}.xlsx"
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record_event(
        action="audit.export",
        actor=actor,
        object_type="audit.auditentry",
        after={"format": fmt, "rows": len(rows), "filters": filters},
    )
    return content, filename, content_type

"""WeChat pushes as :class:`PlatformEvent` rows: classify, dedupe, store, normalise.

The callback view stores the event as received (one INSERT) and queues
``platforms.process_event``; the job fills ``data`` with the fields the publishing and inbox
work need, so nothing slow happens while WeChat waits for its answer (5 s).

Duplicates: WeChat retries a push it did not see answered, and recommends deduplicating
messages by ``MsgId`` and events by ``FromUserName`` + ``CreateTime``. The key here adds the
event name, and for job-finished events the job id (two publish jobs can finish in the same
second), and a unique constraint makes the check race-free.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import xmltodict
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from wechatpy import parse_message

from mediadesk.accounts.models import SocialAccount
from mediadesk.jobs.services import enqueue
from mediadesk.platforms.models import EventKind, PlatformEvent

log = logging.getLogger(__name__)

PUBLISH_EVENTS = frozenset({"PUBLISHJOBFINISH", "FREEPUBLISHJOBFINISH"})
MASS_EVENTS = frozenset({"MASSSENDJOBFINISH"})
PROCESS_TASK = "platforms.process_event"


class BadPush(ValueError):
    """The body is not a WeChat message (no ``<xml>`` with a MsgType)."""


def parse(xml: str) -> dict[str, Any]:
    """The push's fields; :class:`BadPush` when it is not a WeChat message."""
    try:
        doc = xmltodict.parse(xml)
    except Exception as exc:  # expat errors have no common public base
        raise BadPush("not XML") from exc
    fields = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(fields, dict) or not fields.get("MsgType"):
        raise BadPush("no <xml> element with a MsgType")
    return fields


def classify(xml: str, fields: dict[str, Any]) -> tuple[str, str]:
    """(kind, event_type) of a push, as wechatpy reads it (wechatpy 2.0.0a26 knows no
    PUBLISHJOBFINISH: it parses as an unknown message, and the Event field decides)."""
    message = parse_message(xml)
    msg_type = str(fields.get("MsgType") or "").strip()
    if msg_type.lower() != "event":
        return EventKind.MESSAGE, msg_type.lower() or getattr(message, "type", "unknown")
    event = str(fields.get("Event") or getattr(message, "event", "") or "").strip()
    upper = event.upper()
    if upper in PUBLISH_EVENTS:
        return EventKind.PUBLISH_FINISHED, upper
    if upper in MASS_EVENTS:
        return EventKind.MASS_SEND_FINISHED, upper
    if "COMMENT" in upper:
        return EventKind.COMMENT, event
    return EventKind.OTHER, event


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def dedupe_key(fields: dict[str, Any]) -> str:
    msg_id = _text(fields.get("MsgId"))
    if str(fields.get("MsgType", "")).lower() != "event" and msg_id:
        return f"msg:{msg_id}"
    event = _text(fields.get("Event"))
    parts = ["event", _text(fields.get("FromUserName")), _text(fields.get("CreateTime")), event]
    info = fields.get("PublishEventInfo")
    if event.upper() in PUBLISH_EVENTS and isinstance(info, dict):
        parts.append(_text(info.get("publish_id")))
    elif event.upper() in MASS_EVENTS:
        parts.append(_text(fields.get("MsgID") or fields.get("MsgId")))
    return ":".join(parts)[:200]


def _occurred(fields: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(_text(fields.get("CreateTime"))), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def record_push(
    account: SocialAccount, xml: str, *, encrypted: bool = False
) -> tuple[PlatformEvent, bool]:
    """Store a verified push once and queue its processing; (event, created)."""
    fields = parse(xml)
    kind, event_type = classify(xml, fields)
    key = dedupe_key(fields)
    try:
        with transaction.atomic():
            event = PlatformEvent.objects.create(
                account=account,
                platform="wechat",
                kind=kind,
                event_type=event_type[:60],
                dedupe_key=key,
                sender=_text(fields.get("FromUserName"))[:100],
                occurred_at=_occurred(fields),
                encrypted=encrypted,
                raw=xml,
            )
            enqueue(PROCESS_TASK, {"event_id": event.pk}, dedupe_key=f"platform-event-{event.pk}")
    except IntegrityError:
        log.info("WeChat push for account %s already recorded (%s); ignored", account.pk, kind)
        return PlatformEvent.objects.get(account=account, dedupe_key=key), False
    return event, True


# -- processing (the job) ------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(_text(value))
    except (TypeError, ValueError):
        return None


def _items(container: Any, *path: str) -> list[Any]:
    """``container[path…]`` as a list (xmltodict gives a dict for one item, a list for more)."""
    node = container
    for name in path:
        node = node.get(name) if isinstance(node, dict) else None
    if node is None:
        return []
    return node if isinstance(node, list) else [node]


def normalise(event: PlatformEvent) -> dict[str, Any]:
    fields = parse(event.raw)
    if event.kind == EventKind.PUBLISH_FINISHED:
        info = fields.get("PublishEventInfo") or {}
        return {
            "publish_id": _text(info.get("publish_id")),
            "publish_status": _int(info.get("publish_status")),
            "article_id": _text(info.get("article_id")),
            "article_urls": [
                _text(item.get("article_url"))
                for item in _items(info, "article_detail", "item")
                if isinstance(item, dict)
            ],
            "fail_idx": [i for i in (_int(x) for x in _items(info, "fail_idx")) if i is not None],
        }
    if event.kind == EventKind.MASS_SEND_FINISHED:
        return {
            "msg_id": _text(fields.get("MsgID") or fields.get("MsgId")),
            "status": _text(fields.get("Status")),
            "total_count": _int(fields.get("TotalCount")),
            "filter_count": _int(fields.get("FilterCount")),
            "sent_count": _int(fields.get("SentCount")),
            "error_count": _int(fields.get("ErrorCount")),
            "article_urls": [
                _text(item.get("ArticleUrl"))
                for item in _items(fields, "ArticleUrlResult", "ResultList", "item")
                if isinstance(item, dict)
            ],
        }
    flat = {
        key: _text(value)
        for key, value in fields.items()
        if key not in ("ToUserName", "FromUserName", "CreateTime", "Encrypt")
        and not isinstance(value, dict | list)
    }
    return {"msg_type": _text(fields.get("MsgType")).lower(), "fields": flat}


def process_event(event_id: int) -> dict[str, Any]:
    """Fill ``data`` once; running it again changes nothing."""
    event = PlatformEvent.objects.filter(pk=event_id).first()
    if event is None:
        return {"missing": event_id}
    if event.processed_at is not None:
        return {"event_id": event.pk, "already": True}
    data = normalise(event)
    PlatformEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        data=data, processed_at=timezone.now()
    )
    return {"event_id": event.pk, "kind": event.kind}


# -- for the consumers (publishing, inbox) ------------------------------------------------------


def unconsumed(kind: str, account: SocialAccount | None = None) -> QuerySet[PlatformEvent]:
    """Processed events of ``kind`` nobody has taken yet, oldest first."""
    qs = PlatformEvent.objects.filter(
        kind=kind, processed_at__isnull=False, consumed_at__isnull=True
    )
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("received_at", "pk")


def mark_consumed(event: PlatformEvent) -> bool:
    """Take an event; False when another consumer took it first."""
    return bool(
        PlatformEvent.objects.filter(pk=event.pk, consumed_at__isnull=True).update(
            consumed_at=timezone.now()
        )
    )

"""Notifying people: the in-app notification, then the channels each recipient chose.

``notify`` is what every app calls. It creates the in-app rows here and hands them to
:mod:`mediadesk.notifications.dispatch`, which adds e-mail and group-robot deliveries according
to each person's preferences and sends them as jobs once the surrounding transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from mediadesk.core.models import Notification

logger = logging.getLogger("mediadesk.notifications")


def notify(
    recipients: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each active recipient once; a repeated ``dedupe_key`` is not sent again.

    ``kind`` is a dotted name (``content.review.awaiting``); its first part decides the
    category people choose channels for (see ``mediadesk.notifications.categories``).
    """
    sent = []
    for person in {p.pk: p for p in recipients if getattr(p, "is_active", False)}.values():
        try:
            with transaction.atomic():
                sent.append(
                    Notification.objects.create(
                        recipient=person,
                        kind=kind,
                        title=title[:200],
                        body=body,
                        link=link,
                        dedupe_key=dedupe_key,
                    )
                )
        except IntegrityError:
            continue  # already told about this
    if sent:
        _other_channels(sent, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key)
    return sent


def _other_channels(sent: list[Notification], **event: str) -> None:
    # The in-app notifications stand even if the other channels cannot be prepared: a broken
    # robot lookup must not undo the review decision or reminder that triggered it.
    from mediadesk.notifications.dispatch import fan_out

    try:
        with transaction.atomic():
            fan_out(sent, **event)
    except Exception:
        logger.exception("notification %s: e-mail and robot deliveries not prepared", sent[0].pk)

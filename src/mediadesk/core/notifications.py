"""Sending in-app notifications (other channels hook in here as later issues add them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from mediadesk.core.models import Notification


def notify(
    recipients: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each active recipient once; a repeated ``dedupe_key`` is not sent again."""
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
    return sent

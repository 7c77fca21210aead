"""Sending one delivery: an e-mail through Django's mail backend, or one robot post.

Runs in the ``notifications.deliver`` job (and at once for a robot's test message). Each try is
counted on the delivery; a network error, a 5xx, a rate limit or a non-zero platform code is
tried again with backoff (:class:`TransientJobError` hands the delay to the job runner) until
``MAX_ATTEMPTS``, then the delivery is ``failed`` with the last error. Neither a robot's
address nor its secret reaches an error text or a log line.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts import vault
from mediadesk.jobs.errors import TransientJobError
from mediadesk.jobs.services import backoff_seconds
from mediadesk.notifications import robots
from mediadesk.notifications.models import Channel, Delivery, DeliveryStatus

logger = logging.getLogger("mediadesk.notifications")

TASK = "notifications.deliver"
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30.0
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class _Failure(Exception):
    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


def absolute_link(link: str) -> str:
    """``/accounts/3/`` → ``https://mediadesk.example.com/accounts/3/`` (MEDIADESK_PUBLIC_URL)."""
    if not link or "://" in link:
        return link
    from mediadesk.platforms.oauth import public_url

    return public_url() + (link if link.startswith("/") else f"/{link}")


def mobile_of(person: Any) -> str:
    """A mainland mobile number to @-mention in a group, or "" when there is none."""
    digits = re.sub(r"\D", "", getattr(person, "phone", "") or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.match(digits) else ""


def robot_message(delivery: Delivery) -> robots.RobotMessage:
    """The group message: title, body, link and everyone it concerns (with @-mentions)."""
    people = [
        n.recipient
        for n in delivery.notifications.select_related("recipient").order_by("recipient_id")
    ]
    lines = [f"【mediadesk】{delivery.title}"]
    if delivery.body:
        lines.append(delivery.body)
    if delivery.link:
        lines.append(absolute_link(delivery.link))
    if people:
        lines.append(_("For: %(names)s") % {"names": "、".join(str(p) for p in people)})
    mobiles = [m for m in (mobile_of(p) for p in people) if m]
    return robots.RobotMessage(text="\n".join(lines), mobiles=mobiles)


def _send_email(delivery: Delivery) -> None:
    if not delivery.target:
        raise _Failure(_("No e-mail address on file."), retryable=False)
    text = "\n\n".join(p for p in (delivery.body, absolute_link(delivery.link)) if p)
    subject = " ".join(delivery.title.split())  # a header: no line breaks
    try:
        send_mail(subject, text, None, [delivery.target], fail_silently=False)
    except smtplib.SMTPRecipientsRefused:
        raise _Failure(_("The mail server refused the address."), retryable=False) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise _Failure(
            _("The mail server could not be used (%(kind)s).") % {"kind": type(exc).__name__},
            retryable=True,
        ) from None


def _send_robot(delivery: Delivery) -> None:
    robot = delivery.robot
    if robot is None:
        raise _Failure(_("The robot was removed."), retryable=False)
    try:
        url = vault.decrypt(robot.url_ciphertext)
        secret = vault.decrypt(robot.secret_ciphertext) if robot.secret_ciphertext else ""
    except vault.VaultError:
        raise _Failure(
            _("The robot's address cannot be decrypted; register it again."), retryable=False
        ) from None
    try:
        robots.post(robot.platform, url, secret, robot_message(delivery))
    except robots.RobotError as exc:
        raise _Failure(exc.message, retryable=exc.retryable, retry_after=exc.retry_after) from None


def deliver(delivery_id: int, *, final_attempt: bool = False) -> str:
    """Try a delivery once and record the outcome; its status afterwards.

    Raises :class:`TransientJobError` when it will be tried again, so the job runner waits the
    backoff. ``final_attempt`` (the test button) records a failure at once instead.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("robot")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.finished:
            return delivery.status  # a duplicate job: it went out (or was given up) already
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    this = Delivery.objects.filter(pk=delivery.pk)
    try:
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery)
        else:
            _send_robot(delivery)
    except _Failure as exc:
        if exc.retryable and not final_attempt and delivery.attempts < MAX_ATTEMPTS:
            delay = exc.retry_after or backoff_seconds(delivery.attempts, base=RETRY_BASE_SECONDS)
            this.update(
                status=DeliveryStatus.RETRYING,
                last_error=exc.message,
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            logger.info(
                "delivery %s (%s) try %s failed, retrying: %s",
                delivery.pk,
                delivery.channel,
                delivery.attempts,
                exc.message,
            )
            raise TransientJobError(exc.message, retry_after=delay) from None
        this.update(status=DeliveryStatus.FAILED, last_error=exc.message)
        logger.warning(
            "delivery %s (%s) failed after %s tries: %s",
            delivery.pk,
            delivery.channel,
            delivery.attempts,
            exc.message,
        )
        return DeliveryStatus.FAILED
    except Exception as exc:
        this.update(status=DeliveryStatus.FAILED, last_error=f"{type(exc).__name__}")
        raise
    this.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT

"""Reminders before an account's authorisation runs out (issue 6, item 8).

* A token with no refresh token (Weibo) stops working at its expiry: a person must authorise
  the app again. Told 7 days and 1 day before, and once it has lapsed.
* A Douyin access token renews itself while the refresh token lives; the refresh token lasts
  30 days and can be renewed five times, then the account owner must authorise again. Told
  when the refresh token lapses within 7 days (and 1 day, and when it has lapsed) and, once,
  when the five renewals are used up.
* WeChat tokens come from the app secret and never need a person; a lapsing WeChat
  verification is ``accounts.reminders.remind_verification_expiry`` (its own periodic job).

Each reminder goes to the account's administrators (``credential.manage``) once per account,
token expiry and threshold (notification dedupe keys), so the job may run as often as it likes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.accounts.models import AccountStatus
from mediadesk.core.notifications import notify
from mediadesk.orgs.models import User
from mediadesk.orgs.permissions import Action, can
from mediadesk.platforms.connectors.douyin_auth import MAX_RENEWALS
from mediadesk.platforms.models import PlatformToken

THRESHOLDS_DAYS = (7, 1)


def _keepers(account: Any) -> list[User]:
    return [
        u for u in User.objects.filter(is_active=True) if can(u, Action.CREDENTIAL_MANAGE, account)
    ]


def _stage(expires: dt.datetime, now: dt.datetime) -> int | str | None:
    """The threshold (in days) ``expires`` has crossed, "lapsed", or None when far off."""
    if expires <= now:
        return "lapsed"
    left = expires - now
    crossed = [t for t in THRESHOLDS_DAYS if left <= dt.timedelta(days=t)]
    return min(crossed) if crossed else None


def _days_left(expires: dt.datetime, now: dt.datetime) -> int:
    return max(0, (expires - now).days)


def _stamp(when: dt.datetime | None) -> str:
    return f"{when:%Y%m%d%H%M}" if when else "none"


def remind_token_expiry(now: dt.datetime | None = None) -> int:
    """Notify account administrators about authorisations that run out; returns how many
    notifications were sent."""
    now = now or timezone.now()
    sent = 0
    rows = (
        PlatformToken.objects.filter(
            account__isnull=False,
            platform__in=["weibo", "douyin"],
            account__platform_binding__enabled=True,
            account__status__in=[AccountStatus.ACTIVE, AccountStatus.STOPPED],
        )
        .exclude(access_ciphertext="", refresh_ciphertext="")
        .select_related("account__owning_unit")
    )
    for row in rows:
        account = row.account
        link = f"/accounts/{account.pk}/"
        if row.refresh_ciphertext:
            if row.renewals >= MAX_RENEWALS:
                sent += len(
                    notify(
                        _keepers(account),
                        kind="platforms.token",
                        title=_(
                            "%(a)s: the Douyin authorisation cannot be renewed any more "
                            "(all %(n)d renewals used); the owner must authorise again"
                        )
                        % {"a": account.name, "n": MAX_RENEWALS},
                        link=link,
                        dedupe_key=f"token-{row.pk}-renewals-{_stamp(row.refresh_expires_at)}",
                    )
                )
            expires, what = row.refresh_expires_at, "refresh"
        else:
            expires, what = row.expires_at, "access"
        if expires is None:
            continue
        stage = _stage(expires, now)
        if stage is None:
            continue
        args = {"a": account.name, "d": timezone.localdate(expires), "n": _days_left(expires, now)}
        if stage == "lapsed":
            title = _("%(a)s: the platform authorisation lapsed on %(d)s; authorise again") % args
        else:
            title = _("%(a)s: the platform authorisation lapses on %(d)s (%(n)d days left)") % args
        sent += len(
            notify(
                _keepers(account),
                kind="platforms.token",
                title=title,
                link=link,
                dedupe_key=f"token-{row.pk}-{what}-{_stamp(expires)}-{stage}",
            )
        )
    return sent

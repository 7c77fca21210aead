"""Which category a notification ``kind`` belongs to, for people's per-category channels.

Kinds are dotted names chosen by the app that sends them (``content.review.awaiting``,
``account.filing``, ``platforms.token`` …); the longest matching prefix decides. A new kind
from a later app falls into its app's category by its first part, or into "other".
"""

from __future__ import annotations

from mediadesk.notifications.models import Category

PREFIXES: dict[str, str] = {
    # content and its three review levels
    "content": Category.REVIEW,
    "review": Category.REVIEW,
    # calendar, publishing, withdrawals, reposts
    "publishing": Category.PUBLISHING,
    "publication": Category.PUBLISHING,
    "calendar": Category.PUBLISHING,
    "content.publish": Category.PUBLISHING,
    # the account matrix and the platform connections
    "account": Category.ACCOUNTS,
    "accounts": Category.ACCOUNTS,
    "application": Category.ACCOUNTS,
    "filing": Category.ACCOUNTS,
    "credential": Category.ACCOUNTS,
    "platforms": Category.ACCOUNTS,
    # comments, messages, their time limits, public opinion and crises
    "inbox": Category.INBOX,
    "interaction": Category.INBOX,
    "alert": Category.INBOX,
    "alerts": Category.INBOX,
    "risk": Category.INBOX,
    "crisis": Category.INBOX,
    "opinion": Category.INBOX,
}


def category_of(kind: str) -> str:
    """``content.review.awaiting`` → ``review``; unknown kinds → ``other``."""
    parts = (kind or "").split(".")
    for size in range(len(parts), 0, -1):
        found = PREFIXES.get(".".join(parts[:size]))
        if found is not None:
            return str(found)
    return str(Category.OTHER)

"""Reading publications: lists with filters, one publication with its attempts, withdrawals.

What a person may read follows ``content.view`` on the publication's account (its unit and
those above, or a grant on the account itself). The calendar and plan table (the planner's)
and the publication pages read through these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import ALL_UNITS, Action, account_ids_for, unit_paths_for
from mediadesk.publishing.models import (
    Publication,
    PublicationState,
    PublishAttempt,
    WithdrawalRequest,
    WithdrawalStatus,
)


def _visible(qs: QuerySet, user: Any, account_field: str) -> QuerySet:
    paths = unit_paths_for(user, Action.CONTENT_VIEW)
    if paths is ALL_UNITS:
        return qs
    condition = Q(**{f"{account_field}_id__in": account_ids_for(user, Action.CONTENT_VIEW)})
    for path in paths:
        condition |= Q(**{f"{account_field}__owning_unit__path__startswith": path})
    return qs.filter(condition)


def visible_publications(user: Any) -> QuerySet[Publication]:
    qs = Publication.objects.select_related("account__owning_unit", "item", "variant", "owner")
    return _visible(qs, user, "account")


def publications(
    *,
    user: Any,
    account: int | None = None,
    unit: int | None = None,
    state: str | list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[Publication]:
    """Publications ``user`` may see, by account, unit (and below), state(s) and the time
    range ``start`` ≤ scheduled_at < ``end``, in time order."""
    qs = visible_publications(user)
    if account is not None:
        qs = qs.filter(account_id=account)
    if unit is not None:
        node = OrgUnit.objects.filter(pk=unit).first()
        if node is None:
            raise ValidationFailed("Unknown unit.", fields={"unit": "unknown"})
        qs = qs.filter(account__owning_unit__path__startswith=node.path)
    if state:
        states = [state] if isinstance(state, str) else list(state)
        unknown = set(states) - set(PublicationState.values)
        if unknown:
            raise ValidationFailed(
                f"Unknown state: {', '.join(sorted(unknown))}.", fields={"state": "unknown"}
            )
        qs = qs.filter(state__in=states)
    if start is not None:
        qs = qs.filter(scheduled_at__gte=start)
    if end is not None:
        qs = qs.filter(scheduled_at__lt=end)
    return qs.order_by("scheduled_at", "pk")


def publication(*, user: Any, pk: int) -> Publication:
    found = visible_publications(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such publication.")
    return found


def attempts(pub: Publication) -> QuerySet[PublishAttempt]:
    return pub.attempt_log.order_by("started_at", "pk")


def needs_attention(*, user: Any) -> QuerySet[Publication]:
    """What a person must act on: possibly published, waiting for a person, failed, missed,
    or published with a problem found by the check after publishing."""
    return (
        visible_publications(user)
        .filter(
            Q(
                state__in=[
                    PublicationState.POSSIBLY_PUBLISHED,
                    PublicationState.AWAITING_PERSON,
                    PublicationState.FAILED,
                    PublicationState.MISSED,
                ]
            )
            | Q(state=PublicationState.PUBLISHED, verification__ok=False)
        )
        .order_by("scheduled_at", "pk")
    )


def withdrawal_requests(
    *, user: Any, status: str | None = None, publication: int | None = None
) -> QuerySet[WithdrawalRequest]:
    qs = _visible(
        WithdrawalRequest.objects.select_related(
            "publication__account__owning_unit", "publication__item", "requested_by", "decided_by"
        ),
        user,
        "publication__account",
    )
    if status:
        if status not in WithdrawalStatus.values:
            raise ValidationFailed(f"Unknown status: {status}.", fields={"status": "unknown"})
        qs = qs.filter(status=status)
    if publication is not None:
        qs = qs.filter(publication_id=publication)
    return qs.order_by("-requested_at", "-pk")

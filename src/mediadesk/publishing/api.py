"""API for publications once they are due: detail with every attempt, lists, and the actions a
person takes — resolve a possibly published post, retry a failed one, confirm an assisted one,
request / approve / reject / retry a withdrawal. Scheduling is the planner's API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from mediadesk.core.errors import NotFound
from mediadesk.core.pagination import page_of
from mediadesk.publishing import selectors, services
from mediadesk.publishing.models import Publication, PublishAttempt, WithdrawalRequest

router = Router(tags=["publishing"])


class AttemptOut(Schema):
    id: int
    operation: str
    outcome: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error_code: str
    message: str
    details: dict[str, Any]


class PublicationOut(Schema):
    id: int
    item_id: int
    item_title: str
    variant_id: int
    account_id: int
    account_name: str
    platform: str
    scheduled_at: dt.datetime
    delivery: str
    state: str
    state_label: str
    version: int
    owner_id: int
    url: str
    platform_post_id: str
    platform_job_id: str
    submitted_at: dt.datetime | None
    published_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    next_check_at: dt.datetime | None
    attempts: int
    error_code: str
    error: str
    verified_at: dt.datetime | None
    verification: dict[str, Any]
    package: dict[str, Any] | None = None


class PublicationDetailOut(PublicationOut):
    attempt_log: list[AttemptOut]


class PublicationPage(Schema):
    items: list[PublicationOut]
    total: int
    page: int
    page_size: int


class PublicationFilter(Schema):
    account: int | None = None
    unit: int | None = None
    state: list[str] | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    page: int = 1
    page_size: int = 50


class ResolveIn(Schema):
    version: int
    published: bool
    url: str = ""
    scheduled_at: dt.datetime | None = None


class RetryIn(Schema):
    version: int
    scheduled_at: dt.datetime | None = None


class ConfirmIn(Schema):
    url: str = Field(min_length=1, max_length=1000)
    version: int | None = None


class WithdrawalIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class DecisionIn(Schema):
    comment: str = ""


class WithdrawalOut(Schema):
    id: int
    publication_id: int
    item_title: str
    account_name: str
    reason: str
    status: str
    status_label: str
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    comment: str
    done_at: dt.datetime | None
    error: str


class WithdrawalPage(Schema):
    items: list[WithdrawalOut]
    total: int
    page: int
    page_size: int


def _out(pub: Publication) -> dict[str, Any]:
    return {
        "id": pub.pk,
        "item_id": pub.item_id,
        "item_title": pub.item.title,
        "variant_id": pub.variant_id,
        "account_id": pub.account_id,
        "account_name": pub.account.name,
        "platform": pub.account.platform,
        "scheduled_at": pub.scheduled_at,
        "delivery": pub.delivery,
        "state": pub.state,
        "state_label": str(pub.get_state_display()),
        "version": pub.version,
        "owner_id": pub.owner_id,
        "url": pub.url,
        "platform_post_id": pub.platform_post_id,
        "platform_job_id": pub.platform_job_id,
        "submitted_at": pub.submitted_at,
        "published_at": pub.published_at,
        "withdrawn_at": pub.withdrawn_at,
        "next_check_at": pub.next_check_at,
        "attempts": pub.attempts,
        "error_code": pub.error_code,
        "error": pub.error,
        "verified_at": pub.verified_at,
        "verification": pub.verification or {},
        "package": (pub.platform_data or {}).get("package"),
    }


def _attempt_out(a: PublishAttempt) -> dict[str, Any]:
    return {
        "id": a.pk,
        "operation": a.operation,
        "outcome": a.outcome,
        "started_at": a.started_at,
        "finished_at": a.finished_at,
        "error_code": a.error_code,
        "message": a.message,
        "details": a.details or {},
    }


def _detail(pub: Publication) -> dict[str, Any]:
    return {**_out(pub), "attempt_log": [_attempt_out(a) for a in selectors.attempts(pub)]}


def _withdrawal_out(w: WithdrawalRequest) -> dict[str, Any]:
    return {
        "id": w.pk,
        "publication_id": w.publication_id,
        "item_title": w.publication.item.title,
        "account_name": w.publication.account.name,
        "reason": w.reason,
        "status": w.status,
        "status_label": str(w.get_status_display()),
        "requested_by_id": w.requested_by_id,
        "requested_at": w.requested_at,
        "decided_by_id": w.decided_by_id,
        "decided_at": w.decided_at,
        "comment": w.comment,
        "done_at": w.done_at,
        "error": w.error,
    }


def _publication(request: HttpRequest, pk: int) -> Publication:
    return selectors.publication(user=request.auth, pk=pk)


def _withdrawal(request: HttpRequest, pk: int) -> WithdrawalRequest:
    found = selectors.withdrawal_requests(user=request.auth).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such withdrawal request.")
    return found


@router.get("/publications", response=PublicationPage)
def list_publications(request: HttpRequest, filters: Query[PublicationFilter]) -> dict[str, Any]:
    qs = selectors.publications(
        user=request.auth,
        account=filters.account,
        unit=filters.unit,
        state=filters.state,
        start=filters.start,
        end=filters.end,
    )
    return page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_out)


@router.get("/publications/{publication_id}", response=PublicationDetailOut)
def get_publication(request: HttpRequest, publication_id: int) -> dict[str, Any]:
    return _detail(_publication(request, publication_id))


@router.post("/publications/{publication_id}/resolve", response=PublicationDetailOut)
def resolve(request: HttpRequest, publication_id: int, payload: ResolveIn) -> dict[str, Any]:
    pub = services.resolve_possibly_published(
        actor=request.auth,
        publication=_publication(request, publication_id),
        version=payload.version,
        published=payload.published,
        url=payload.url,
        scheduled_at=payload.scheduled_at,
    )
    return _detail(selectors.publication(user=request.auth, pk=pub.pk))


@router.post("/publications/{publication_id}/retry", response=PublicationDetailOut)
def retry(request: HttpRequest, publication_id: int, payload: RetryIn) -> dict[str, Any]:
    pub = services.retry_publication(
        actor=request.auth,
        publication=_publication(request, publication_id),
        version=payload.version,
        scheduled_at=payload.scheduled_at,
    )
    return _detail(selectors.publication(user=request.auth, pk=pub.pk))


@router.post("/publications/{publication_id}/confirm", response=PublicationDetailOut)
def confirm(request: HttpRequest, publication_id: int, payload: ConfirmIn) -> dict[str, Any]:
    pub = services.confirm_assisted(
        actor=request.auth,
        publication=_publication(request, publication_id),
        url=payload.url,
        version=payload.version,
    )
    return _detail(selectors.publication(user=request.auth, pk=pub.pk))


@router.post("/publications/{publication_id}/withdrawals", response={201: WithdrawalOut})
def request_withdrawal(request: HttpRequest, publication_id: int, payload: WithdrawalIn) -> Status:
    withdrawal = services.request_withdrawal(
        actor=request.auth,
        publication=_publication(request, publication_id),
        reason=payload.reason,
    )
    return Status(201, _withdrawal_out(_withdrawal(request, withdrawal.pk)))


@router.get("/withdrawals", response=WithdrawalPage)
def list_withdrawals(
    request: HttpRequest,
    status: str | None = None,
    publication: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    qs = selectors.withdrawal_requests(user=request.auth, status=status, publication=publication)
    return page_of(qs, page=page, page_size=page_size, serialize=_withdrawal_out)


@router.post("/withdrawals/{withdrawal_id}/approve", response=WithdrawalOut)
def approve_withdrawal(
    request: HttpRequest, withdrawal_id: int, payload: DecisionIn
) -> dict[str, Any]:
    done = services.decide_withdrawal(
        actor=request.auth,
        request=_withdrawal(request, withdrawal_id),
        approve=True,
        comment=payload.comment,
    )
    return _withdrawal_out(_withdrawal(request, done.pk))


@router.post("/withdrawals/{withdrawal_id}/reject", response=WithdrawalOut)
def reject_withdrawal(
    request: HttpRequest, withdrawal_id: int, payload: DecisionIn
) -> dict[str, Any]:
    done = services.decide_withdrawal(
        actor=request.auth,
        request=_withdrawal(request, withdrawal_id),
        approve=False,
        comment=payload.comment,
    )
    return _withdrawal_out(_withdrawal(request, done.pk))


@router.post("/withdrawals/{withdrawal_id}/retry", response=WithdrawalOut)
def retry_withdrawal(request: HttpRequest, withdrawal_id: int) -> dict[str, Any]:
    done = services.retry_withdrawal(
        actor=request.auth, request=_withdrawal(request, withdrawal_id)
    )
    return _withdrawal_out(_withdrawal(request, done.pk))

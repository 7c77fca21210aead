"""API for the account matrix: registry, applications, filings, conformity, credentials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from mediadesk.accounts import credentials, personal, selectors, services, spreadsheets
from mediadesk.accounts.models import (
    AccountLink,
    ApplicationStatus,
    CompanyNames,
    Credential,
    CredentialKind,
    Filing,
    FilingKind,
    MatrixRole,
    Platform,
    UnitProfile,
)
from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.core.pagination import page_of
from mediadesk.orgs.models import OrgUnit, Role, RoleAssignment, User
from mediadesk.orgs.permissions import Action, require
from mediadesk.orgs.services import mask_phone

router = Router(tags=["accounts"])


class AccountOut(Schema):
    id: int
    platform: str
    platform_account_id: str
    name: str
    owning_unit_id: int
    matrix_role: str
    function_positioning: str
    content_positioning: str
    target_posts_per_week: int
    status: str
    verification_status: str
    verification_expires_on: dt.date | None
    follower_count: int
    admin_wechat_id: str
    bound_phone_masked: str
    responsible_person_id: int | None
    bio: str
    has_avatar: bool
    wechat_menu: Any = None
    name_exception: str


class AccountPage(Schema):
    items: list[AccountOut]
    total: int
    page: int
    page_size: int


class AccountFilter(Schema):
    platform: Platform | None = None
    unit: int | None = None
    status: str | None = None
    matrix_role: MatrixRole | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


class AccountIn(Schema):
    platform: Platform
    name: str = Field(min_length=1, max_length=100)
    owning_unit_id: int
    matrix_role: MatrixRole
    platform_account_id: str = ""
    function_positioning: str = ""
    content_positioning: str = ""
    target_posts_per_week: int = Field(default=0, ge=0)
    verification_status: str = "unverified"
    verification_expires_on: dt.date | None = None
    follower_count: int = Field(default=0, ge=0)
    admin_wechat_id: str = ""
    bound_phone: str = ""
    bio: str = ""
    wechat_menu: dict[str, Any] | None = None


class AccountPatch(Schema):
    platform_account_id: str | None = None
    matrix_role: MatrixRole | None = None
    target_posts_per_week: int | None = Field(default=None, ge=0)
    verification_status: str | None = None
    verification_expires_on: dt.date | None = None
    follower_count: int | None = Field(default=None, ge=0)
    admin_wechat_id: str | None = None
    bound_phone: str | None = None
    bio: str | None = None
    wechat_menu: dict[str, Any] | None = None
    responsible_person_id: int | None = None


class DeviationOut(Schema):
    code: str
    message: str
    expected: str
    actual: str


class ConformityOut(Schema):
    account_id: int
    account_name: str
    deviations: list[DeviationOut]


class ReasonIn(Schema):
    reason: str = ""


class ApplicationIn(Schema):
    unit_id: int
    platform: Platform
    name: str = Field(min_length=1, max_length=100)
    matrix_role: MatrixRole
    platform_account_id: str = ""
    necessity: str = ""
    feasibility: str = ""
    type_reason: str = ""
    positioning: str = ""
    publishing_frequency: str = ""
    layout: str = ""
    operating_team: str = ""
    review_flow: str = ""
    technical_support: str = ""


class ResubmitIn(Schema):
    necessity: str | None = None
    feasibility: str | None = None
    type_reason: str | None = None
    positioning: str | None = None
    publishing_frequency: str | None = None
    layout: str | None = None
    operating_team: str | None = None
    review_flow: str | None = None
    technical_support: str | None = None
    changes: dict[str, str] | None = None


class ChangeIn(Schema):
    reason: str
    name: str | None = None
    function_positioning: str | None = None
    content_positioning: str | None = None


class FeedbackIn(Schema):
    feedback: str = ""


class EventOut(Schema):
    action: str
    actor_id: int
    revision: int
    comment: str
    at: dt.datetime


class ApplicationOut(Schema):
    id: int
    kind: str
    account_id: int
    unit_id: int
    applicant_id: int
    status: str
    revision: int
    necessity: str
    feasibility: str
    type_reason: str
    positioning: str
    publishing_frequency: str
    layout: str
    operating_team: str
    review_flow: str
    technical_support: str
    changes: dict[str, Any]
    feedback: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    events: list[EventOut] = []


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    total: int
    page: int
    page_size: int


class FilingIn(Schema):
    kind: FilingKind
    reason: str
    occurred_on: dt.date | None = None
    cause: str = ""


class FilingOut(Schema):
    id: int
    account_id: int
    kind: str
    status: str
    reason: str
    recipients: list[str]
    occurred_on: dt.date
    due_on: dt.date | None
    filed_at: dt.datetime | None
    filed_by_id: int | None
    late: bool


class FilingPage(Schema):
    items: list[FilingOut]
    total: int
    page: int
    page_size: int


class TeamIn(Schema):
    person_id: int
    role: Role


class GrantOut(Schema):
    id: int
    user_id: int
    role: str
    account_id: int | None


class LinkIn(Schema):
    target_id: int
    note: str = ""


class CredentialIn(Schema):
    kind: CredentialKind
    value: str = Field(min_length=1)
    label: str = ""


class RotateIn(Schema):
    value: str = Field(min_length=1)
    reason: str = ""


class RevealIn(Schema):
    purpose: str = ""


class CredentialOut(Schema):
    id: int
    account_id: int
    kind: str
    label: str
    version: int
    created_at: dt.datetime
    rotated_at: dt.datetime | None
    rotated_by_id: int | None


class RevealOut(Schema):
    id: int
    value: str


class RotationTaskOut(Schema):
    id: int
    credential_id: int
    account_id: int
    reason: str
    created_at: dt.datetime


class OffboardOut(Schema):
    revoked_roles: int
    rotation_tasks: list[RotationTaskOut]


class ProfileIn(Schema):
    brand_name: str = ""
    unit_name: str = ""
    standard_bio: str = ""


class ProfileOut(ProfileIn):
    unit_id: int
    has_logo: bool


class CompanyNamesIO(Schema):
    full_names: list[str]
    short_names: list[str] = []
    english_names: list[str] = []


class PersonalHitOut(Schema):
    row: int
    employee: str
    field: str
    value: str
    matched: str


class ImportOut(Schema):
    imported: int


def _account_out(account: Any) -> dict[str, Any]:
    data = {f: getattr(account, f) for f in AccountOut.model_fields if hasattr(account, f)}
    data.update(
        owning_unit_id=account.owning_unit_id,
        responsible_person_id=account.responsible_person_id,
        bound_phone_masked=mask_phone(account.bound_phone),
        has_avatar=bool(account.avatar_hash),
    )
    return data


def _filing_out(filing: Filing) -> dict[str, Any]:
    return {
        **{f: getattr(filing, f) for f in FilingOut.model_fields if f not in {"late"}},
        "late": selectors.is_late(filing),
    }


def _application_out(application: Any, *, events: bool = False) -> dict[str, Any]:
    data = {f: getattr(application, f) for f in ApplicationOut.model_fields if f != "events"}
    data["events"] = list(application.events.all()) if events else []
    return data


def _unit(unit_id: int, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationFailed(f"unit {unit_id} does not exist", fields={field: "no such unit"})
    return unit


def _person(person_id: int, field: str) -> User:
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationFailed(
            f"person {person_id} does not exist", fields={field: "no such person"}
        )
    return person


def _read_upload(upload: UploadedFile, limit: int) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise ValidationFailed(
            f"the file is larger than {limit // 1024 // 1024} MB", fields={"file": "too large"}
        )
    return upload.read()


# --- registry ------------------------------------------------------------


@router.get("/accounts", response=AccountPage)
def list_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> dict[str, Any]:
    qs = selectors.list_accounts(
        user=request.auth,
        platform=filters.platform,
        unit=filters.unit,
        status=filters.status,
        matrix_role=filters.matrix_role,
        q=filters.q,
    )
    return page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_account_out)


@router.post("/accounts", response={201: AccountOut})
def register_account(request: HttpRequest, payload: AccountIn) -> Status:
    data = payload.dict()
    unit = _unit(data.pop("owning_unit_id"), "owning_unit_id")
    account = services.register_account(actor=request.auth, owning_unit=unit, **data)
    return Status(201, _account_out(account))


@router.get("/accounts/export")
def export_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> HttpResponse:
    qs = selectors.list_accounts(
        user=request.auth,
        platform=filters.platform,
        unit=filters.unit,
        status=filters.status,
        matrix_role=filters.matrix_role,
        q=filters.q,
    )
    content = spreadsheets.export_for(actor=request.auth, accounts=qs)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="accounts.xlsx"'
    return response


@router.post("/accounts/import", response={201: ImportOut})
def import_accounts(request: HttpRequest, file: UploadedFile = File(...)) -> Status:
    created = spreadsheets.import_accounts(
        actor=request.auth, content=_read_upload(file, 10 * 1024 * 1024)
    )
    return Status(201, {"imported": len(created)})


@router.get("/accounts/matrix")
def account_matrix(request: HttpRequest) -> dict[str, Any]:
    """Units × platforms: each cell lists the accounts with status and health flags."""
    data = selectors.matrix(user=request.auth)
    return {
        "platforms": [p.value for p in data["platforms"]],
        "units": [
            {
                "id": unit.pk,
                "name": unit.name,
                "cells": {
                    platform: [
                        {"id": a.pk, "name": a.name, "status": a.status, "flags": h.flags}
                        for a, h in data["rows"][unit.pk].get(platform, [])
                    ]
                    for platform in data["rows"][unit.pk]
                },
            }
            for unit in data["units"]
        ],
        "links": [
            {"source_id": link.source_id, "target_id": link.target_id, "note": link.note}
            for link in AccountLink.objects.filter(
                source__in=selectors.visible_accounts(request.auth),
                target__in=selectors.visible_accounts(request.auth),
            )
        ],
    }


@router.get("/accounts/conformity", response=list[ConformityOut])
def conformity_report(request: HttpRequest, unit: int | None = None) -> list[dict[str, Any]]:
    return [
        {"account_id": a.pk, "account_name": a.name, "deviations": [d.__dict__ for d in devs]}
        for a, devs in selectors.conformity_report(user=request.auth, unit=unit)
    ]


@router.get("/accounts/{account_id}", response=AccountOut)
def get_account(request: HttpRequest, account_id: int) -> dict[str, Any]:
    return _account_out(selectors.get_account(user=request.auth, account_id=account_id))


@router.patch("/accounts/{account_id}", response=AccountOut)
def update_account(request: HttpRequest, account_id: int, payload: AccountPatch) -> dict[str, Any]:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    fields = payload.dict(exclude_unset=True)
    if "responsible_person_id" in fields:
        person_id = fields.pop("responsible_person_id")
        fields["responsible_person"] = (
            _person(person_id, "responsible_person_id") if person_id else None
        )
    return _account_out(services.update_account(actor=request.auth, account=account, **fields))


@router.post("/accounts/{account_id}/avatar", response=AccountOut)
def upload_avatar(
    request: HttpRequest, account_id: int, file: UploadedFile = File(...)
) -> dict[str, Any]:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    data = _read_upload(file, services.MAX_IMAGE_BYTES)
    return _account_out(services.update_account(actor=request.auth, account=account, avatar=data))


@router.post("/accounts/{account_id}/name-exception", response=AccountOut)
def name_exception(request: HttpRequest, account_id: int, payload: ReasonIn) -> dict[str, Any]:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    return _account_out(
        services.set_name_exception(actor=request.auth, account=account, reason=payload.reason)
    )


@router.get("/accounts/{account_id}/conformity", response=list[DeviationOut])
def account_conformity(request: HttpRequest, account_id: int) -> list[dict[str, str]]:
    from mediadesk.accounts.conformity import check_account

    return [
        d.__dict__
        for d in check_account(selectors.get_account(user=request.auth, account_id=account_id))
    ]


@router.post("/accounts/{account_id}/links", response={201: dict})
def link_accounts(request: HttpRequest, account_id: int, payload: LinkIn) -> Status:
    source = selectors.get_account(user=request.auth, account_id=account_id)
    target = selectors.get_account(user=request.auth, account_id=payload.target_id)
    link = services.link_accounts(
        actor=request.auth, source=source, target=target, note=payload.note
    )
    body = {"id": link.pk, "source_id": source.pk, "target_id": target.pk, "note": link.note}
    return Status(201, body)


@router.delete("/accounts/links/{link_id}", response={204: None})
def unlink_accounts(request: HttpRequest, link_id: int) -> Status:
    link = AccountLink.objects.select_related("source__owning_unit").filter(pk=link_id).first()
    if link is None:
        raise NotFound(f"link {link_id} does not exist")
    services.unlink_accounts(actor=request.auth, link=link)
    return Status(204, None)


# --- team ------------------------------------------------------------


@router.get("/accounts/{account_id}/team", response=list[GrantOut])
def account_team(request: HttpRequest, account_id: int) -> Any:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    return RoleAssignment.objects.active().filter(account=account).order_by("role")


@router.post("/accounts/{account_id}/team", response={201: GrantOut})
def add_team_member(request: HttpRequest, account_id: int, payload: TeamIn) -> Status:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    grant = services.grant_account_role(
        actor=request.auth,
        person=_person(payload.person_id, "person_id"),
        role=payload.role,
        account=account,
    )
    return Status(201, grant)


@router.delete("/accounts/team/{grant_id}", response=GrantOut)
def remove_team_member(request: HttpRequest, grant_id: int) -> RoleAssignment:
    grant = RoleAssignment.objects.filter(pk=grant_id, account__isnull=False).first()
    if grant is None:
        raise NotFound(f"account role {grant_id} does not exist")
    return services.revoke_account_role(actor=request.auth, assignment=grant)


# --- applications ------------------------------------------------------------


@router.get("/account-applications", response=ApplicationPage)
def list_applications(
    request: HttpRequest,
    status: ApplicationStatus | None = None,
    unit: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    qs = selectors.list_applications(user=request.auth, status=status, unit=unit)
    return page_of(qs, page=page, page_size=page_size, serialize=_application_out)


@router.post("/account-applications", response={201: ApplicationOut})
def apply(request: HttpRequest, payload: ApplicationIn) -> Status:
    data = payload.dict()
    unit = _unit(data.pop("unit_id"), "unit_id")
    application = services.apply_for_account(actor=request.auth, unit=unit, **data)
    return Status(201, _application_out(application, events=True))


@router.get("/account-applications/{application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _application_out(
        selectors.get_application(user=request.auth, application_id=application_id), events=True
    )


@router.post("/account-applications/{application_id}/return", response=ApplicationOut)
def return_application(
    request: HttpRequest, application_id: int, payload: FeedbackIn
) -> dict[str, Any]:
    application = selectors.get_application(user=request.auth, application_id=application_id)
    return _application_out(
        services.return_application(
            actor=request.auth, application=application, feedback=payload.feedback
        ),
        events=True,
    )


@router.post("/account-applications/{application_id}/resubmit", response=ApplicationOut)
def resubmit_application(
    request: HttpRequest, application_id: int, payload: ResubmitIn
) -> dict[str, Any]:
    application = selectors.get_application(user=request.auth, application_id=application_id)
    answers = payload.dict(exclude_none=True)
    return _application_out(
        services.resubmit_application(actor=request.auth, application=application, **answers),
        events=True,
    )


@router.post("/account-applications/{application_id}/approve", response=ApplicationOut)
def approve_application(
    request: HttpRequest, application_id: int, payload: FeedbackIn
) -> dict[str, Any]:
    application = selectors.get_application(user=request.auth, application_id=application_id)
    return _application_out(
        services.approve_application(
            actor=request.auth, application=application, comment=payload.feedback
        ),
        events=True,
    )


@router.post("/account-applications/{application_id}/withdraw", response=ApplicationOut)
def withdraw_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    application = selectors.get_application(user=request.auth, application_id=application_id)
    return _application_out(
        services.withdraw_application(actor=request.auth, application=application), events=True
    )


@router.post("/accounts/{account_id}/change-requests", response={201: ApplicationOut})
def request_change(request: HttpRequest, account_id: int, payload: ChangeIn) -> Status:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    changes = payload.dict(exclude_none=True)
    reason = changes.pop("reason")
    application = services.request_change(
        actor=request.auth, account=account, reason=reason, **changes
    )
    return Status(201, _application_out(application, events=True))


# --- filings ------------------------------------------------------------


@router.get("/filings", response=FilingPage)
def list_filings(
    request: HttpRequest,
    account: int | None = None,
    kind: FilingKind | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    qs = selectors.list_filings(
        user=request.auth, account=account, kind=kind, status=status, overdue=overdue
    )
    return page_of(qs, page=page, page_size=page_size, serialize=_filing_out)


@router.post("/accounts/{account_id}/filings", response={201: FilingOut})
def file_status_change(request: HttpRequest, account_id: int, payload: FilingIn) -> Status:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    filing = services.file_status_change(
        actor=request.auth,
        account=account,
        kind=payload.kind,
        reason=payload.reason,
        occurred_on=payload.occurred_on,
        details={"cause": payload.cause} if payload.cause else None,
    )
    return Status(201, _filing_out(filing))


@router.post("/filings/{filing_id}/complete", response=FilingOut)
def complete_filing(request: HttpRequest, filing_id: int, payload: ReasonIn) -> dict[str, Any]:
    filing = Filing.objects.select_related("account__owning_unit").filter(pk=filing_id).first()
    if filing is None:
        raise NotFound(f"filing {filing_id} does not exist")
    require(request.auth, Action.ACCOUNT_VIEW, filing)
    return _filing_out(
        services.complete_filing(actor=request.auth, filing=filing, reason=payload.reason)
    )


# --- brand standards ------------------------------------------------------------


def _profile_out(profile: UnitProfile) -> dict[str, Any]:
    return {
        "unit_id": profile.unit_id,
        "brand_name": profile.brand_name,
        "unit_name": profile.unit_name,
        "standard_bio": profile.standard_bio,
        "has_logo": bool(profile.logo_hash),
    }


@router.get("/units/{unit_id}/brand-profile", response=ProfileOut)
def get_profile(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    unit = _unit(unit_id, "unit_id")
    require(request.auth, Action.ACCOUNT_VIEW, unit)
    return _profile_out(UnitProfile.objects.filter(unit=unit).first() or UnitProfile(unit=unit))


@router.put("/units/{unit_id}/brand-profile", response=ProfileOut)
def set_profile(request: HttpRequest, unit_id: int, payload: ProfileIn) -> dict[str, Any]:
    from mediadesk.accounts.standards import save_profile

    unit = _unit(unit_id, "unit_id")
    return _profile_out(save_profile(actor=request.auth, unit=unit, **payload.dict()))


@router.post("/units/{unit_id}/brand-profile/logo", response=ProfileOut)
def set_logo(request: HttpRequest, unit_id: int, file: UploadedFile = File(...)) -> dict[str, Any]:
    from mediadesk.accounts.standards import save_profile

    unit = _unit(unit_id, "unit_id")
    return _profile_out(
        save_profile(
            actor=request.auth, unit=unit, logo=_read_upload(file, services.MAX_IMAGE_BYTES)
        )
    )


@router.get("/company-names", response=CompanyNamesIO)
def get_company_names(request: HttpRequest) -> Any:
    require(request.auth, Action.ACCOUNT_VIEW)
    return CompanyNames.objects.first() or CompanyNames(full_names=[])


@router.put("/company-names", response=CompanyNamesIO)
def set_company_names(request: HttpRequest, payload: CompanyNamesIO) -> Any:
    from mediadesk.accounts.standards import save_company_names

    return save_company_names(actor=request.auth, **payload.dict())


@router.post("/personal-accounts/check", response=list[PersonalHitOut])
def check_personal(request: HttpRequest, file: UploadedFile = File(...)) -> list[dict[str, Any]]:
    """Upload a CSV/Excel list of employees' nicknames and group names; get the ones that
    use the company's names (also disguised with spaces, symbols, traditional or full-width)."""
    hits = personal.check_upload(
        actor=request.auth,
        content=_read_upload(file, 10 * 1024 * 1024),
        filename=file.name or "",
    )
    return [h.__dict__ for h in hits]


# --- credentials ------------------------------------------------------------


def _credential(credential_id: int) -> Credential:
    credential = (
        Credential.objects.select_related("account__owning_unit").filter(pk=credential_id).first()
    )
    if credential is None:
        raise NotFound(f"credential {credential_id} does not exist")
    return credential


@router.get(
    "/accounts/{account_id}/credentials", response=list[CredentialOut], tags=["credentials"]
)
def list_credentials(request: HttpRequest, account_id: int) -> Any:
    """What is stored and when it was rotated; never a value."""
    account = selectors.get_account(user=request.auth, account_id=account_id)
    require(request.auth, Action.CREDENTIAL_MANAGE, account)
    return account.credentials.all()


@router.post(
    "/accounts/{account_id}/credentials", response={201: CredentialOut}, tags=["credentials"]
)
def store_credential(request: HttpRequest, account_id: int, payload: CredentialIn) -> Status:
    account = selectors.get_account(user=request.auth, account_id=account_id)
    credential = credentials.store_credential(
        actor=request.auth,
        account=account,
        kind=payload.kind,
        value=payload.value,
        label=payload.label,
    )
    return Status(201, credential)


@router.post("/credentials/{credential_id}/reveal", response=RevealOut, tags=["credentials"])
def reveal_credential(
    request: HttpRequest, credential_id: int, payload: RevealIn
) -> dict[str, Any]:
    """Returns the secret to a permitted person; the reveal is audited."""
    credential = _credential(credential_id)
    return {
        "id": credential.pk,
        "value": credentials.reveal_credential(
            actor=request.auth, credential=credential, purpose=payload.purpose
        ),
    }


@router.post("/credentials/{credential_id}/rotate", response=CredentialOut, tags=["credentials"])
def rotate_credential(request: HttpRequest, credential_id: int, payload: RotateIn) -> Credential:
    return credentials.rotate_credential(
        actor=request.auth,
        credential=_credential(credential_id),
        value=payload.value,
        reason=payload.reason,
    )


@router.get("/rotation-tasks", response=list[RotationTaskOut], tags=["credentials"])
def rotation_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": t.pk,
            "credential_id": t.credential_id,
            "account_id": t.credential.account_id,
            "reason": t.reason,
            "created_at": t.created_at,
        }
        for t in selectors.open_rotation_tasks(user=request.auth)
    ]


@router.post("/people/{person_id}/offboard", response=OffboardOut, tags=["people"])
def offboard(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """Someone leaves: revoke roles, tokens and sessions, and open a rotation task for each
    credential they could reveal."""
    person = _person(person_id, "person_id")
    with transaction.atomic():
        before = person.role_assignments.active().count()
        tasks = credentials.offboard_person(actor=request.auth, person=person)
    return {
        "revoked_roles": before,
        "rotation_tasks": [
            {
                "id": t.pk,
                "credential_id": t.credential_id,
                "account_id": t.credential.account_id,
                "reason": t.reason,
                "created_at": t.created_at,
            }
            for t in tasks
        ],
    }

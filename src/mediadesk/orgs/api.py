"""API for the organisation tree, people, roles, permissions and personal tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from mediadesk.core.errors import NotFound, ValidationFailed
from mediadesk.core.pagination import page_of
from mediadesk.orgs import selectors, services
from mediadesk.orgs.models import ApiToken, OrgUnit, Role, RoleAssignment, UnitKind, User
from mediadesk.orgs.permissions import ROLE_ACTIONS, Action, can

router = Router(tags=["organisation"])


# --- schemas ------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    path: str
    code: str


class UnitIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: UnitKind
    parent_id: int | None = None
    code: str = ""


class UnitPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    code: str | None = None


class MoveIn(Schema):
    parent_id: int


class UnitFilter(Schema):
    kind: UnitKind | None = None
    parent: int | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50


class PersonOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    org_unit_id: int | None
    is_active: bool
    locked: bool


class PersonIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    display_name: str = Field(min_length=1, max_length=100)
    org_unit_id: int
    password: str
    email: str = ""
    phone: str = ""


class PersonPatch(Schema):
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = None
    phone: str | None = None
    org_unit_id: int | None = None


class PasswordIn(Schema):
    password: str


class PeopleFilter(Schema):
    q: str | None = None
    unit: int | None = None
    role: Role | None = None
    active: bool | None = None
    page: int = 1
    page_size: int = 50


class GrantOut(Schema):
    id: int
    user_id: int
    role: str
    org_unit_id: int | None
    account_id: int | None
    granted_by_id: int | None
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class GrantIn(Schema):
    person_id: int
    role: Role
    org_unit_id: int


class GrantFilter(Schema):
    person: int | None = None
    unit: int | None = None
    role: Role | None = None
    active: bool | None = True
    page: int = 1
    page_size: int = 50


class RoleOut(Schema):
    id: str
    label: str
    actions: list[str]


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    org_unit_id: int | None
    is_superuser: bool
    roles: list[GrantOut]
    actions: list[str]


class CheckOut(Schema):
    allowed: bool
    action: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_at: dt.datetime | None = None


class TokenCreated(TokenOut):
    token: str = Field(description="The raw token. Shown once; store it now.")


class PageOf(Schema):
    total: int
    page: int
    page_size: int


class UnitPage(PageOf):
    items: list[UnitOut]


class PersonPage(PageOf):
    items: list[PersonOut]


class GrantPage(PageOf):
    items: list[GrantOut]


def _person_out(person: User, *, full: bool = False) -> dict[str, Any]:
    return {
        "id": person.pk,
        "username": person.username,
        "display_name": person.display_name,
        "email": person.email,
        "phone": person.phone if full else services.mask_phone(person.phone),
        "org_unit_id": person.org_unit_id,
        "is_active": person.is_active,
        "locked": services.login_locked_until(person) is not None,
    }


def _unit(unit_id: int | None, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise ValidationFailed(f"unit {unit_id} does not exist", fields={field: "no such unit"})
    return unit


# --- me & permissions -----------------------------------------------------------------------


@router.get("/me", response=MeOut, tags=["auth"])
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "org_unit_id": user.org_unit_id,
        "is_superuser": user.is_superuser,
        "roles": list(selectors.roles_of(user)),
        "actions": sorted(a.value for a in Action if can(user, a)),
    }


@router.get("/permissions/check", response=CheckOut, tags=["auth"])
def check_permission(
    request: HttpRequest, action: Action, unit_id: int | None = None, person_id: int | None = None
) -> dict[str, Any]:
    """May the caller do ``action`` on a unit or person (or anywhere, when neither is given)?"""
    obj: Any = None
    if unit_id is not None:
        obj = _unit(unit_id, "unit_id")
    elif person_id is not None:
        obj = User.objects.filter(pk=person_id).first()
        if obj is None:
            raise ValidationFailed(
                f"person {person_id} does not exist", fields={"person_id": "no such person"}
            )
    return {"allowed": can(request.auth, action, obj), "action": action}


@router.get("/roles", response=list[RoleOut], tags=["roles"])
def roles(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": r.value, "label": str(r.label), "actions": sorted(a.value for a in ROLE_ACTIONS[r])}
        for r in Role
    ]


# --- units ------------------------------------------------------------


@router.get("/units", response=UnitPage, tags=["units"])
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> dict[str, Any]:
    qs = selectors.list_units(
        user=request.auth, kind=filters.kind, parent=filters.parent, q=filters.q
    )
    return page_of(qs, page=filters.page, page_size=filters.page_size)


@router.post("/units", response={201: UnitOut}, tags=["units"])
def create_unit(request: HttpRequest, payload: UnitIn) -> Status:
    parent = _unit(payload.parent_id, "parent_id") if payload.parent_id is not None else None
    unit = services.create_unit(
        actor=request.auth, name=payload.name, kind=payload.kind, parent=parent, code=payload.code
    )
    return Status(201, unit)


@router.get("/units/{unit_id}", response=UnitOut, tags=["units"])
def get_unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    return selectors.get_unit(user=request.auth, unit_id=unit_id)


@router.patch("/units/{unit_id}", response=UnitOut, tags=["units"])
def update_unit(request: HttpRequest, unit_id: int, payload: UnitPatch) -> OrgUnit:
    unit = selectors.get_unit(user=request.auth, unit_id=unit_id)
    return services.update_unit(actor=request.auth, unit=unit, name=payload.name, code=payload.code)


@router.post("/units/{unit_id}/move", response=UnitOut, tags=["units"])
def move_unit(request: HttpRequest, unit_id: int, payload: MoveIn) -> OrgUnit:
    unit = selectors.get_unit(user=request.auth, unit_id=unit_id)
    parent = _unit(payload.parent_id, "parent_id")
    return services.move_unit(actor=request.auth, unit=unit, new_parent=parent)


@router.delete("/units/{unit_id}", response={204: None}, tags=["units"])
def delete_unit(request: HttpRequest, unit_id: int) -> Status:
    unit = selectors.get_unit(user=request.auth, unit_id=unit_id)
    services.delete_unit(actor=request.auth, unit=unit)
    return Status(204, None)


# --- people ------------------------------------------------------------


@router.get("/people", response=PersonPage, tags=["people"])
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> dict[str, Any]:
    qs = selectors.list_people(
        user=request.auth, q=filters.q, unit=filters.unit, role=filters.role, active=filters.active
    )
    return page_of(qs, page=filters.page, page_size=filters.page_size, serialize=_person_out)


@router.post("/people", response={201: PersonOut}, tags=["people"])
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    person = services.create_person(
        actor=request.auth,
        username=payload.username,
        display_name=payload.display_name,
        org_unit=_unit(payload.org_unit_id, "org_unit_id"),
        password=payload.password,
        email=payload.email,
        phone=payload.phone,
    )
    return Status(201, _person_out(person))


@router.get("/people/{person_id}", response=PersonOut, tags=["people"])
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    """The full record, unmasked; reading someone else's is audited."""
    return _person_out(services.read_person(actor=request.auth, person_id=person_id), full=True)


@router.patch("/people/{person_id}", response=PersonOut, tags=["people"])
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    person = selectors.get_person(user=request.auth, person_id=person_id)
    unit = _unit(payload.org_unit_id, "org_unit_id") if payload.org_unit_id is not None else None
    person = services.update_person(
        actor=request.auth,
        person=person,
        display_name=payload.display_name,
        email=payload.email,
        phone=payload.phone,
        org_unit=unit,
    )
    return _person_out(person)


@router.post("/people/{person_id}/unlock", response=PersonOut, tags=["people"])
def unlock_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = selectors.get_person(user=request.auth, person_id=person_id)
    services.unlock_person(actor=request.auth, person=person)
    return _person_out(person)


@router.post("/people/{person_id}/password", response={204: None}, tags=["people"])
def set_password(request: HttpRequest, person_id: int, payload: PasswordIn) -> Status:
    person = selectors.get_person(user=request.auth, person_id=person_id)
    services.set_password(actor=request.auth, person=person, password=payload.password)
    return Status(204, None)


# --- role assignments ------------------------------------------------------------


@router.get("/role-assignments", response=GrantPage, tags=["roles"])
def list_grants(request: HttpRequest, filters: Query[GrantFilter]) -> dict[str, Any]:
    qs = selectors.list_assignments(
        user=request.auth,
        person=filters.person,
        unit=filters.unit,
        role=filters.role,
        active=filters.active,
    )
    return page_of(qs, page=filters.page, page_size=filters.page_size)


@router.post("/role-assignments", response={201: GrantOut}, tags=["roles"])
def grant_role(request: HttpRequest, payload: GrantIn) -> Status:
    person = User.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationFailed(
            f"person {payload.person_id} does not exist", fields={"person_id": "no such person"}
        )
    grant = services.grant_role(
        actor=request.auth,
        person=person,
        role=payload.role,
        org_unit=_unit(payload.org_unit_id, "org_unit_id"),
    )
    return Status(201, grant)


@router.delete("/role-assignments/{grant_id}", response=GrantOut, tags=["roles"])
def revoke_role(request: HttpRequest, grant_id: int) -> RoleAssignment:
    grant = RoleAssignment.objects.filter(pk=grant_id).first()
    if grant is None:
        raise NotFound(f"role assignment {grant_id} does not exist")
    return services.revoke_role(actor=request.auth, assignment=grant)


# --- personal API tokens ---------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut], tags=["auth"])
def list_tokens(request: HttpRequest, include_revoked: bool = False) -> Any:
    return selectors.list_api_tokens(user=request.auth, include_revoked=include_revoked)


@router.post("/tokens", response={201: TokenCreated}, tags=["auth"])
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = services.create_api_token(
        actor=request.auth, name=payload.name, expires_at=payload.expires_at
    )
    data = TokenOut.from_orm(token).dict()
    return Status(201, {**data, "token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut, tags=["auth"])
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (
        token.user_id != request.auth.pk and not can(request.auth, Action.PERSON_MANAGE, token.user)
    ):
        raise NotFound(f"token {token_id} does not exist")
    return services.revoke_api_token(actor=request.auth, token=token)

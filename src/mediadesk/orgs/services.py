"""Changes to the organisation, people, roles and API tokens. Each writes one audit entry.

Keyword-only functions; every one takes the acting person first and checks permission itself,
so the web pages, the API, the CLI and jobs get identical rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from mediadesk.audit.services import record_event
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.orgs.models import ApiToken, OrgUnit, Role, RoleAssignment, UnitKind, User
from mediadesk.orgs.permissions import (
    ADMINISTRATIVE_ACTIONS,
    Action,
    can,
    forget_grants,
    require,
    role_actions,
)

ALLOWED_PARENT_KINDS: dict[str, set[str]] = {
    UnitKind.GROUP: set(),
    UnitKind.BUSINESS_UNIT: {UnitKind.GROUP},
    UnitKind.DEPARTMENT: {UnitKind.BUSINESS_UNIT, UnitKind.DEPARTMENT},
}
TOKEN_PREFIX = "mdk_"


# --- snapshots for before/after ----------------------------------------------------------


def unit_snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "code": unit.code,
    }


def person_snapshot(person: User) -> dict[str, Any]:
    return {
        "username": person.username,
        "display_name": person.display_name,
        "email": person.email,
        "phone": person.phone,
        "org_unit_id": person.org_unit_id,
        "is_active": person.is_active,
    }


# --- organisation tree ------------------------------------------------------------


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A name is required."), fields={field: _("required")})
    if len(name) > 100:
        raise ValidationFailed(
            _("The name is too long (100 characters at most)."), fields={field: _("too long")}
        )
    return name


def _check_parent_kind(kind: str, parent: OrgUnit | None) -> None:
    if kind not in ALLOWED_PARENT_KINDS:
        raise ValidationFailed(
            _("Unknown unit kind %(kind)s.") % {"kind": kind}, fields={"kind": _("unknown")}
        )
    if kind == UnitKind.GROUP:
        if parent is not None:
            raise ValidationFailed(
                _("A group is the root of the tree and has no parent."),
                fields={"parent": _("must be empty")},
            )
        return
    if parent is None:
        raise ValidationFailed(_("A parent unit is required."), fields={"parent": _("required")})
    if parent.kind not in ALLOWED_PARENT_KINDS[kind]:
        raise ValidationFailed(
            _("A %(kind)s cannot sit under a %(parent_kind)s.")
            % {"kind": UnitKind(kind).label, "parent_kind": UnitKind(parent.kind).label},
            fields={"parent": _("wrong kind of parent")},
        )


def _sibling_name_taken(name: str, parent: OrgUnit | None, exclude_pk: int | None = None) -> bool:
    qs = OrgUnit.objects.filter(parent=parent, name=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def create_unit(
    *, actor: Any, name: str, kind: str, parent: OrgUnit | None = None, code: str = ""
) -> OrgUnit:
    name = _clean_name(name)
    _check_parent_kind(kind, parent)
    if kind == UnitKind.GROUP:
        if not getattr(actor, "is_superuser", False):
            raise PermissionDenied(_("Only a system administrator can create the group."))
        if OrgUnit.objects.filter(kind=UnitKind.GROUP).exists():
            raise Conflict(_("The group already exists; there is one group at the root."))
    else:
        require(actor, Action.ORG_MANAGE, parent)
    if _sibling_name_taken(name, parent):
        raise ValidationFailed(
            _("A unit named %(name)s already exists there.") % {"name": name},
            fields={"name": _("already used")},
        )
    unit = OrgUnit.objects.create(name=name, kind=kind, parent=parent, code=(code or "").strip())
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    record_event(action="orgs.unit.create", actor=actor, obj=unit, after=unit_snapshot(unit))
    return unit


@transaction.atomic
def update_unit(
    *, actor: Any, unit: OrgUnit, name: str | None = None, code: str | None = None
) -> OrgUnit:
    require(actor, Action.ORG_MANAGE, unit)
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = unit_snapshot(unit)
    if name is not None:
        name = _clean_name(name)
        if _sibling_name_taken(name, unit.parent, exclude_pk=unit.pk):
            raise ValidationFailed(
                _("A unit named %(name)s already exists there.") % {"name": name},
                fields={"name": _("already used")},
            )
        unit.name = name
    if code is not None:
        unit.code = code.strip()
    unit.save()
    record_event(
        action="orgs.unit.update", actor=actor, obj=unit, before=before, after=unit_snapshot(unit)
    )
    return unit


@transaction.atomic
def move_unit(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Re-parent a unit with its whole subtree; refuses cycles and wrong kinds of parent."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.get(pk=new_parent.pk)
    require(actor, Action.ORG_MANAGE, unit)
    require(actor, Action.ORG_MANAGE, new_parent)
    if unit.kind == UnitKind.GROUP:
        raise ValidationFailed(
            _("The group is the root and cannot be moved."), fields={"unit": _("is the root")}
        )
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise ValidationFailed(
            _("%(unit)s cannot be moved under itself or one of its own sub-units (%(parent)s).")
            % {"unit": unit.name, "parent": new_parent.name},
            fields={"parent": _("is inside the unit being moved")},
        )
    _check_parent_kind(unit.kind, new_parent)
    if _sibling_name_taken(unit.name, new_parent, exclude_pk=unit.pk):
        raise ValidationFailed(
            _("A unit named %(name)s already exists there.") % {"name": unit.name},
            fields={"parent": _("name already used there")},
        )
    before = unit_snapshot(unit)
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.pk}/"
    OrgUnit.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", Length(Value(old_prefix)) + 1))
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    record_event(
        action="orgs.unit.move", actor=actor, obj=unit, before=before, after=unit_snapshot(unit)
    )
    return unit


@transaction.atomic
def delete_unit(*, actor: Any, unit: OrgUnit) -> None:
    """Delete an empty unit. A unit with sub-units, people, roles or accounts is refused."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    require(actor, Action.ORG_MANAGE, unit)
    if unit.kind == UnitKind.GROUP:
        raise ValidationFailed(_("The group cannot be deleted."), fields={"unit": _("is the root")})
    problems = []
    if n := unit.children.count():
        problems.append(_("%(n)d sub-unit(s)") % {"n": n})
    if n := unit.members.count():
        problems.append(_("%(n)d person(s)") % {"n": n})
    if n := unit.role_grants.active().count():
        problems.append(_("%(n)d role grant(s)") % {"n": n})
    if problems:
        raise Conflict(
            _("%(unit)s still has %(what)s; move or remove them first.")
            % {"unit": unit.name, "what": "、".join(problems)},
            fields={"unit": _("not empty")},
        )
    before = unit_snapshot(unit)
    unit_id = unit.pk
    try:
        with transaction.atomic():
            # Only revoked grants are left; their history is in the audit log.
            unit.role_grants.all().delete()
            unit.delete()
    except ProtectedError as exc:
        kinds = sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
        raise Conflict(
            _("%(unit)s still owns %(n)d record(s) (%(kinds)s); move or close them first.")
            % {
                "unit": before["name"],
                "n": len(exc.protected_objects),
                "kinds": "、".join(map(str, kinds)),
            },
            fields={"unit": _("not empty")},
        ) from exc
    record_event(
        action="orgs.unit.delete",
        actor=actor,
        object_type="orgs.orgunit",
        object_id=str(unit_id),
        object_repr=before["name"],
        scope_path=before["path"],
        before=before,
    )


# --- people ------------------------------------------------------------


def _validated_password(password: str, user: User | None = None) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), fields={"password": exc.messages}) from exc
    return password


@transaction.atomic
def create_person(
    *,
    actor: Any,
    username: str,
    display_name: str,
    org_unit: OrgUnit,
    password: str,
    email: str = "",
    phone: str = "",
) -> User:
    require(actor, Action.PERSON_MANAGE, org_unit)
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(_("A username is required."), fields={"username": _("required")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            _("The username %(u)s is taken.") % {"u": username},
            fields={"username": _("already used")},
        )
    person = User(
        username=username,
        display_name=(display_name or "").strip() or username,
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        org_unit=org_unit,
    )
    person.set_password(_validated_password(password, person))
    person.save()
    record_event(
        action="orgs.person.create", actor=actor, obj=person, after=person_snapshot(person)
    )
    return person


@transaction.atomic
def update_person(
    *,
    actor: Any,
    person: User,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    org_unit: OrgUnit | None = None,
) -> User:
    person = User.objects.select_for_update().get(pk=person.pk)
    require(actor, Action.PERSON_MANAGE, person)
    before = person_snapshot(person)
    if org_unit is not None and org_unit.pk != person.org_unit_id:
        require(actor, Action.PERSON_MANAGE, org_unit)
        person.org_unit = org_unit
    if display_name is not None:
        person.display_name = _clean_name(display_name, "display_name")
    if email is not None:
        person.email = email.strip()
    if phone is not None:
        person.phone = phone.strip()
    person.save()
    record_event(
        action="orgs.person.update",
        actor=actor,
        obj=person,
        before=before,
        after=person_snapshot(person),
    )
    return person


def _end_sessions(person: User) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def deactivate_person(*, actor: Any, person: User) -> list[RoleAssignment]:
    """Someone leaves: no login, no tokens, no sessions, no roles. Returns the revoked grants."""
    person = User.objects.select_for_update().get(pk=person.pk)
    require(actor, Action.PERSON_MANAGE, person)
    if getattr(actor, "pk", None) == person.pk:
        raise ValidationFailed(_("You cannot deactivate yourself."), fields={"person": _("is you")})
    before = person_snapshot(person)
    now = timezone.now()
    grants = list(person.role_assignments.active().select_related("org_unit", "account"))
    person.role_assignments.active().update(revoked_at=now, revoked_by=actor)
    tokens = person.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    person.is_active = False
    person.left_at = now
    person.save(update_fields=["is_active", "left_at"])
    sessions = _end_sessions(person)
    forget_grants(person)
    after = {
        **person_snapshot(person),
        "revoked_roles": [f"{g.role}@{g.scope_object}" for g in grants],
        "revoked_tokens": tokens,
        "ended_sessions": sessions,
    }
    record_event(
        action="orgs.person.deactivate", actor=actor, obj=person, before=before, after=after
    )
    return grants


@transaction.atomic
def set_password(*, actor: Any, person: User, password: str) -> None:
    if getattr(actor, "pk", None) != person.pk:
        require(actor, Action.PERSON_MANAGE, person)
    person.set_password(_validated_password(password, person))
    person.save(update_fields=["password"])
    record_event(action="orgs.person.set_password", actor=actor, obj=person)


@transaction.atomic
def change_own_password(*, actor: User, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationFailed(
            _("The current password is wrong."), fields={"old_password": _("wrong")}
        )
    set_password(actor=actor, person=actor, password=new_password)


@transaction.atomic
def unlock_person(*, actor: Any, person: User) -> None:
    require(actor, Action.PERSON_MANAGE, person)
    before = {
        "locked_until": person.locked_until.isoformat() if person.locked_until else None,
        "failed_login_count": person.failed_login_count,
    }
    User.objects.filter(pk=person.pk).update(locked_until=None, failed_login_count=0)
    person.refresh_from_db()
    record_event(
        action="orgs.person.unlock",
        actor=actor,
        obj=person,
        before=before,
        after={"locked_until": None, "failed_login_count": 0},
    )


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``: lists show enough to recognise, not to dial."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def read_person(*, actor: Any, person_id: int) -> User:
    """A person's full record. Reading someone else's personal data is audited (PIPL)."""
    from mediadesk.orgs.selectors import get_person

    person = get_person(user=actor, person_id=person_id)
    if person.pk != getattr(actor, "pk", None):
        record_event(action="orgs.person.read", actor=actor, obj=person)
    return person


# --- log-in lock-out --------------------------------------------------------------------------


def login_locked_until(person: User) -> dt.datetime | None:
    if person.locked_until and person.locked_until > timezone.now():
        return person.locked_until
    return None


@transaction.atomic
def record_login_failure(*, person: User | None, username: str) -> dt.datetime | None:
    """Count a failed log-in; lock the person after the threshold. Returns the lock end, if any."""
    if person is None:
        record_event(
            action="auth.login_failed",
            object_type="orgs.user",
            object_repr=username[:150],
            after={"reason": "unknown user"},
        )
        return None
    threshold = settings.MEDIADESK_LOCKOUT_THRESHOLD
    person = User.objects.select_for_update().get(pk=person.pk)
    person.failed_login_count += 1
    locked_until = None
    if person.failed_login_count >= threshold:
        locked_until = timezone.now() + dt.timedelta(minutes=settings.MEDIADESK_LOCKOUT_MINUTES)
        person.locked_until = locked_until
        person.failed_login_count = 0
    person.save(update_fields=["failed_login_count", "locked_until"])
    record_event(
        action="auth.login_failed",
        actor=None,
        obj=person,
        after={
            "reason": "wrong password",
            "locked_until": locked_until.isoformat() if locked_until else None,
        },
    )
    if locked_until:
        record_event(
            action="auth.locked", obj=person, after={"locked_until": locked_until.isoformat()}
        )
    return locked_until


def record_logout(*, person: User) -> None:
    record_event(action="auth.logout", actor=person, obj=person)


@transaction.atomic
def record_login_success(*, person: User) -> None:
    User.objects.filter(pk=person.pk).update(
        failed_login_count=0, locked_until=None, last_login=timezone.now()
    )
    record_event(action="auth.login", actor=person, obj=person)


# --- roles ------------------------------------------------------------


def _held_actions(actor: Any, where: Any) -> set[str]:
    return {a for role in Role for a in role_actions(role) if can(actor, a, where)}


@transaction.atomic
def grant_role(
    *, actor: Any, person: User, role: str, org_unit: OrgUnit | None = None, account: Any = None
) -> RoleAssignment:
    """Grant ``role`` on ``org_unit`` (and below) or on one ``account``.

    Nobody hands out administrative powers they do not hold at that place. Grants on an account
    are made through ``mediadesk.accounts.services.grant_account_role``, which also files the
    change.
    """
    if role not in Role.values:
        raise ValidationFailed(
            _("Unknown role %(role)s.") % {"role": role}, fields={"role": _("unknown")}
        )
    if (org_unit is None) == (account is None):
        raise ValidationFailed(
            _("Grant a role on either a unit or an account."), fields={"org_unit": _("required")}
        )
    try:
        person = User.objects.select_for_update().get(pk=getattr(person, "pk", person))
        if org_unit is not None:
            org_unit = OrgUnit.objects.get(pk=getattr(org_unit, "pk", org_unit))
    except (User.DoesNotExist, OrgUnit.DoesNotExist) as exc:
        raise ValidationFailed(
            _("The person or unit does not exist."), fields={"person": _("not found")}
        ) from exc
    where = org_unit if org_unit is not None else account
    require(actor, Action.ROLE_GRANT, where)
    if not person.is_active:
        raise ValidationFailed(
            _("%(p)s has left and cannot be given a role.") % {"p": person},
            fields={"person": _("inactive")},
        )
    if not getattr(actor, "is_superuser", False):
        missing = (role_actions(role) & ADMINISTRATIVE_ACTIONS) - _held_actions(actor, where)
        if missing:
            raise PermissionDenied(
                _(
                    "You cannot grant %(role)s: it carries powers you do not hold there "
                    "(%(missing)s)."
                )
                % {"role": Role(role).label, "missing": ", ".join(sorted(missing))}
            )
    try:
        with transaction.atomic():
            grant = RoleAssignment.objects.create(
                user=person, role=role, org_unit=org_unit, account=account, granted_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(p)s already holds %(role)s on %(where)s.")
            % {"p": person, "role": Role(role).label, "where": where},
        ) from exc
    forget_grants(person)
    record_event(
        action="orgs.role.grant",
        actor=actor,
        obj=grant,
        after={
            "user_id": person.pk,
            "role": role,
            "org_unit_id": getattr(org_unit, "pk", None),
            "account_id": getattr(account, "pk", None),
        },
    )
    return grant


@transaction.atomic
def revoke_role(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("org_unit", "user", "account")
        .get(pk=assignment.pk)
    )
    require(actor, Action.ROLE_GRANT, assignment.scope_object)
    if assignment.revoked_at is not None:
        raise Conflict(_("This role was already revoked."))
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = actor
    assignment.save(update_fields=["revoked_at", "revoked_by"])
    forget_grants(assignment.user)
    record_event(
        action="orgs.role.revoke",
        actor=actor,
        obj=assignment,
        before={
            "user_id": assignment.user_id,
            "role": assignment.role,
            "org_unit_id": assignment.org_unit_id,
            "account_id": assignment.account_id,
            "active": True,
        },
        after={"active": False},
    )
    return assignment


# --- personal API tokens -------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def create_api_token(
    *, actor: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new personal token for ``actor``. The raw value is returned once and never stored."""
    name = _clean_name(name)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(
            _("The expiry must be in the future."), fields={"expires_at": _("in the past")}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=raw[:12], token_hash=hash_token(raw), expires_at=expires_at
    )
    record_event(
        action="auth.token.create",
        actor=actor,
        obj=actor,
        object_type="orgs.apitoken",
        object_id=str(token.pk),
        object_repr=str(token),
        after={
            "name": name,
            "prefix": token.prefix,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update(of=("self",)).select_related("user").get(pk=token.pk)
    if token.user_id != getattr(actor, "pk", None):
        require(actor, Action.PERSON_MANAGE, token.user)
    if token.revoked_at is not None:
        raise Conflict(_("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        action="auth.token.revoke",
        actor=actor,
        obj=token.user,
        object_type="orgs.apitoken",
        object_id=str(token.pk),
        object_repr=str(token),
        before={"active": True},
        after={"active": False},
    )
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None.

    Touches ``last_used_at`` at most once a minute, so busy clients do not write on every call.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

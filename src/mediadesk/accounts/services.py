"""The account registry, opening and change applications, filings and account teams.

Every function checks permission itself and writes one audit entry per change, in the same
transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mediadesk.accounts.conformity import image_hash
from mediadesk.accounts.models import (
    AccountApplication,
    AccountLink,
    AccountStatus,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    Filing,
    FilingKind,
    FilingPolicy,
    FilingStatus,
    MatrixRole,
    Platform,
    SocialAccount,
    VerificationStatus,
)
from mediadesk.audit.services import record_event
from mediadesk.core import workdays
from mediadesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from mediadesk.core.notifications import notify
from mediadesk.orgs import services as org_services
from mediadesk.orgs.models import OrgUnit, Role, RoleAssignment, User
from mediadesk.orgs.permissions import Action, can, require

PERSON_CHANGE_DEADLINE_WORKING_DAYS = 5
MAX_IMAGE_BYTES = 2 * 1024 * 1024

APPLICATION_FIELDS = {
    "necessity": _lazy("necessity"),
    "feasibility": _lazy("feasibility"),
    "type_reason": _lazy("account type and why"),
    "positioning": _lazy("function and content positioning"),
    "publishing_frequency": _lazy("publishing frequency"),
    "layout": _lazy("layout"),
    "operating_team": _lazy("operating team and people"),
    "review_flow": _lazy("review-and-publish flow"),
    "technical_support": _lazy("technical support"),
}
CHANGE_FIELDS = ("name", "function_positioning", "content_positioning")
EDITABLE_FIELDS = (
    "platform_account_id",
    "matrix_role",
    "target_posts_per_week",
    "verification_status",
    "verification_expires_on",
    "follower_count",
    "admin_wechat_id",
    "bound_phone",
    "bio",
    "wechat_menu",
)
TEAM_ROLES = {
    Role.OPERATOR,
    Role.REVIEWER_L1,
    Role.REVIEWER_L2,
    Role.REVIEWER_L3,
    Role.CUSTOMER_SERVICE,
    Role.ACCOUNT_ADMIN,
    Role.DATA_ANALYST,
}


def account_snapshot(account: SocialAccount) -> dict[str, Any]:
    """The account's fields for before/after; the bound phone is masked (PIPL)."""
    return {
        "platform": account.platform,
        "platform_account_id": account.platform_account_id,
        "name": account.name,
        "owning_unit_id": account.owning_unit_id,
        "matrix_role": account.matrix_role,
        "function_positioning": account.function_positioning,
        "content_positioning": account.content_positioning,
        "target_posts_per_week": account.target_posts_per_week,
        "status": account.status,
        "verification_status": account.verification_status,
        "verification_expires_on": str(account.verification_expires_on or ""),
        "follower_count": account.follower_count,
        "admin_wechat_id": account.admin_wechat_id,
        "bound_phone": org_services.mask_phone(account.bound_phone),
        "responsible_person_id": account.responsible_person_id,
        "bio": account.bio,
        "avatar_hash": account.avatar_hash,
        "name_exception": account.name_exception,
    }


def _choice(value: Any, choices: type, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(
            _("%(value)s is not a valid %(field)s.") % {"value": value, "field": field},
            fields={field: _("choose one of: %(c)s") % {"c": ", ".join(choices.values)}},
        )
    return value


def _text(value: Any, field: str, *, required: bool = True, limit: int = 100) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise ValidationFailed(
            _("%(field)s is required.") % {"field": field}, fields={field: _("required")}
        )
    if len(value) > limit:
        raise ValidationFailed(
            _("%(field)s is too long (%(n)d characters at most).") % {"field": field, "n": limit},
            fields={field: _("too long")},
        )
    return value


def _check_unique_platform_id(
    platform: str, platform_account_id: str, exclude: int | None = None
) -> None:
    if not platform_account_id:
        return
    clash = SocialAccount.objects.filter(platform=platform, platform_account_id=platform_account_id)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(
            _("An account with %(platform)s id %(id)s is already registered (%(name)s).")
            % {
                "platform": Platform(platform).label,
                "id": platform_account_id,
                "name": clash.first().name,
            },
            fields={"platform_account_id": _("already registered")},
        )


def _validated_image(data: bytes | None, field: str) -> tuple[bytes | None, str]:
    if data is None:
        return None, ""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationFailed(_("The image is larger than 2 MB."), fields={field: _("too large")})
    try:
        return data, image_hash(data)
    except ValueError as exc:
        raise ValidationFailed(
            _("This is not an image we can read."), fields={field: _("not an image")}
        ) from exc


def _filing_recipients(account: SocialAccount) -> list[str]:
    policy = FilingPolicy.objects.first()
    names = [str(_("HQ communications"))]
    if policy is not None:
        names += [u.name for u in policy.recipient_units.all()]
    return names


def _notify_hq(
    account: SocialAccount, *, kind: str, title: str, link: str = "", dedupe_key: str = ""
) -> None:
    """Tell the people who govern this account (HQ approvers) and the filing recipient units."""
    recipients = [
        g.user
        for g in RoleAssignment.objects.active()
        .filter(role=Role.HQ_COMMUNICATIONS)
        .select_related("user", "org_unit")
        if g.org_unit_id and account.owning_unit.path.startswith(g.org_unit.path)
    ]
    policy = FilingPolicy.objects.first()
    if policy is not None and kind.startswith("filing"):
        recipients += list(
            User.objects.filter(org_unit__in=policy.recipient_units.all(), is_active=True)
        )
    notify(recipients, kind=kind, title=title, link=link, dedupe_key=dedupe_key)


# --- registry ------------------------------------------------------------------------------------


@transaction.atomic
def register_account(
    *,
    actor: Any,
    platform: str,
    name: str,
    owning_unit: OrgUnit,
    matrix_role: str,
    platform_account_id: str = "",
    function_positioning: str = "",
    content_positioning: str = "",
    status: str = AccountStatus.ACTIVE,
    **fields: Any,
) -> SocialAccount:
    """Enter an account that already exists into the registry (HQ), filed as a registration."""
    require(actor, Action.ACCOUNT_MANAGE, owning_unit)
    platform = _choice(platform, Platform, "platform")
    matrix_role = _choice(matrix_role, MatrixRole, "matrix_role")
    status = _choice(status, AccountStatus, "status")
    name = _text(name, "name")
    platform_account_id = _text(platform_account_id, "platform_account_id", required=False)
    _check_unique_platform_id(platform, platform_account_id)
    account = SocialAccount(
        platform=platform,
        name=name,
        owning_unit=owning_unit,
        matrix_role=matrix_role,
        platform_account_id=platform_account_id,
        function_positioning=function_positioning.strip(),
        content_positioning=content_positioning.strip(),
        status=status,
    )
    _apply_fields(account, fields)
    account.save()
    record_event(
        action="accounts.account.register",
        actor=actor,
        obj=account,
        after=account_snapshot(account),
    )
    Filing.objects.create(
        account=account,
        kind=FilingKind.REGISTRATION,
        status=FilingStatus.FILED,
        reason=_("Registered in the matrix"),
        details=account_snapshot(account),
        recipients=_filing_recipients(account),
        occurred_on=timezone.localdate(),
        filed_at=timezone.now(),
        filed_by=actor,
    )
    return account


def _apply_fields(account: SocialAccount, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"avatar", "responsible_person"}
    if unknown:
        blocked = unknown & set(CHANGE_FIELDS)
        if blocked:
            raise ValidationFailed(
                _("A change of name or function needs HQ approval: submit a change application."),
                fields={f: _("needs approval") for f in blocked},
            )
        raise ValidationFailed(
            _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields={f: _("unknown") for f in unknown},
        )
    for field, value in fields.items():
        if field == "matrix_role":
            value = _choice(value, MatrixRole, "matrix_role")
        elif field == "verification_status":
            value = _choice(value, VerificationStatus, "verification_status")
        elif field == "platform_account_id":
            value = _text(value, field, required=False)
            _check_unique_platform_id(account.platform, value, exclude=account.pk)
        elif field in {"target_posts_per_week", "follower_count"}:
            if value is None or int(value) < 0:
                raise ValidationFailed(
                    _("%(f)s must be 0 or more.") % {"f": field}, fields={field: _("must be ≥ 0")}
                )
            value = int(value)
        elif field == "avatar":
            value, account.avatar_hash = _validated_image(value, "avatar")
        elif field == "wechat_menu" and value is not None:
            from mediadesk.accounts.conformity import validate_menu

            validate_menu(value)
        elif field in {"bio", "admin_wechat_id", "bound_phone"}:
            value = (value or "").strip()
        setattr(account, field, value)


@transaction.atomic
def update_account(*, actor: Any, account: SocialAccount, **fields: Any) -> SocialAccount:
    """Change registry details. A new responsible person opens a filing due in 5 working days."""
    account = (
        SocialAccount.objects.select_for_update(of=("self",))
        .select_related("owning_unit")
        .get(pk=account.pk)
    )
    require(actor, Action.ACCOUNT_MANAGE, account)
    before = account_snapshot(account)
    new_responsible = fields.get("responsible_person", account.responsible_person)
    responsible_changed = (
        "responsible_person" in fields
        and getattr(new_responsible, "pk", None) != account.responsible_person_id
    )
    if responsible_changed and new_responsible is not None and not new_responsible.is_active:
        raise ValidationFailed(
            _("%(p)s has left.") % {"p": new_responsible},
            fields={"responsible_person": _("inactive")},
        )
    _apply_fields(account, fields)
    account.save()
    after = account_snapshot(account)
    record_event(
        action="accounts.account.update", actor=actor, obj=account, before=before, after=after
    )
    if responsible_changed:
        _open_person_change_filing(
            account,
            FilingKind.RESPONSIBLE_CHANGE,
            {"from": before["responsible_person_id"], "to": after["responsible_person_id"]},
        )
    return account


@transaction.atomic
def set_name_exception(*, actor: Any, account: SocialAccount, reason: str) -> SocialAccount:
    """HQ approves (or, with an empty reason, withdraws) a deviation from the naming convention."""
    require(actor, Action.ACCOUNT_APPROVE, account)
    before = {"name_exception": account.name_exception}
    account.name_exception = (reason or "").strip()[:300]
    account.save(update_fields=["name_exception", "updated_at"])
    record_event(
        action="accounts.account.name_exception",
        actor=actor,
        obj=account,
        before=before,
        after={"name_exception": account.name_exception},
    )
    return account


@transaction.atomic
def link_accounts(
    *, actor: Any, source: SocialAccount, target: SocialAccount, note: str = ""
) -> AccountLink:
    require(actor, Action.ACCOUNT_MANAGE, source)
    if source.pk == target.pk:
        raise ValidationFailed(
            _("An account cannot link to itself."), fields={"target": _("same account")}
        )
    link, created = AccountLink.objects.get_or_create(
        source=source, target=target, defaults={"note": note[:200]}
    )
    if not created:
        raise Conflict(_("These accounts are already linked."))
    record_event(
        action="accounts.link.create",
        actor=actor,
        obj=source,
        after={"target_id": target.pk, "note": note},
    )
    return link


@transaction.atomic
def unlink_accounts(*, actor: Any, link: AccountLink) -> None:
    require(actor, Action.ACCOUNT_MANAGE, link.source)
    record_event(
        action="accounts.link.delete",
        actor=actor,
        obj=link.source,
        before={"target_id": link.target_id},
    )
    link.delete()


# --- applications ---------------------------------------------------------------------------------


def _application_fields(values: dict[str, Any], *, partial: bool = False) -> dict[str, str]:
    unknown = set(values) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))},
            fields={f: _("unknown") for f in unknown},
        )
    cleaned = {k: (v or "").strip() for k, v in values.items()}
    required = values.keys() if partial else APPLICATION_FIELDS.keys()
    missing = [k for k in required if not cleaned.get(k)]
    if missing:
        raise ValidationFailed(
            _("The application is missing: %(f)s.")
            % {"f": "、".join(str(APPLICATION_FIELDS[k]) for k in missing)},
            fields={k: _("required") for k in missing},
        )
    return cleaned


def _event(application: AccountApplication, action: str, actor: Any, comment: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        actor=actor,
        revision=application.revision,
        comment=comment,
    )
    record_event(
        action=f"accounts.application.{action}",
        actor=actor,
        obj=application,
        after={"status": application.status, "revision": application.revision, "comment": comment},
    )


@transaction.atomic
def apply_for_account(
    *,
    actor: Any,
    unit: OrgUnit,
    platform: str,
    name: str,
    matrix_role: str,
    platform_account_id: str = "",
    **answers: Any,
) -> AccountApplication:
    """A unit applies to HQ to open an account; it appears in the matrix as "applying"."""
    require(actor, Action.ACCOUNT_APPLY, unit)
    platform = _choice(platform, Platform, "platform")
    matrix_role = _choice(matrix_role, MatrixRole, "matrix_role")
    name = _text(name, "name")
    cleaned = _application_fields(answers)
    platform_account_id = _text(platform_account_id, "platform_account_id", required=False)
    _check_unique_platform_id(platform, platform_account_id)
    account = SocialAccount.objects.create(
        platform=platform,
        name=name,
        owning_unit=unit,
        matrix_role=matrix_role,
        platform_account_id=platform_account_id,
        status=AccountStatus.APPLYING,
        function_positioning=cleaned["positioning"],
    )
    record_event(
        action="accounts.account.register",
        actor=actor,
        obj=account,
        after=account_snapshot(account),
    )
    application = AccountApplication.objects.create(
        kind=ApplicationKind.OPEN, account=account, unit=unit, applicant=actor, **cleaned
    )
    _event(application, "submitted", actor)
    _notify_hq(
        account,
        kind="application.submitted",
        title=_("New account application: %(name)s") % {"name": name},
        link=f"/accounts/applications/{application.pk}/",
    )
    return application


@transaction.atomic
def request_change(
    *, actor: Any, account: SocialAccount, reason: str, **changes: Any
) -> AccountApplication:
    """A change of name or function re-runs HQ approval (ACC-3)."""
    require(actor, Action.ACCOUNT_APPLY, account)
    if account.status == AccountStatus.CLOSED:
        raise ValidationFailed(
            _("%(a)s is closed.") % {"a": account}, fields={"account": _("closed")}
        )
    unknown = set(changes) - set(CHANGE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Only the name and the function can be changed this way."),
            fields={f: _("not allowed") for f in unknown},
        )
    proposed = {
        k: (v or "").strip()
        for k, v in changes.items()
        if v is not None and (v or "").strip() != getattr(account, k)
    }
    if not proposed:
        raise ValidationFailed(_("Nothing would change."), fields={"name": _("unchanged")})
    if "name" in proposed:
        _text(proposed["name"], "name")
    reason = _text(reason, "reason", limit=2000)
    if account.applications.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED]
    ).exists():
        raise Conflict(_("%(a)s already has an application in progress.") % {"a": account})
    application = AccountApplication.objects.create(
        kind=ApplicationKind.CHANGE,
        account=account,
        unit=account.owning_unit,
        applicant=actor,
        changes=proposed,
        necessity=reason,
    )
    _event(application, "submitted", actor)
    _notify_hq(
        account,
        kind="application.submitted",
        title=_("Change application: %(name)s") % {"name": account.name},
        link=f"/accounts/applications/{application.pk}/",
    )
    return application


def _locked_application(application: AccountApplication) -> AccountApplication:
    return (
        AccountApplication.objects.select_for_update(of=("self",))
        .select_related("account", "unit")
        .get(pk=application.pk)
    )


@transaction.atomic
def return_application(
    *, actor: Any, application: AccountApplication, feedback: str
) -> AccountApplication:
    application = _locked_application(application)
    require(actor, Action.ACCOUNT_APPROVE, application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(
            _("Only a submitted application can be returned (it is %(s)s).")
            % {"s": application.get_status_display()}
        )
    application.feedback = _text(feedback, "feedback", limit=5000)
    application.status = ApplicationStatus.RETURNED
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save()
    _event(application, "returned", actor, application.feedback)
    notify(
        [application.applicant],
        kind="application.returned",
        title=_("Your application for %(name)s was returned") % {"name": application.account.name},
        body=application.feedback,
        link=f"/accounts/applications/{application.pk}/",
    )
    return application


@transaction.atomic
def resubmit_application(
    *, actor: Any, application: AccountApplication, **answers: Any
) -> AccountApplication:
    """The unit revises a returned application and sends it again."""
    application = _locked_application(application)
    require(actor, Action.ACCOUNT_APPLY, application)
    if application.status != ApplicationStatus.RETURNED:
        raise Conflict(_("Only a returned application can be resubmitted."))
    changes = answers.pop("changes", None)
    cleaned = _application_fields(answers, partial=True) if answers else {}
    for field, value in cleaned.items():
        setattr(application, field, value)
    if changes is not None and application.kind == ApplicationKind.CHANGE:
        application.changes = {k: v.strip() for k, v in changes.items() if k in CHANGE_FIELDS and v}
    if application.kind == ApplicationKind.OPEN:  # the revised whole must still be complete
        _application_fields({k: getattr(application, k) for k in APPLICATION_FIELDS})
    application.status = ApplicationStatus.SUBMITTED
    application.revision += 1
    application.save()
    _event(application, "resubmitted", actor)
    _notify_hq(
        application.account,
        kind="application.submitted",
        title=_("Application resubmitted: %(name)s") % {"name": application.account.name},
        link=f"/accounts/applications/{application.pk}/",
    )
    return application


@transaction.atomic
def approve_application(
    *, actor: Any, application: AccountApplication, comment: str = ""
) -> AccountApplication:
    """HQ approves: a new account becomes active; a change is applied to the account."""
    application = _locked_application(application)
    if not can(actor, Action.ACCOUNT_APPROVE, application):
        raise PermissionDenied(_("Only HQ communications can approve account applications."))
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(
            _("Only a submitted application can be approved (it is %(s)s).")
            % {"s": application.get_status_display()}
        )
    if application.applicant_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("You cannot approve your own application."))
    account = SocialAccount.objects.select_for_update().get(pk=application.account_id)
    before = account_snapshot(account)
    if application.kind == ApplicationKind.OPEN:
        account.status = AccountStatus.ACTIVE
    else:
        for field, value in application.changes.items():
            setattr(account, field, value)
    account.save()
    record_event(
        action="accounts.account.update",
        actor=actor,
        obj=account,
        before=before,
        after=account_snapshot(account),
    )
    application.status = ApplicationStatus.APPROVED
    application.feedback = (comment or "").strip()
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save()
    _event(application, "approved", actor, application.feedback)
    notify(
        [application.applicant],
        kind="application.approved",
        title=_("Approved: %(name)s") % {"name": account.name},
        link=f"/accounts/{account.pk}/",
    )
    return application


@transaction.atomic
def withdraw_application(*, actor: Any, application: AccountApplication) -> AccountApplication:
    application = _locked_application(application)
    if application.applicant_id != getattr(actor, "pk", None):
        require(actor, Action.ACCOUNT_APPROVE, application)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED):
        raise Conflict(_("This application is already decided."))
    application.status = ApplicationStatus.WITHDRAWN
    application.save()
    if application.kind == ApplicationKind.OPEN:
        account = application.account
        before = account_snapshot(account)
        account.status = AccountStatus.CLOSED
        account.save(update_fields=["status", "updated_at"])
        record_event(
            action="accounts.account.update",
            actor=actor,
            obj=account,
            before=before,
            after=account_snapshot(account),
        )
    _event(application, "withdrawn", actor)
    return application


# --- filings -------------------------------------------------------------------------------------

STATUS_AFTER_FILING = {
    FilingKind.CLOSURE: AccountStatus.CLOSED,
    FilingKind.STOP_UPDATING: AccountStatus.STOPPED,
    FilingKind.SUSPENSION: AccountStatus.SUSPENDED,
}


@transaction.atomic
def file_status_change(
    *,
    actor: Any,
    account: SocialAccount,
    kind: str,
    reason: str,
    occurred_on: dt.date | None = None,
    details: dict[str, Any] | None = None,
) -> Filing:
    """File a closure, a stop of updates or a suspension by the platform with HQ (ACC-2)."""
    account = (
        SocialAccount.objects.select_for_update(of=("self",))
        .select_related("owning_unit")
        .get(pk=account.pk)
    )
    require(actor, Action.ACCOUNT_FILE, account)
    if kind not in STATUS_AFTER_FILING:
        raise ValidationFailed(
            _("Choose closure, stop_updating or suspension."), fields={"kind": _("invalid")}
        )
    if account.status == AccountStatus.CLOSED:
        raise ValidationFailed(
            _("%(a)s is already closed; nothing can be filed for it.") % {"a": account},
            fields={"account": _("closed")},
        )
    if account.status == AccountStatus.APPLYING:
        raise ValidationFailed(
            _("%(a)s is still being applied for; withdraw the application instead.")
            % {"a": account},
            fields={"account": _("applying")},
        )
    reason = _text(reason, "reason", limit=5000)
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationFailed(
            _("The date cannot be in the future."), fields={"occurred_on": _("in the future")}
        )
    before = account_snapshot(account)
    filing = Filing.objects.create(
        account=account,
        kind=kind,
        status=FilingStatus.FILED,
        reason=reason,
        details={**before, **(details or {})},
        recipients=_filing_recipients(account),
        occurred_on=occurred_on,
        filed_at=timezone.now(),
        filed_by=actor,
    )
    account.status = STATUS_AFTER_FILING[kind]
    account.save(update_fields=["status", "updated_at"])
    record_event(
        action="accounts.account.update",
        actor=actor,
        obj=account,
        before=before,
        after=account_snapshot(account),
    )
    record_event(
        action="accounts.filing.file",
        actor=actor,
        obj=filing,
        after={"kind": kind, "reason": reason, "recipients": filing.recipients},
    )
    _notify_hq(
        account,
        kind="filing.filed",
        title=_("Filing: %(kind)s — %(name)s")
        % {"kind": filing.get_kind_display(), "name": account.name},
        link=f"/accounts/{account.pk}/",
    )
    return filing


def _open_person_change_filing(
    account: SocialAccount, kind: str, details: dict[str, Any]
) -> Filing:
    today = timezone.localdate()
    filing = Filing.objects.create(
        account=account,
        kind=kind,
        status=FilingStatus.DUE,
        details=details,
        recipients=_filing_recipients(account),
        occurred_on=today,
        due_on=workdays.add_working_days(today, PERSON_CHANGE_DEADLINE_WORKING_DAYS),
    )
    record_event(
        action="accounts.filing.open",
        obj=filing,
        after={"kind": kind, "due_on": str(filing.due_on), **details},
    )
    return filing


@transaction.atomic
def complete_filing(*, actor: Any, filing: Filing, reason: str) -> Filing:
    """Submit a due filing (a change of responsible person or operator) to HQ."""
    filing = (
        Filing.objects.select_for_update(of=("self",))
        .select_related("account__owning_unit")
        .get(pk=filing.pk)
    )
    require(actor, Action.ACCOUNT_FILE, filing)
    if filing.status != FilingStatus.DUE:
        raise Conflict(_("This filing was already submitted."))
    filing.reason = _text(reason, "reason", limit=5000)
    filing.status = FilingStatus.FILED
    filing.filed_at, filing.filed_by = timezone.now(), actor
    filing.save()
    late = filing.due_on is not None and timezone.localdate() > filing.due_on
    record_event(
        action="accounts.filing.file",
        actor=actor,
        obj=filing,
        after={"kind": filing.kind, "reason": filing.reason, "late": late},
    )
    _notify_hq(
        filing.account,
        kind="filing.filed",
        title=_("Filing: %(kind)s — %(name)s")
        % {"kind": filing.get_kind_display(), "name": filing.account.name},
        link=f"/accounts/{filing.account_id}/",
    )
    return filing


# --- account teams --------------------------------------------------------------------------------


@transaction.atomic
def grant_account_role(
    *, actor: Any, person: User, role: str, account: SocialAccount
) -> RoleAssignment:
    """Put someone on an account's team; a new operator is a change that must be filed."""
    if role not in TEAM_ROLES:
        raise ValidationFailed(
            _("%(role)s cannot be granted on a single account.") % {"role": role},
            fields={"role": _("not an account role")},
        )
    grant = org_services.grant_role(actor=actor, person=person, role=role, account=account)
    if role == Role.OPERATOR:
        _open_person_change_filing(account, FilingKind.OPERATOR_CHANGE, {"added": person.pk})
    return grant


@transaction.atomic
def revoke_account_role(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    grant = org_services.revoke_role(actor=actor, assignment=assignment)
    if grant.account_id and grant.role == Role.OPERATOR:
        _open_person_change_filing(
            grant.account, FilingKind.OPERATOR_CHANGE, {"removed": grant.user_id}
        )
    return grant

"""Settings → people and roles: the directory, a person's page, the role catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.password_validation import password_validators_help_texts
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from mediadesk.core.errors import DomainError, NotFound
from mediadesk.orgs import selectors, services
from mediadesk.orgs.models import OrgUnit, Role, RoleAssignment
from mediadesk.orgs.permissions import ROLE_ACTIONS, Action, can, require
from mediadesk.web.forms import (
    AssignmentFilterForm,
    GrantRoleForm,
    PeopleFilterForm,
    PersonForm,
    ProfileForm,
    SetPasswordForm,
)
from mediadesk.web.labels import ACTION_LABELS
from mediadesk.web.views.common import (
    form_error,
    grant_scopes,
    page_view,
    paginate,
    query_without_page,
    unit_trails,
)


def _units_where(user: object, action: Action, tree: list[OrgUnit]) -> list[OrgUnit]:
    return [u for u in tree if can(user, action, u)]


def _active_roles() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.active()
        .select_related("org_unit", "account")
        .order_by("role"),
        to_attr="active_roles",
    )


@page_view
def people_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.PERSON_VIEW)
    tree = selectors.unit_tree(user=user) if can(user, Action.ORG_VIEW) else []
    form = PeopleFilterForm(request.GET or None, units=tree)
    filters = form.cleaned_data if form.is_valid() else {}
    active = {"yes": True, "no": False}.get(filters.get("active") or "")
    unit = filters.get("unit")
    people = selectors.list_people(
        user=user,
        q=filters.get("q") or None,
        unit=unit.pk if unit else None,
        role=filters.get("role") or None,
        active=active,
    ).prefetch_related(_active_roles())
    page = paginate(request, people)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "now": timezone.now(),
        "can_create": bool(_units_where(user, Action.PERSON_MANAGE, tree)),
    }
    return render(request, "web/settings/people.html", context)


@sensitive_post_parameters("password")
@page_view
def person_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.PERSON_MANAGE)
    units = _units_where(user, Action.PERSON_MANAGE, selectors.unit_tree(user=user))
    form = PersonForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(
                actor=user,
                username=data["username"],
                display_name=data["display_name"],
                org_unit=data["org_unit"],
                password=data["password"],
                email=data["email"],
                phone=data["phone"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person})
            return redirect("web:person_detail", person_id=person.pk)
    return render(
        request,
        "web/settings/person_new.html",
        {"form": form, "password_rules": password_validators_help_texts()},
    )


@sensitive_post_parameters("password", "password2")
@page_view
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request.user
    person = selectors.get_person(user=user, person_id=person_id)
    tree = selectors.unit_tree(user=user) if can(user, Action.ORG_VIEW) else []
    can_manage = can(user, Action.PERSON_MANAGE, person)
    grant_units = _units_where(user, Action.ROLE_GRANT, tree)
    op = request.POST.get("op") if request.method == "POST" else None
    post = request.POST if request.method == "POST" else None
    profile_form = ProfileForm(
        post if op == "profile" else None,
        units=_units_where(user, Action.PERSON_MANAGE, tree),
        initial={
            "display_name": person.display_name,
            "org_unit": person.org_unit_id,
            "email": person.email,
            "phone": person.phone,
        },
    )
    grant_form = GrantRoleForm(post if op == "grant" else None, units=grant_units)
    password_form = SetPasswordForm(post if op == "password" else None, prefix="pw")
    done = None
    try:
        if op == "profile" and profile_form.is_valid():
            done = _save_profile(request, person, profile_form)
        elif op == "grant" and grant_form.is_valid():
            done = _grant(request, person, grant_form)
        elif op == "revoke":
            done = _revoke(request, person)
        elif op == "unlock":
            services.unlock_person(actor=user, person=person)
            done = _("%(name)s was unlocked.") % {"name": person}
        elif op == "password" and password_form.is_valid():
            try:
                services.set_password(
                    actor=user, person=person, password=password_form.cleaned_data["password"]
                )
            except DomainError as exc:
                form_error(password_form, exc)
            else:
                done = _("The password of %(name)s was reset.") % {"name": person}
    except DomainError as exc:  # actions without a form of their own: unlock, revoke
        messages.error(request, exc.message)
        return redirect("web:person_detail", person_id=person.pk)
    if done:
        messages.success(request, done)
        return redirect("web:person_detail", person_id=person.pk)

    grants = list(selectors.roles_of(person))
    scopes = grant_scopes(grants)
    context = {
        "person": person,
        "unit_trail": unit_trails([person.org_unit]).get(person.org_unit_id, ""),
        "grants": [
            {
                "grant": g,
                "trail": scopes[g.pk],
                "can_revoke": can(user, Action.ROLE_GRANT, g.scope_object),
            }
            for g in grants
        ],
        "is_self": person.pk == user.pk,
        "can_manage": can_manage,
        "can_grant": bool(grant_units) and person.is_active,
        "can_audit": can(user, Action.AUDIT_VIEW),
        "can_see_channels": can(user, Action.SETTINGS_MANAGE, person),
        "is_locked": services.login_locked_until(person) is not None,
        "profile_form": profile_form,
        "grant_form": grant_form,
        "password_form": password_form,
        "open_form": op,
        "password_rules": password_validators_help_texts(),
    }
    return render(request, "web/settings/person_detail.html", context, status=400 if op else 200)


def _save_profile(request: HttpRequest, person: object, form: ProfileForm) -> str | None:
    data = form.cleaned_data
    try:
        services.update_person(
            actor=request.user,
            person=person,
            display_name=data["display_name"],
            email=data["email"],
            phone=data["phone"],
            org_unit=data["org_unit"],
        )
    except DomainError as exc:
        form_error(form, exc)
        return None
    return _("The profile was saved.")


def _grant(request: HttpRequest, person: object, form: GrantRoleForm) -> str | None:
    data = form.cleaned_data
    try:
        grant = services.grant_role(
            actor=request.user, person=person, role=data["role"], org_unit=data["org_unit"]
        )
    except DomainError as exc:
        form_error(form, exc)
        return None
    return _("%(role)s on %(unit)s was granted.") % {
        "role": grant.get_role_display(),
        "unit": grant.org_unit,
    }


def _revoke(request: HttpRequest, person: object) -> str:
    assignment_id = request.POST.get("assignment", "")
    grant = (
        selectors.list_assignments(user=request.user, person=person.pk)
        .filter(pk=int(assignment_id) if assignment_id.isdigit() else 0)
        .first()
    )
    if grant is None:
        raise NotFound(_("That role grant does not exist."))
    services.revoke_role(actor=request.user, assignment=grant)
    return _("%(role)s on %(unit)s was revoked.") % {
        "role": grant.get_role_display(),
        "unit": grant.scope_object,
    }


@page_view
def roles(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Action.PERSON_VIEW)
    tree = selectors.unit_tree(user=user) if can(user, Action.ORG_VIEW) else []
    form = AssignmentFilterForm(request.GET or None, units=tree)
    filters = form.cleaned_data if form.is_valid() else {}
    unit = filters.get("unit")
    assignments = selectors.list_assignments(
        user=user, unit=unit.pk if unit else None, role=filters.get("role") or None
    )
    page = paginate(request, assignments)
    scopes = grant_scopes(page.object_list)
    rows = [{"grant": a, "trail": scopes[a.pk]} for a in page.object_list]
    catalogue = [
        {
            "role": role,
            "actions": sorted(
                (ACTION_LABELS.get(a, a) for a in ROLE_ACTIONS.get(role.value, ())), key=str
            ),
        }
        for role in Role
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "catalogue": catalogue,
    }
    return render(request, "web/settings/roles.html", context)

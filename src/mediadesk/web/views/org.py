"""Settings → organisation: the unit tree and the pages to change it."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mediadesk.core.errors import DomainError
from mediadesk.orgs import selectors, services
from mediadesk.orgs.models import OrgUnit, UnitKind, User
from mediadesk.orgs.permissions import Action, can
from mediadesk.web.forms import GroupForm, UnitChildForm, UnitEditForm, UnitMoveForm
from mediadesk.web.views.common import form_error, page_view, unit_trails

CHILD_KIND = {
    UnitKind.GROUP: UnitKind.BUSINESS_UNIT,
    UnitKind.BUSINESS_UNIT: UnitKind.DEPARTMENT,
    UnitKind.DEPARTMENT: UnitKind.DEPARTMENT,
}


def _member_counts(units: list[OrgUnit]) -> dict[int, int]:
    rows = (
        User.objects.filter(org_unit__in=units, is_active=True)
        .values("org_unit")
        .annotate(n=Count("pk"))
    )
    return {row["org_unit"]: row["n"] for row in rows}


@page_view
def org_tree(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = selectors.unit_tree(user=user)
    group_form = None
    if user.is_superuser and not units:
        group_form = GroupForm(request.POST or None)
        if request.method == "POST" and group_form.is_valid():
            try:
                services.create_unit(
                    actor=user,
                    name=group_form.cleaned_data["name"],
                    code=group_form.cleaned_data["code"],
                    kind=UnitKind.GROUP,
                )
            except DomainError as exc:
                form_error(group_form, exc)
            else:
                messages.success(request, _("The group was created."))
                return redirect("web:org_tree")
    counts = _member_counts(units)
    rows = [
        {
            "unit": unit,
            "depth": unit.tree_depth,
            "members": counts.get(unit.pk, 0),
            "can_manage": can(user, Action.ORG_MANAGE, unit),
        }
        for unit in units
    ]
    return render(request, "web/settings/org_tree.html", {"rows": rows, "group_form": group_form})


def _move_targets(user: object, unit: OrgUnit, tree: list[OrgUnit]) -> list[OrgUnit]:
    """Units this unit may move under: the right kind, outside its own subtree, manageable."""
    allowed = services.ALLOWED_PARENT_KINDS.get(unit.kind, set())
    return [
        u
        for u in tree
        if u.kind in allowed
        and not u.path.startswith(unit.path)
        and u.pk != unit.parent_id
        and can(user, Action.ORG_MANAGE, u)
    ]


@page_view
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request.user
    unit = selectors.get_unit(user=user, unit_id=unit_id)
    tree = selectors.unit_tree(user=user)
    can_manage = can(user, Action.ORG_MANAGE, unit)
    op = request.POST.get("op") if request.method == "POST" else None
    edit_form = UnitEditForm(
        request.POST if op == "edit" else None, initial={"name": unit.name, "code": unit.code}
    )
    child_form = UnitChildForm(request.POST if op == "child" else None, prefix="child")
    move_form = UnitMoveForm(
        request.POST if op == "move" else None, units=_move_targets(user, unit, tree)
    )
    if op == "edit" and edit_form.is_valid():
        try:
            services.update_unit(
                actor=user,
                unit=unit,
                name=edit_form.cleaned_data["name"],
                code=edit_form.cleaned_data["code"],
            )
        except DomainError as exc:
            form_error(edit_form, exc)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("web:unit_detail", unit_id=unit.pk)
    elif op == "child" and child_form.is_valid():
        try:
            child = services.create_unit(
                actor=user,
                name=child_form.cleaned_data["name"],
                code=child_form.cleaned_data["code"],
                kind=CHILD_KIND[unit.kind],
                parent=unit,
            )
        except DomainError as exc:
            form_error(child_form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": child.name})
            return redirect("web:unit_detail", unit_id=child.pk)
    elif op == "move" and move_form.is_valid():
        try:
            services.move_unit(actor=user, unit=unit, new_parent=move_form.cleaned_data["parent"])
        except DomainError as exc:
            form_error(move_form, exc)
        else:
            messages.success(request, _("The unit was moved."))
            return redirect("web:unit_detail", unit_id=unit.pk)

    children = [u for u in tree if u.parent_id == unit.pk]
    members = None
    if can(user, Action.PERSON_VIEW, unit):
        members = selectors.list_people(user=user, unit=unit.pk, include_subunits=False)[:50]
    context = {
        "unit": unit,
        "trail": unit_trails([unit]).get(unit.pk, unit.name),
        "children": children,
        "members": members,
        "can_manage": can_manage,
        "child_kind": UnitKind(CHILD_KIND[unit.kind]).label,
        "edit_form": edit_form,
        "child_form": child_form,
        "move_form": move_form,
        "is_root": unit.kind == UnitKind.GROUP,
        "open_form": op,
    }
    status = 400 if op and request.method == "POST" else 200
    return render(request, "web/settings/unit_detail.html", context, status=status)


@page_view
def unit_delete(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request.user
    unit = selectors.get_unit(user=user, unit_id=unit_id)
    error, status = "", 200
    if request.method == "POST":
        parent_id = unit.parent_id
        try:
            services.delete_unit(actor=user, unit=unit)
        except DomainError as exc:
            error, status = exc.message, exc.http_status
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": unit.name})
            if parent_id:
                return redirect("web:unit_detail", unit_id=parent_id)
            return redirect("web:org_tree")
    context = {
        "unit": unit,
        "trail": unit_trails([unit]).get(unit.pk, unit.name),
        "error": error,
        "can_manage": can(user, Action.ORG_MANAGE, unit),
    }
    return render(request, "web/settings/unit_delete.html", context, status=status)

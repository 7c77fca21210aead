"""Input shapes for the web pages. Rules live in the services; forms only read the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediadesk.orgs.models import OrgUnit, Role


def unit_choices(units: Sequence[OrgUnit], *, blank: str | None = None) -> list[tuple[str, str]]:
    """Choices for a unit select, indented by tree depth (units in tree order)."""
    choices = [("", blank)] if blank is not None else []
    for unit in units:
        depth = getattr(unit, "tree_depth", unit.depth)
        choices.append((str(unit.pk), "\u3000" * depth + unit.name))
    return choices


class UnitField(forms.TypedChoiceField):
    """A select of org units; cleans to the chosen :class:`OrgUnit` from the given list."""

    def __init__(self, *, units: Sequence[OrgUnit] = (), blank: str | None = None, **kwargs: Any):
        self.units = {unit.pk: unit for unit in units}
        super().__init__(choices=unit_choices(units, blank=blank), coerce=int, **kwargs)

    def clean(self, value: Any) -> OrgUnit | None:
        pk = super().clean(value)
        if pk in (None, ""):
            return None
        return self.units[pk]


def _set_units(form: forms.Form, name: str, units: Sequence[OrgUnit], blank: Any = None) -> None:
    field = form.fields[name]
    form.fields[name] = UnitField(
        units=units, blank=blank, required=field.required, label=field.label
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewPasswordMixin(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ChangeOwnPasswordForm(NewPasswordMixin):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password", "password2"]


class SetPasswordForm(NewPasswordMixin):
    pass


# --- organisation ------------------------------------------------------------------------------


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=50, required=False)


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=50, required=False)


class UnitChildForm(forms.Form):
    name = forms.CharField(label=_("Name of the new unit"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=50, required=False)


class UnitMoveForm(forms.Form):
    parent = forms.CharField(label=_("New parent unit"))

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "parent", units, blank="—")


# --- people --------------------------------------------------------------------------------------


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("yes", _("Active")), ("no", _("Left"))],
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "unit", units, blank=_("All units"))


class PersonForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=100)
    org_unit = forms.CharField(label=_("Unit"))
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "org_unit", units, blank="—")


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    org_unit = forms.CharField(label=_("Unit"))
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "org_unit", units, blank="—")


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    org_unit = forms.CharField(label=_("On unit (and below)"))

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "org_unit", units, blank="—")


class AssignmentFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    unit = forms.CharField(label=_("Unit"), required=False)

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "unit", units, blank=_("All units"))


# --- audit ---------------------------------------------------------------------------------------

AUDIT_OBJECT_TYPES = [
    ("orgs.orgunit", _("Org unit")),
    ("orgs.user", _("Person")),
    ("orgs.roleassignment", _("Role grant")),
    ("orgs.apitoken", _("API token")),
    ("audit.auditentry", _("Audit log")),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Person (username)"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "audit-actions", "autocomplete": "off"}),
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "audit-object-types", "autocomplete": "off"}),
    )
    object_id = forms.CharField(label=_("Object ID"), required=False, max_length=100)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def time_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The chosen days as an interval in the site's time zone, the end day included."""
        tz = timezone.get_current_timezone()
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        start = dt.datetime.combine(since, dt.time.min, tzinfo=tz) if since else None
        end = (
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            if until
            else None
        )
        return start, end


# --- API tokens ----------------------------------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. reporting script")}),
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        initial=90,
        choices=[
            (30, _("in 30 days")),
            (90, _("in 90 days")),
            (365, _("in one year")),
            (0, _("never")),
        ],
    )

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data["expires_in"]
        return timezone.now() + dt.timedelta(days=days) if days else None

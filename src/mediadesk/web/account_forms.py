"""Input shapes for the account pages. Rules live in the account services; forms read input."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediadesk.accounts.models import (
    AccountStatus,
    CredentialKind,
    FilingKind,
    FilingStatus,
    MatrixRole,
    Platform,
    SocialAccount,
    VerificationStatus,
)
from mediadesk.accounts.services import TEAM_ROLES
from mediadesk.orgs.models import OrgUnit, Role, User
from mediadesk.web.account_labels import ACCOUNT_STATUS_CHOICES
from mediadesk.web.forms import _set_units

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# The nine points of an opening application (ACC-2): label and what to write.
APPLICATION_QUESTIONS: list[tuple[str, Any, Any]] = [
    (
        "necessity",
        _("Necessity"),
        _("Why the unit needs this account, and why the existing accounts cannot do the job."),
    ),
    (
        "feasibility",
        _("Feasibility"),
        _("The people, content sources and budget the unit can commit to it."),
    ),
    (
        "type_reason",
        _("Account type and why"),
        _("Which platform and account type (e.g. subscription or service account), and why."),
    ),
    (
        "positioning",
        _("Function and content positioning"),
        _("Whom the account serves, what it publishes and which services it offers."),
    ),
    (
        "publishing_frequency",
        _("Publishing frequency"),
        _("How often it will publish, e.g. three articles a week."),
    ),
    (
        "layout",
        _("Layout"),
        _("Columns, menu and the order of articles in a push."),
    ),
    (
        "operating_team",
        _("Operating team and people"),
        _("The responsible person, the editors and who does what."),
    ),
    (
        "review_flow",
        _("Review-and-publish flow"),
        _("Who reviews at each of the three levels and who publishes."),
    ),
    (
        "technical_support",
        _("Technical support"),
        _("Who provides development, interfaces and maintenance."),
    ),
]
APPLICATION_LABELS = {name: label for name, label, _help in APPLICATION_QUESTIONS}
CHANGE_LABELS = {
    "name": _("Account name"),
    "function_positioning": _("Function positioning"),
    "content_positioning": _("Content positioning"),
}


def _all(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _people_choices(people: Sequence[User]) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (str(p.pk), f"{p.display_name or p.username}（{p.username}）") for p in people
    ]


class PersonField(forms.TypedChoiceField):
    """A select of people; cleans to the chosen :class:`User` from the given list."""

    def __init__(self, *, people: Sequence[User] = (), **kwargs: Any):
        self.people = {p.pk: p for p in people}
        super().__init__(choices=_people_choices(people), coerce=int, **kwargs)

    def clean(self, value: Any) -> User | None:
        pk = super().clean(value)
        return None if pk in (None, "") else self.people[pk]


# --- matrix and list -------------------------------------------------------------------------


class MatrixFilterForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=_all(_("All platforms")) + Platform.choices
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_all(_("All statuses")) + ACCOUNT_STATUS_CHOICES,
    )
    matrix_role = forms.ChoiceField(
        label=_("Matrix role"),
        required=False,
        choices=_all(_("All matrix roles")) + MatrixRole.choices,
    )

    def __init__(self, *args: Any, include_closed: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not include_closed:  # the matrix shows live accounts; the list shows closed ones too
            self.fields["status"].choices = [
                c for c in self.fields["status"].choices if c[0] != AccountStatus.CLOSED
            ]


class AccountFilterForm(MatrixFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or platform ID")}),
    )
    unit = forms.CharField(label=_("Unit"), required=False)
    field_order = ["q", "platform", "unit", "status", "matrix_role"]

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, include_closed=True, **kwargs)
        _set_units(self, "unit", units, blank=_("All units"))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, accept: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if accept:
            self.fields["file"].widget.attrs["accept"] = accept

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


# --- one account -----------------------------------------------------------------------------


class AccountEditForm(forms.Form):
    """The registry fields a manager may change directly (not the name or the function)."""

    platform_account_id = forms.CharField(
        label=_("Platform account ID"),
        required=False,
        max_length=100,
        help_text=_("WeChat original ID / AppID, Weibo UID, Douyin open ID …"),
    )
    matrix_role = forms.ChoiceField(label=_("Matrix role"), choices=MatrixRole.choices)
    target_posts_per_week = forms.IntegerField(label=_("Target posts per week"), min_value=0)
    follower_count = forms.IntegerField(label=_("Followers"), min_value=0)
    verification_status = forms.ChoiceField(
        label=_("Verification"), choices=VerificationStatus.choices
    )
    verification_expires_on = forms.DateField(
        label=_("Verification expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    admin_wechat_id = forms.CharField(
        label=_("Administrator WeChat ID"), required=False, max_length=100
    )
    bound_phone = forms.CharField(
        label=_("Bound phone"),
        required=False,
        max_length=30,
        help_text=_("Leave empty to keep the current number."),
    )
    responsible_person = forms.CharField(label=_("Responsible person"), required=False)
    bio = forms.CharField(label=_("Bio"), required=False, widget=_textarea(3))
    wechat_menu = forms.CharField(
        label=_("WeChat menu (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono", "spellcheck": "false"}),
        help_text=_('The menu as WeChat\'s menu API returns it: {"button": [...]}.'),
    )

    def __init__(
        self,
        *args: Any,
        people: Sequence[User] | None = None,
        wechat: bool = False,
        phone_hint: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["responsible_person"]
        else:
            self.fields["responsible_person"] = PersonField(
                people=people, required=False, label=_("Responsible person")
            )
        if not wechat:
            del self.fields["wechat_menu"]
        if phone_hint:
            self.fields["bound_phone"].widget.attrs["placeholder"] = phone_hint

    def clean_wechat_menu(self) -> Any:
        text = self.cleaned_data.get("wechat_menu", "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON: %(e)s") % {"e": exc}) from exc

    def changes(self, account: SocialAccount) -> dict[str, Any]:
        """Only the fields whose value differs, so an untouched form files nothing."""
        data = dict(self.cleaned_data)
        if not data.get("bound_phone"):
            data.pop("bound_phone", None)
        changed = {}
        for name, value in data.items():
            current = getattr(account, name)
            if name == "responsible_person":
                if getattr(value, "pk", None) != account.responsible_person_id:
                    changed[name] = value
            elif value != current and not (value in (None, "") and current in (None, "")):
                changed[name] = value
        return changed


class ChangeRequestForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=100)
    function_positioning = forms.CharField(
        label=_("Function positioning"), required=False, widget=_textarea(2)
    )
    content_positioning = forms.CharField(
        label=_("Content positioning"), required=False, widget=_textarea(2)
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=_textarea(3),
        help_text=_("HQ communications approves the change before it takes effect."),
    )


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label=_("Avatar image"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*", "data-preview": "#avatar-preview"}
        ),
        help_text=_("PNG or JPEG, at most 2 MB. Compared with the standard logo by its picture."),
    )


class NameExceptionForm(forms.Form):
    reason = forms.CharField(
        label=_("Approved reason"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to withdraw the exception."),
    )


class TeamForm(forms.Form):
    person = forms.CharField(label=_("Person"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", "—")] + [(r.value, r.label) for r in Role if r.value in TEAM_ROLES],
    )

    def __init__(self, *args: Any, people: Sequence[User] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"] = PersonField(people=people, label=_("Person"))


STATUS_FILING_KINDS = [
    (FilingKind.CLOSURE.value, FilingKind.CLOSURE.label),
    (FilingKind.STOP_UPDATING.value, FilingKind.STOP_UPDATING.label),
    (FilingKind.SUSPENSION.value, FilingKind.SUSPENSION.label),
]


class StatusFilingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=[("", "—"), *STATUS_FILING_KINDS])
    occurred_on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cause = forms.ChoiceField(
        label=_("Cause of a suspension"),
        required=False,
        choices=[
            ("", "—"),
            ("ban", _("Banned by the platform")),
            ("complaint", _("User complaint")),
            ("other", _("Other")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=_textarea(3),
        help_text=_("The filing goes to HQ communications and the configured recipients."),
    )


class CompleteFilingForm(forms.Form):
    reason = forms.CharField(label=_("Filing note"), max_length=5000)


class LinkForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Linked account"), coerce=int)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, accounts: Sequence[SocialAccount] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.accounts = {a.pk: a for a in accounts}
        self.fields["target"].choices = [("", "—")] + [
            (a.pk, f"{a.name}（{a.get_platform_display()}）") for a in accounts
        ]

    def clean_target(self) -> SocialAccount:
        return self.accounts[self.cleaned_data["target"]]


class CredentialStoreForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *CredentialKind.choices])
    label = forms.CharField(
        label=_("Label"),
        required=False,
        max_length=100,
        help_text=_("Only needed when the account has two of the same kind."),
    )
    value = forms.CharField(
        label=_("Secret value"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )


class CredentialRotateForm(forms.Form):
    value = forms.CharField(
        label=_("New value"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=200)


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=200,
        help_text=_("Recorded in the audit log with your name."),
    )


# --- applications ----------------------------------------------------------------------------


class _AnswersMixin(forms.Form):
    def _add_answers(self, *, required: bool = True) -> None:
        for name, label, help_text in APPLICATION_QUESTIONS:
            self.fields[name] = forms.CharField(
                label=label, help_text=help_text, required=required, widget=_textarea(3)
            )

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _l, _h in APPLICATION_QUESTIONS}


class ApplicationForm(_AnswersMixin):
    unit = forms.CharField(label=_("Applying unit"))
    platform = forms.ChoiceField(label=_("Platform"), choices=[("", "—"), *Platform.choices])
    name = forms.CharField(
        label=_("Account name"),
        max_length=100,
        help_text=_("By the convention “brand + unit name”, e.g. 示例科技."),
    )
    matrix_role = forms.ChoiceField(
        label=_("Matrix role"), choices=[("", "—"), *MatrixRole.choices]
    )
    platform_account_id = forms.CharField(
        label=_("Platform account ID"),
        required=False,
        max_length=100,
        help_text=_("If the account already exists on the platform."),
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        # The service checks that every point is answered and names the missing ones, so the
        # form does not stop an incomplete application before the service sees it.
        super().__init__(*args, **kwargs)
        _set_units(self, "unit", units, blank="—")
        self._add_answers(required=False)


class ResubmitForm(_AnswersMixin):
    """Revise a returned application: the nine points, or the proposed change."""

    def __init__(self, *args: Any, kind: str = "open", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "open":
            self._add_answers(required=False)
        else:
            self.fields["name"] = forms.CharField(label=_("Account name"), max_length=100)
            self.fields["function_positioning"] = forms.CharField(
                label=_("Function positioning"), required=False, widget=_textarea(2)
            )
            self.fields["content_positioning"] = forms.CharField(
                label=_("Content positioning"), required=False, widget=_textarea(2)
            )
            self.fields["necessity"] = forms.CharField(
                label=_("Reason for the change"), required=False, widget=_textarea(3)
            )

    def payload(self) -> dict[str, Any]:
        if self.kind == "open":
            return self.answers()
        data = self.cleaned_data
        changes = {
            k: data.get(k, "")
            for k in ("name", "function_positioning", "content_positioning")
            if data.get(k)
        }
        payload: dict[str, Any] = {"changes": changes}
        if data.get("necessity"):
            payload["necessity"] = data["necessity"]
        return payload


class ReturnForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback to the unit"),
        required=False,
        widget=_textarea(4),
        help_text=_("Say what to revise; the unit sees it on the application."),
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=_textarea(2))


# --- filings ---------------------------------------------------------------------------------


class FilingFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("open", _("Due and late")),
            ("late", _("Late only")),
            ("filed", _("Filed")),
            ("all", _("All filings")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_all(_("All kinds")) + FilingKind.choices
    )

    def selector_args(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        show = data.get("show") or "open"
        args: dict[str, Any] = {"kind": data.get("kind") or None}
        if show == "open":
            args["status"] = FilingStatus.DUE
        elif show == "late":
            args["overdue"] = True
        elif show == "filed":
            args["status"] = FilingStatus.FILED
        return args


# --- brand standards -------------------------------------------------------------------------


class BrandProfileForm(forms.Form):
    brand_name = forms.CharField(
        label=_("Brand name"),
        required=False,
        max_length=50,
        help_text=_("Left empty, the brand of the unit above applies."),
    )
    unit_name = forms.CharField(
        label=_("Unit name in account names"),
        required=False,
        max_length=50,
        help_text=_("Account names must read “brand + unit name”, e.g. 示例 + 科技."),
    )
    standard_bio = forms.CharField(
        label=_("Standard bio"),
        required=False,
        widget=_textarea(3),
        help_text=_("Left empty, the bio of the unit above applies."),
    )
    logo = forms.FileField(
        label=_("Standard logo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*", "data-preview": "#logo-preview"}
        ),
        help_text=_("PNG or JPEG, at most 2 MB. Leave empty to keep the current logo."),
    )


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[\n,，、;；]+", text or "") if n.strip()]


class CompanyNamesForm(forms.Form):
    full_names = forms.CharField(
        label=_("Full names"),
        required=False,
        widget=_textarea(3),
        help_text=_("One per line, e.g. 示例集团有限公司."),
    )
    short_names = forms.CharField(
        label=_("Short names"), required=False, widget=_textarea(3), help_text=_("One per line.")
    )
    english_names = forms.CharField(
        label=_("English names and abbreviations"),
        required=False,
        widget=_textarea(3),
        help_text=_("One per line; matched regardless of case, spaces and full-width letters."),
    )

    def names(self) -> dict[str, list[str]]:
        return {k: _names(self.cleaned_data.get(k, "")) for k in self.fields}

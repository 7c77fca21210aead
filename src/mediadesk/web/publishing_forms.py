"""Input shapes of the publish plan, secondary propagation and planning settings pages.

The rules live in :mod:`mediadesk.publishing` (plan_entries, plan_sheet, planning_slots,
planning_frequency, planning_pauses, propagation); these forms only read the request and hand
the values over, and the services' errors are shown next to the inputs they name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediadesk.accounts.models import MatrixRole, Platform, SocialAccount
from mediadesk.orgs.models import OrgUnit, User
from mediadesk.publishing.models import FrequencyPeriod, SlotKind
from mediadesk.web.forms import UnitField

STATUS_CHOICES = [
    ("", _("All")),
    ("pending", "待发布"),
    ("published", "已发布"),
    ("withdrawn", "已撤回"),
]
WEEKDAY_CHOICES = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def account_label(account: SocialAccount) -> str:
    return f"{account.name} · {account.get_platform_display()}"


class ObjectChoiceField(forms.TypedChoiceField):
    """A select over given objects (accounts, people); cleans to the chosen object."""

    def __init__(
        self,
        *,
        objects: Sequence[Any] = (),
        label_of: Any = str,
        blank: Any = None,
        **kwargs: Any,
    ):
        self.objects = {obj.pk: obj for obj in objects}
        choices = [("", blank)] if blank is not None else []
        choices += [(str(obj.pk), label_of(obj)) for obj in objects]
        super().__init__(choices=choices, coerce=int, **kwargs)

    def clean(self, value: Any) -> Any:
        pk = super().clean(value)
        if pk in (None, ""):
            return None
        return self.objects[pk]


# -- the plan (模板1) ---------------------------------------------------------------------------


class PlanFilterForm(forms.Form):
    unit = forms.CharField(required=False)
    account = forms.CharField(required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(
        self,
        *args: Any,
        units: Sequence[OrgUnit] = (),
        accounts: Sequence[SocialAccount] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(
            units=units, blank=_("The whole group"), required=False, label=_("Unit")
        )
        self.fields["account"] = ObjectChoiceField(
            objects=accounts,
            label_of=account_label,
            blank=_("All accounts"),
            required=False,
            label=_("Account"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        return data


class PlanEntryForm(forms.Form):
    planned_on = forms.DateField(label="发布日期", widget=DATE)
    planned_time = forms.TimeField(label=_("Time"), required=False, widget=TIME)
    account = forms.CharField(required=False)
    unit = forms.CharField(required=False)
    platform = forms.ChoiceField(
        label="发布平台", required=False, choices=[("", "—"), *Platform.choices]
    )
    topic = forms.CharField(label="内容主题", max_length=300)
    format = forms.CharField(
        label="内容形式",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "图文 / 视频 / 图文+视频"}),
    )
    targets = forms.CharField(
        label="目标数据（曝光/互动/转化）",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "曝光30万+，互动1万+"}),
    )
    owner = forms.CharField(required=False)
    reviewer = forms.CharField(required=False)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        units: Sequence[OrgUnit] = (),
        accounts: Sequence[SocialAccount] = (),
        people: Sequence[User] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["account"] = ObjectChoiceField(
            objects=accounts,
            label_of=account_label,
            blank=_("— only a unit and platform —"),
            required=False,
            label=_("Account"),
        )
        self.fields["unit"] = UnitField(
            units=units, blank="—", required=False, label=_("Unit (without an account)")
        )
        for name, label in (("owner", "负责人"), ("reviewer", "审核人")):
            self.fields[name] = ObjectChoiceField(
                objects=people, blank="—", required=False, label=label
            )

    def values(self) -> dict[str, Any]:
        """Keywords for ``create_plan_entry`` / ``update_plan_entry``."""
        data = self.cleaned_data
        values = {
            name: data.get(name)
            for name in (
                "planned_on",
                "planned_time",
                "account",
                "unit",
                "topic",
                "format",
                "targets",
                "owner",
                "reviewer",
                "notes",
            )
        }
        values["platform"] = data.get("platform") or ""
        if values["account"] is not None:
            values["unit"] = None
        values["notes"] = (values["notes"] or "").replace("\r\n", "\n")
        return values


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


# -- secondary propagation ----------------------------------------------------------------------


class MajorNewsForm(forms.Form):
    publication = forms.CharField()

    def __init__(self, *args: Any, publications: Sequence[Any] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["publication"] = ObjectChoiceField(
            objects=publications,
            label_of=lambda p: f"{p.variant.title or p.item.title} · {p.account.name}",
            blank=_("Choose a published post"),
            label=_("Published post"),
        )


class CoverageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    medium = forms.CharField(
        label=_("Medium"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "人民日报 / 新华社 / 央视新闻"}),
    )
    url = forms.CharField(
        label=_("Link"),
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class CompleteRepostForm(forms.Form):
    url = forms.CharField(
        label=_("Repost link"),
        required=False,
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    post_id = forms.CharField(label=_("or post id"), required=False, max_length=200)


# -- best times -------------------------------------------------------------------------------


class SlotForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts = forms.TimeField(label=_("From"), required=False, widget=TIME)
    ends = forms.TimeField(label=_("Until"), required=False, widget=TIME)
    kind = forms.ChoiceField(label=_("Kind"), choices=SlotKind.choices, initial=SlotKind.REGULAR)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=10, initial=1)
    label = forms.CharField(label=_("Label"), required=False, max_length=100)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("starts") and not data.get("ends") and not data.get("label")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("starts"):
            self.add_error("starts", _("Give the time (HH:MM)."))
        if not data.get("ends"):
            self.add_error("ends", _("Give the time (HH:MM)."))
        if not data.get("weekdays"):
            self.add_error("weekdays", _("Tick at least one day."))
        return data

    def value(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "weekdays": sorted(data["weekdays"]),
            "starts": data["starts"],
            "ends": data["ends"],
            "kind": data["kind"],
            "weight": data["weight"],
            "label": data.get("label", ""),
        }


SlotFormSet = forms.formset_factory(SlotForm, extra=2, can_delete=True, max_num=40)


# -- frequency rules ----------------------------------------------------------------------------


class RuleForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", "—"), *Platform.choices]
    )
    matrix_role = forms.ChoiceField(
        label=_("Matrix role"), required=False, choices=[("", "—"), *MatrixRole.choices]
    )
    period = forms.ChoiceField(label=_("Period"), choices=FrequencyPeriod.choices)
    minimum = forms.IntegerField(label=_("At least"), min_value=0, initial=0)
    maximum = forms.IntegerField(label=_("At most"), min_value=1, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


# -- pauses and blackouts -----------------------------------------------------------------------


class PauseForm(forms.Form):
    unit = forms.CharField()
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(units=units, label=_("Pause publishing for"))


class ResumeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is safe to publish again"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BlackoutForm(forms.Form):
    unit = forms.CharField()
    starts_at = forms.DateTimeField(label=_("From"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Until"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(units=units, label=_("Unit"))

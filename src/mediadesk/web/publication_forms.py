"""Input shapes of the publishing pages (calendar, scheduling, publications).

The rules live in :mod:`mediadesk.publishing` (``planning`` schedules, moves and cancels;
``services`` resolves, retries, confirms and withdraws); these forms only read the request and
hand the values over. Times are typed as local wall-clock times (``TIME_ZONE``) and handed to
the services aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediadesk.accounts.models import SocialAccount
from mediadesk.content.models import Variant
from mediadesk.publishing import planning_rules as rules
from mediadesk.publishing.models import DeliveryMode, PublicationState

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as local time and returned aware."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        return rules.to_local(result) if result is not None else None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return rules.to_local(value).strftime(LOCAL_INPUT)
        return value


def variant_label(variant: Variant) -> str:
    return f"{variant.item.title} — {variant.account.name}"


class ScheduleForm(forms.Form):
    variant = forms.TypedChoiceField(label=_("Approved content and account"), coerce=int)
    at = LocalDateTimeField(label=_("Publish at"))
    delivery = forms.ChoiceField(
        label=_("How it goes out"),
        required=False,
        choices=[("", _("The platform's way (default)")), *DeliveryMode.choices],
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plan_entry = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, variants: Sequence[Variant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.variants = {v.pk: v for v in variants}
        choices: list[tuple[Any, str]] = [("", _("Choose approved content…"))]
        choices += [(v.pk, variant_label(v)) for v in variants]
        self.fields["variant"].choices = choices

    def clean_variant(self) -> Variant:
        variant = self.variants.get(self.cleaned_data["variant"])
        if variant is None:
            raise forms.ValidationError(_("Choose approved content that is not yet scheduled."))
        return variant


class MoveForm(forms.Form):
    """Dragging a chip (day, and the hour row in the week view) or the move form (a time)."""

    at = LocalDateTimeField(label=_("New time"), required=False)
    day = forms.DateField(required=False, widget=forms.HiddenInput)
    hour = forms.IntegerField(required=False, min_value=0, max_value=23, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def target(self, current: dt.datetime) -> dt.datetime:
        """The new local time: the typed one, else the dropped day (and hour) keeping the
        post's minutes (and its hour on a month day)."""
        data = self.cleaned_data
        if data.get("at"):
            return data["at"]
        local = rules.to_local(current)
        hour = data["hour"] if data.get("hour") is not None else local.hour
        return rules.local_datetime(data["day"], dt.time(hour, local.minute))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("at") and not data.get("day"):
            raise forms.ValidationError(_("Give the new date and time."))
        return data


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)


class RetryForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    at = LocalDateTimeField(
        label=_("Try again at"),
        required=False,
        help_text=_("Empty: as soon as possible."),
    )


RESOLVE_CHOICES = [
    ("published", _("It is on the platform: record its link")),
    ("not_published", _("It is not on the platform: schedule it again")),
]


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("What did you find on the account?"),
        choices=RESOLVE_CHOICES,
        widget=forms.RadioSelect,
    )
    url = forms.CharField(label=_("Link of the post"), required=False, max_length=1000)
    at = LocalDateTimeField(label=_("Publish again at"), required=False)


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    url = forms.CharField(label=_("Link of the post you published"), max_length=1000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should it be withdrawn?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    comment = forms.CharField(
        label=_("Comment (required to reject)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublicationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    account = forms.TypedChoiceField(
        label=_("Account"), required=False, coerce=int, empty_value=None
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, accounts: Sequence[SocialAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All")), *PublicationState.choices]
        self.fields["account"].choices = [("", _("All")), *[(a.pk, a.name) for a in accounts]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end lies before the start."))
        return data

"""Input shapes of the compliance pages. The rules live in :mod:`mediadesk.compliance.services`;
these forms only read the request (the service's errors are shown next to the inputs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediadesk.compliance.models import Severity
from mediadesk.orgs.models import OrgUnit
from mediadesk.web.forms import UnitField

SEVERITY_CHOICES = [
    (Severity.BLOCK.value, pgettext_lazy("compliance severity", "Block")),
    (Severity.WARN.value, pgettext_lazy("compliance severity", "Warn")),
    (Severity.INFO.value, pgettext_lazy("compliance severity", "Info")),
]


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("Copy to check"),
        strip=False,  # offsets point into the text exactly as it was written
        widget=forms.Textarea(
            attrs={
                "rows": 9,
                "spellcheck": "false",
                "placeholder": _("Paste a post, an article or a comment here."),
            }
        ),
        error_messages={"required": _("Paste some copy to check.")},
    )
    unit = forms.CharField(required=False)  # replaced by a UnitField in __init__

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(
            units=units,
            blank=_("Built-in lexicon only"),
            required=False,
            label=_("Lexicon of unit"),
            help_text=_("A unit's own terms and allowed phrases apply to it and the units below."),
        )


class LexiconUnitForm(forms.Form):
    unit = forms.CharField(required=False)

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(units=units, required=False, label=_("Unit"))


class TermForm(forms.Form):
    text = forms.CharField(label=_("Term"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=SEVERITY_CHOICES, initial=Severity.BLOCK.value, required=False
    )
    suggestion = forms.CharField(label=_("Suggested rewrite"), required=False)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(
        self, *args: Any, categories: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "term")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]


class AllowForm(forms.Form):
    text = forms.CharField(label=_("Allowed phrase"), required=False)
    note = forms.CharField(label=_("Reason"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "allow")
        super().__init__(*args, **kwargs)

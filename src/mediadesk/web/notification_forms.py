"""Input shapes of the notification pages; the rules live in :mod:`mediadesk.notifications`.

The robot's webhook address and secret are password inputs that never render a value back,
so neither appears in a page, not even after a validation error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediadesk.notifications.models import RobotPlatform
from mediadesk.orgs.models import OrgUnit
from mediadesk.web.forms import UnitField


class RobotUnitForm(forms.Form):
    unit = forms.CharField(required=False)  # replaced by a UnitField in __init__

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitField(units=units, required=True, label=_("Unit"))


class RobotForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=RobotPlatform.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The group's name, so people know where messages go."),
    )
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_(
            "Copied from the robot's settings in the group chat. It is stored encrypted and "
            "shown only as its host and last four characters."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "DingTalk 加签 (starts with SEC) or Feishu 签名校验, when the robot uses one. "
            "WeCom robots have none. A robot with keyword security needs “mediadesk” as a "
            "keyword."
        ),
    )

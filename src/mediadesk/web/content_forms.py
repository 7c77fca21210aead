"""Input shapes of the content and review pages.

The rules live in :mod:`mediadesk.content` (services, planning, library, workflows); these forms
only read the request and hand the values over, and the services' errors are shown next to the
inputs they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediadesk.accounts.models import Platform, SocialAccount
from mediadesk.content.delivery import DELIVERY_MASS_SEND, DELIVERY_PUBLISH, EXTRA_FIELDS
from mediadesk.content.library import LICENCE_STATE_LABELS, LicenceState
from mediadesk.content.models import (
    ApprovalMode,
    Asset,
    AssetKind,
    ContentFormat,
    Goal,
    GoalMetric,
    LicenceKind,
    Topic,
    TopicCategory,
)
from mediadesk.content.selectors import ItemState
from mediadesk.orgs.models import OrgUnit, Role, User
from mediadesk.web.forms import _set_units

#: The platform details of a variant (``delivery.EXTRA_FIELDS``) as the editor names them.
EXTRA_LABELS: dict[str, Any] = {
    "author": _("Author line"),
    "open_comments": _("Open comments"),
    "fans_only_comments": _("Only followers may comment"),
    "delivery": _("How WeChat sends it"),
    "cart_url": _("Shopping-cart link"),
    "poi_id": _("Location (POI ID)"),
    "at_users": _("@ people (open IDs, comma-separated)"),
    "micro_app_id": _("Mini-program ID"),
    "micro_app_title": _("Mini-program title"),
    "cover_tsp": _("Cover frame (seconds into the video)"),
}
DELIVERY_CHOICES = [
    ("", _("Publish (发布, default)")),
    (DELIVERY_PUBLISH, _("Publish (发布)")),
    (DELIVERY_MASS_SEND, _("Mass send (群发)")),
]
BOOL_FILTER = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


def _asset_label(asset: Asset) -> str:
    return f"{asset.title}（#{asset.pk}）"


def _split(value: str) -> list[str]:
    for sep in ("，", "、", ";", "；", "\n"):
        value = value.replace(sep, ",")
    return [part.strip() for part in value.split(",") if part.strip()]


def _lines(value: str) -> str:
    """Browsers send line breaks as CRLF; the content keeps LF, so an untouched text saved from
    the page is the text it was (and makes no new revision)."""
    return (value or "").replace("\r\n", "\n")


# -- content items --------------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title contains…")}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *ItemState.labels.items()],
    )
    unit = forms.CharField(label=_("Unit"), required=False)
    goal = forms.TypedChoiceField(label=_("Goal"), required=False, coerce=int, empty_value=None)
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    account = forms.TypedChoiceField(
        label=_("Account"), required=False, coerce=int, empty_value=None
    )
    backup = forms.ChoiceField(
        label=_("Backup content"),
        required=False,
        choices=[("", _("All")), ("yes", _("Backup only")), ("no", _("Regular only"))],
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[OrgUnit] = (),
        goals: Iterable[Goal] = (),
        topics: Iterable[Topic] = (),
        accounts: Iterable[SocialAccount] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        _set_units(self, "unit", units, blank=_("All units"))
        self.fields["goal"].choices = [("", _("All goals")), *((g.pk, g.name) for g in goals)]
        self.fields["topic"].choices = [("", _("All topics")), *((t.pk, t.name) for t in topics)]
        self.fields["account"].choices = [
            ("", _("All accounts")),
            *((a.pk, f"{a.name} · {a.get_platform_display()}") for a in accounts),
        ]


class ItemForm(forms.Form):
    """The item itself (模板1): what it is, the goal it works towards, its target figures."""

    title = forms.CharField(label=_("Title"), max_length=200)
    goal = forms.TypedChoiceField(label=_("Goal"), coerce=int)
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    format = forms.ChoiceField(label=_("Format"), choices=ContentFormat.choices)
    target_exposure = forms.IntegerField(label=_("Target exposure"), min_value=0, required=False)
    target_interaction = forms.IntegerField(
        label=_("Target interaction"), min_value=0, required=False
    )
    target_conversion = forms.IntegerField(
        label=_("Target conversion"), min_value=0, required=False
    )
    backup_for = forms.CharField(
        label=_("Backup content prepared for"),
        required=False,
        max_length=200,
        help_text=_(
            "Name the event or crisis to keep this ready as backup content; else leave it empty."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        goals: Iterable[Goal] = (),
        topics: Iterable[Topic] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [
            ("", "—"),
            *((g.pk, f"{g.name}（{g.owning_unit.name}）") for g in goals),
        ]
        self.fields["topic"].choices = [
            ("", _("No topic")),
            *((t.pk, f"{t.get_category_display()} · {t.name}") for t in topics),
        ]
        self.fields["goal"].error_messages["required"] = _(
            "Link the content to a goal (CNT-1): every item works towards one."
        )

    def targets(self) -> dict[str, int]:
        data = self.cleaned_data
        return {
            name: data.get(name) or 0
            for name in ("target_exposure", "target_interaction", "target_conversion")
        }


class VariantForm(forms.Form):
    """One variant: what the item says on one account (prefix ``v<account id>``)."""

    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    digest = forms.CharField(
        label=_("Digest"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_("Body"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    original_url = forms.CharField(label=_("Read-original link"), required=False, max_length=500)
    cover = forms.TypedChoiceField(label=_("Cover"), required=False, coerce=int, empty_value=None)
    media = forms.TypedMultipleChoiceField(
        label=_("Media"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, account: SocialAccount, assets: Sequence[Asset] = (), **kwargs: Any
    ):
        kwargs.setdefault("prefix", f"v{account.pk}")
        super().__init__(*args, **kwargs)
        self.account = account
        self.platform = account.platform
        self.assets = list(assets)
        images = [a for a in self.assets if a.kind == AssetKind.IMAGE]
        self.fields["cover"].choices = [
            ("", _("No cover")),
            *((a.pk, _asset_label(a)) for a in images),
        ]
        self.fields["media"].choices = [
            (a.pk, _asset_label(a)) for a in self.assets if a.kind != AssetKind.FONT
        ]
        self.is_article = self.platform in (
            Platform.WECHAT_SERVICE,
            Platform.WECHAT_SUBSCRIPTION,
        )
        if self.is_article:
            self.fields["body"].widget.attrs["data-rich-editor"] = "1"
        else:
            self.fields["body"].label = _("Post text")
            self.fields["body"].widget.attrs["rows"] = 6
        self.extra_names = []
        for name, kind in EXTRA_FIELDS.get(self.platform, {}).items():
            field_name = f"extra_{name}"
            label = EXTRA_LABELS.get(name, name)
            if name == "delivery":
                field: forms.Field = forms.ChoiceField(
                    label=label, required=False, choices=DELIVERY_CHOICES
                )
            elif kind is bool:
                field = forms.BooleanField(label=label, required=False)
            elif kind is list:
                field = forms.CharField(label=label, required=False, max_length=500)
            elif isinstance(kind, tuple):
                field = forms.FloatField(label=label, required=False, min_value=0)
            else:
                field = forms.CharField(label=label, required=False, max_length=500)
            self.fields[field_name] = field
            self.extra_names.append(name)

    @property
    def extra_fields(self) -> list[forms.BoundField]:
        return [self[f"extra_{name}"] for name in self.extra_names]

    @property
    def media_assets(self) -> list[Asset]:
        return [a for a in self.assets if a.kind != AssetKind.FONT]

    @property
    def image_assets(self) -> list[Asset]:
        return [a for a in self.assets if a.kind == AssetKind.IMAGE]

    @staticmethod
    def initial_for(variant: Any) -> dict[str, Any]:
        """A saved variant as the form's initial values."""
        initial = {
            "title": variant.title,
            "digest": variant.digest,
            "body": variant.body,
            "original_url": variant.original_url,
            "cover": variant.cover_id,
            "media": [int(m) for m in variant.media or []],
        }
        for name, value in (variant.extra or {}).items():
            initial[f"extra_{name}"] = ", ".join(value) if isinstance(value, list) else value
        return initial

    def payload(self) -> dict[str, Any]:
        """The variant in the shape ``services.create_item`` takes."""
        data = self.cleaned_data
        extra: dict[str, Any] = {}
        for name in self.extra_names:
            value = data.get(f"extra_{name}")
            if value in (None, "", False):
                continue
            if EXTRA_FIELDS[self.platform][name] is list:
                value = _split(value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            extra[name] = value
        return {
            "account": self.account,
            "title": data.get("title", ""),
            "digest": _lines(data.get("digest", "")),
            "body": _lines(data.get("body", "")),
            "original_url": data.get("original_url", ""),
            "media": list(data.get("media") or []),
            "cover": data.get("cover"),
            "extra": extra,
        }


class SubmitForm(forms.Form):
    override_request = forms.CharField(
        label=_("Ask legal to decide on the blocking findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only when a blocking term must stay (e.g. a quoted regulation or a registered "
            "trade mark): explain why; the legal stage decides and records its reason."
        ),
    )


class CopyVariantForm(forms.Form):
    source = forms.TypedChoiceField(label=_("Copy the variant of"), coerce=int)
    account = forms.TypedChoiceField(label=_("To the account"), coerce=int)
    replace = forms.BooleanField(
        label=_("Replace the variant the account already has"), required=False
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        sources: Iterable[Any] = (),
        accounts: Iterable[SocialAccount] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            (v.pk, f"{v.account.name} · {v.account.get_platform_display()}") for v in sources
        ]
        self.fields["account"].choices = [
            (a.pk, f"{a.name} · {a.get_platform_display()}") for a in accounts
        ]


# -- review -----------------------------------------------------------------------------------


class _Ticks(forms.MultipleChoiceField):
    """Checklist ticks: a line the stage no longer has (a form opened at an earlier stage) is
    not an error here; the service keeps only the current stage's lines."""

    def valid_value(self, value: Any) -> bool:
        return True


class DecisionForm(forms.Form):
    """A reviewer's decision; ``revision`` and ``version`` are what the page showed."""

    action = forms.CharField(widget=forms.HiddenInput)  # the pressed button
    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to approve with a comment, request changes or reject."),
    )
    checklist = _Ticks(label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple)
    override_reason = forms.CharField(
        label=_("Reason for overriding the blocking findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your name in the review and the audit log."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, checklist: Sequence[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = [(c, c) for c in checklist]

    def answers(self) -> dict[str, bool]:
        return dict.fromkeys(self.cleaned_data.get("checklist") or [], True)


# -- goals, topics, the media library ---------------------------------------------------------


class GoalForm(forms.Form):
    unit = forms.CharField(label=_("Unit"))
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 500,000 exposures in the launch week")}
        ),
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=GoalMetric.choices)
    target = forms.IntegerField(label=_("Target"), min_value=1)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    platforms = forms.MultipleChoiceField(
        label=_("Counts on the platforms"),
        required=False,
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every platform."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            _set_units(self, "unit", units, blank="—")

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        return data


class TopicForm(forms.Form):
    unit = forms.CharField(label=_("Unit"))
    name = forms.CharField(label=_("Topic"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=TopicCategory.choices)
    audience = forms.CharField(
        label=_("Audience"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Whom it is for and what they care about."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Sequence[OrgUnit] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            _set_units(self, "unit", units, blank="—")

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        return data


class AssetMetaForm(forms.Form):
    """Where an asset comes from and until when it may be used (CNT-4)."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. shot by the brand team; bought from …")}
        ),
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=LicenceKind.choices)
    licensed_until = forms.DateField(
        label=_("Licensed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the licence does not expire."),
    )
    licence_note = forms.CharField(
        label=_("Licence details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    people_pictured = forms.CharField(
        label=_("People pictured"),
        required=False,
        max_length=1000,
        help_text=_("Names of recognisable people, separated by commas."),
    )
    portrait_consent = forms.BooleanField(
        label=_("Their portrait consent is on file"), required=False
    )
    consent_note = forms.CharField(
        label=_("Consent details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @staticmethod
    def initial_for(asset: Asset) -> dict[str, Any]:
        return {
            "title": asset.title,
            "source": asset.source,
            "licence": asset.licence,
            "licensed_until": asset.licensed_until,
            "licence_note": asset.licence_note,
            "people_pictured": "、".join(asset.people_pictured or []),
            "portrait_consent": asset.portrait_consent,
            "consent_note": asset.consent_note,
        }

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in AssetMetaForm.base_fields}
        data["people_pictured"] = _split(data.get("people_pictured") or "")
        return data


class AssetUploadForm(AssetMetaForm):
    unit = forms.CharField(label=_("Unit"))
    file = forms.FileField(label=_("File"))

    field_order = ["unit", "file", "title"]

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_units(self, "unit", units, blank="—")
        self.fields["title"].help_text = _("Empty: the file's name.")


class AssetFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or source…")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *AssetKind.choices]
    )
    licence_state = forms.ChoiceField(
        label=_("Licence state"),
        required=False,
        choices=[("", _("All")), *((s.value, LICENCE_STATE_LABELS[s]) for s in LicenceState)],
    )
    archived = forms.BooleanField(label=_("Include archived"), required=False)


# -- workflows --------------------------------------------------------------------------------


class WorkflowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    unit = forms.CharField(label=_("For the unit (and below)"), required=False)
    account = forms.TypedChoiceField(
        label=_("Or for the account"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[OrgUnit] | None = None,
        accounts: Iterable[SocialAccount] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
            del self.fields["account"]
            return
        _set_units(self, "unit", units, blank="—")
        self.accounts = {a.pk: a for a in accounts}
        self.fields["account"].choices = [
            ("", "—"),
            *((a.pk, f"{a.name} · {a.get_platform_display()}") for a in self.accounts.values()),
        ]


class StageForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Stage"), max_length=100)
    level = forms.IntegerField(
        label=pgettext_lazy("review level", "Level"),
        min_value=1,
        max_value=9,
        help_text=_("1–3 fill the review flow table's L1, L2, L3 columns."),
    )
    role = forms.ChoiceField(label=_("Reviewers by role"), required=False)
    people = forms.TypedMultipleChoiceField(
        label=_("Or named reviewers"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Named people take precedence over the role."),
    )
    mode = forms.ChoiceField(label=_("Who must approve"), choices=ApprovalMode.choices)
    checklist = forms.CharField(
        label=_("Checklist (one item a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_legal = forms.BooleanField(
        label=_("Legal / PR stage (decides on blocking findings)"), required=False
    )

    def __init__(self, *args: Any, people: Iterable[User] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *Role.choices]
        self.fields["people"].choices = [(p.pk, p.display_name or p.username) for p in people]

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "name": data["name"],
            "level": data["level"],
            "role": data.get("role") or "",
            "people": list(data.get("people") or []),
            "mode": data["mode"],
            "checklist": [line.strip() for line in (data.get("checklist") or "").splitlines()],
            "is_legal": bool(data.get("is_legal")),
        }


StageFormSet = forms.formset_factory(StageForm, extra=0, can_delete=True, max_num=10)

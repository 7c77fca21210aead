"""Names and colours the account pages use, in the interface language.

An account's status has its own context ("account status") because the same English word
means something else for a person ("Active" = 在职 for people, 正常运营 for accounts).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediadesk.accounts.models import AccountStatus
from mediadesk.web.forms import AUDIT_OBJECT_TYPES
from mediadesk.web.labels import register_audit_labels

S = AccountStatus

ACCOUNT_STATUS_LABELS: dict[str, Any] = {
    S.APPLYING: pgettext_lazy("account status", "Applying"),
    S.ACTIVE: pgettext_lazy("account status", "Active"),
    S.STOPPED: pgettext_lazy("account status", "Stopped updating"),
    S.SUSPENDED: pgettext_lazy("account status", "Suspended"),
    S.CLOSED: pgettext_lazy("account status", "Closed"),
}
ACCOUNT_STATUS_CHOICES = [(value, label) for value, label in ACCOUNT_STATUS_LABELS.items()]

# badge colour per account, application and filing status
STATUS_CLASSES = {
    S.APPLYING: "badge-info",
    S.ACTIVE: "badge-ok",
    S.STOPPED: "badge-muted",
    S.SUSPENDED: "badge-danger",
    S.CLOSED: "badge-outline",
    "submitted": "badge-info",
    "returned": "badge-warn",
    "approved": "badge-ok",
    "withdrawn": "badge-muted",
    "due": "badge-warn",
    "filed": "badge-ok",
    "verified": "badge-ok",
    "unverified": "badge-muted",
    "expired": "badge-danger",
}

# The health flags of selectors.account_health, in the order of the legend.
FLAG_LABELS: dict[str, Any] = {
    "nonconforming": _("Nonconforming"),
    "verification_expiring": _("Verification expiring"),
    "verification_lapsed": _("Verification lapsed"),
    "filing_overdue": _("Filing overdue"),
    S.STOPPED: pgettext_lazy("account status", "Stopped updating"),
    S.SUSPENDED: pgettext_lazy("account status", "Suspended"),
}
FLAG_HINTS: dict[str, Any] = {
    "nonconforming": _("Name, avatar, bio or menu differs from the unit's brand standards"),
    "verification_expiring": _("The verification lapses within 30 days"),
    "verification_lapsed": _("Unverified accounts lose the publishing API"),
    "filing_overdue": _("A filing with HQ is past its deadline"),
    S.STOPPED: _("Updates stopped, filed with HQ"),
    S.SUSPENDED: _("Suspended by the platform (ban, complaint)"),
}

# What each conformity deviation (accounts.conformity.Deviation.code) is about.
DEVIATION_LABELS: dict[str, Any] = {
    "name": _("Name"),
    "avatar": _("Avatar"),
    "avatar_missing": _("Avatar"),
    "bio": _("Bio"),
    "menu_missing": _("Menu"),
    "menu_first": _("Menu"),
    "menu_holding": _("Menu"),
    "menu_site": _("Menu"),
}

APPLICATION_ACTION_LABELS: dict[str, Any] = {
    "submitted": _("Submitted"),
    "returned": _("Returned with feedback"),
    "resubmitted": _("Revised and resubmitted"),
    "approved": _("Approved"),
    "withdrawn": _("Withdrawn"),
}

register_audit_labels(
    {
        "accounts.account.register": _("Account registered"),
        "accounts.account.update": _("Account changed"),
        "accounts.account.name_exception": _("Naming exception set"),
        "accounts.link.create": _("Accounts linked"),
        "accounts.link.delete": _("Account link removed"),
        "accounts.application.submitted": _("Account application submitted"),
        "accounts.application.returned": _("Account application returned"),
        "accounts.application.resubmitted": _("Account application resubmitted"),
        "accounts.application.approved": _("Account application approved"),
        "accounts.application.withdrawn": _("Account application withdrawn"),
        "accounts.filing.open": _("Filing due"),
        "accounts.filing.file": _("Filing submitted"),
        "accounts.credential.store": _("Credential stored"),
        "accounts.credential.reveal": _("Credential revealed"),
        "accounts.credential.rotate": _("Credential rotated"),
        "accounts.rotation_task.open": _("Rotation task opened"),
        "accounts.vault.rekey": _("Vault re-encrypted"),
        "accounts.profile.update": _("Brand standards changed"),
        "accounts.company_names.update": _("Company names changed"),
        "accounts.import": _("Accounts imported"),
        "accounts.export": _("Accounts exported"),
        "accounts.personal_check": _("Personal accounts checked"),
    },
    {"accounts": _("Account matrix")},
)

for _code, _label in [
    ("accounts.socialaccount", _("Account")),
    ("accounts.accountapplication", _("Account application")),
    ("accounts.filing", _("Filing")),
    ("accounts.credential", _("Credential")),
]:
    if all(code != _code for code, _unused in AUDIT_OBJECT_TYPES):
        AUDIT_OBJECT_TYPES.append((_code, _label))

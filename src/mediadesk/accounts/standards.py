"""Maintaining the brand standards the conformity checks compare against (ACC-4, ACC-5)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mediadesk.accounts.conformity import image_hash
from mediadesk.accounts.models import CompanyNames, UnitProfile
from mediadesk.audit.services import record_event
from mediadesk.core.errors import ValidationFailed
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import Action, require

MAX_LOGO_BYTES = 2 * 1024 * 1024


@transaction.atomic
def save_profile(
    *,
    actor: Any,
    unit: OrgUnit,
    brand_name: str | None = None,
    unit_name: str | None = None,
    standard_bio: str | None = None,
    logo: bytes | None = None,
) -> UnitProfile:
    require(actor, Action.ACCOUNT_MANAGE, unit)
    profile, _created = UnitProfile.objects.select_for_update().get_or_create(unit=unit)
    before = {
        "brand_name": profile.brand_name,
        "unit_name": profile.unit_name,
        "standard_bio": profile.standard_bio,
        "logo_hash": profile.logo_hash,
    }
    if brand_name is not None:
        profile.brand_name = brand_name.strip()[:50]
    if unit_name is not None:
        profile.unit_name = unit_name.strip()[:50]
    if standard_bio is not None:
        profile.standard_bio = standard_bio.strip()
    if logo is not None:
        if len(logo) > MAX_LOGO_BYTES:
            raise ValidationFailed(
                _("The image is larger than 2 MB."), fields={"logo": _("too large")}
            )
        try:
            profile.logo_hash = image_hash(logo)
        except ValueError as exc:
            raise ValidationFailed(
                _("This is not an image we can read."), fields={"logo": _("not an image")}
            ) from exc
        profile.standard_logo = logo
    profile.save()
    record_event(
        action="accounts.profile.update",
        actor=actor,
        obj=profile,
        before=before,
        after={
            "brand_name": profile.brand_name,
            "unit_name": profile.unit_name,
            "standard_bio": profile.standard_bio,
            "logo_hash": profile.logo_hash,
        },
    )
    return profile


@transaction.atomic
def save_company_names(
    *, actor: Any, full_names: list[str], short_names: list[str], english_names: list[str]
) -> CompanyNames:
    """The names employees' personal accounts must not use; kept by HQ for the whole group."""
    require(actor, Action.ACCOUNT_APPROVE)

    def clean(names: list[str]) -> list[str]:
        return sorted({n.strip() for n in names if n and n.strip()})

    full = clean(full_names)
    if not full:
        raise ValidationFailed(
            _("At least the company's full name is needed."), fields={"full_names": _("required")}
        )
    names = CompanyNames.objects.select_for_update().first() or CompanyNames()
    before = {
        "full_names": names.full_names,
        "short_names": names.short_names,
        "english_names": names.english_names,
    }
    names.full_names, names.short_names, names.english_names = (
        full,
        clean(short_names),
        clean(english_names),
    )
    names.save()
    record_event(
        action="accounts.company_names.update",
        actor=actor,
        object_type="accounts.companynames",
        object_id=str(names.pk),
        before=before,
        after={
            "full_names": full,
            "short_names": names.short_names,
            "english_names": names.english_names,
        },
    )
    return names

"""Conformity checks of an account against its unit's brand standards (ACC-4).

Avatars are compared by picture, not by file: a 64-bit difference hash of the image scaled to
9×8 grey pixels survives re-encoding, resizing and small compression changes, while a
different logo differs in many bits.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

SAME_IMAGE_MAX_DISTANCE = 6
ARTICLE_TYPES = {"article_id", "article_view_limited", "media_id", "view_limited"}


def image_hash(data: bytes) -> str:
    """The 64-bit dHash of an image as 16 hex digits; ValueError when it is not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            grey = img.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("not an image") from exc
    pixels = list(grey.getdata())
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def hash_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def validate_menu(menu: Any) -> None:
    """Refuse what WeChat would refuse: at most 3 top-level buttons with at most 5 sub-buttons."""
    from mediadesk.core.errors import ValidationFailed

    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise ValidationFailed(
            _("A WeChat menu has 1–3 top-level buttons under “button”."),
            fields={"wechat_menu": _("invalid")},
        )
    for button in buttons:
        if not isinstance(button, dict) or not button.get("name"):
            raise ValidationFailed(
                _("Every menu button needs a name."), fields={"wechat_menu": _("invalid")}
            )
        if len(button.get("sub_button") or []) > 5:
            raise ValidationFailed(
                _("A menu button has at most 5 sub-buttons."), fields={"wechat_menu": _("invalid")}
            )


@dataclass(frozen=True)
class Deviation:
    code: str
    message: str
    expected: str = ""
    actual: str = ""


@dataclass(frozen=True)
class Standards:
    brand_name: str
    unit_name: str
    standard_bio: str
    logo_hash: str


def standards_for(unit: Any) -> Standards:
    """The unit's profile; blank fields are inherited from the nearest ancestor that has them."""
    from mediadesk.accounts.models import UnitProfile

    chain = list(reversed(unit.ancestor_ids()))  # the unit itself first, the group last
    profiles = {p.unit_id: p for p in UnitProfile.objects.filter(unit_id__in=chain)}
    own = profiles.get(unit.pk)

    def inherited(field: str) -> str:
        for unit_id in chain:
            value = getattr(profiles.get(unit_id), field, "") if unit_id in profiles else ""
            if value:
                return value
        return ""

    return Standards(
        brand_name=inherited("brand_name"),
        unit_name=(own.unit_name if own and own.unit_name else unit.name),
        standard_bio=inherited("standard_bio"),
        logo_hash=inherited("logo_hash"),
    )


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def check_account(account: Any, standards: Standards | None = None) -> list[Deviation]:
    standards = standards or standards_for(account.owning_unit)
    found: list[Deviation] = []
    if standards.brand_name:
        expected = f"{standards.brand_name}{standards.unit_name}"
        if _normal(account.name) != _normal(expected) and not account.name_exception:
            found.append(
                Deviation(
                    "name",
                    _("The name does not follow “brand + unit name”."),
                    expected,
                    account.name,
                )
            )
    if standards.logo_hash:
        if not account.avatar_hash:
            found.append(
                Deviation(
                    "avatar_missing", _("No avatar is on record to compare with the standard logo.")
                )
            )
        elif hash_distance(account.avatar_hash, standards.logo_hash) > SAME_IMAGE_MAX_DISTANCE:
            found.append(Deviation("avatar", _("The avatar is not the unit's standard logo.")))
    if standards.standard_bio and _normal(account.bio) != _normal(standards.standard_bio):
        found.append(
            Deviation(
                "bio",
                _("The bio differs from the approved standard bio."),
                standards.standard_bio,
                account.bio,
            )
        )
    if account.is_wechat and standards.brand_name:
        found += check_menu(account.wechat_menu, standards.brand_name)
    return found


def check_menu(menu: Any, brand: str) -> list[Deviation]:
    """The first top-level item must be "走进<brand>", with at least the sub-items
    "<brand>控股" (an article) and "<brand>官网" (a link)."""
    title = f"走进{brand}"
    if not menu or not (menu.get("button") if isinstance(menu, dict) else None):
        return [Deviation("menu_missing", _("No WeChat menu is on record."), title, "")]
    first = menu["button"][0]
    if _normal(first.get("name", "")) != title:
        return [
            Deviation(
                "menu_first",
                _("The first menu item must be “%(t)s”.") % {"t": title},
                title,
                first.get("name", ""),
            )
        ]
    subs = {_normal(b.get("name", "")): b for b in first.get("sub_button") or []}
    found = []
    holding = subs.get(f"{brand}控股")
    if holding is None or holding.get("type") not in ARTICLE_TYPES:
        found.append(
            Deviation(
                "menu_holding",
                _("“%(t)s” must open an article.") % {"t": f"{brand}控股"},
                f"{brand}控股",
                (holding or {}).get("type", ""),
            )
        )
    site = subs.get(f"{brand}官网")
    if site is None or site.get("type") != "view" or not site.get("url"):
        found.append(
            Deviation(
                "menu_site",
                _("“%(t)s” must be a link.") % {"t": f"{brand}官网"},
                f"{brand}官网",
                (site or {}).get("type", ""),
            )
        )
    return found

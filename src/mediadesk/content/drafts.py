"""A variant as the editor holds it, before it is saved: checked, previewed, planned.

The editor shows each variant's problems, delivery plan and preview while the author types
(CNT-3). Those come from the same functions that judge a saved variant (:mod:`delivery`); this
module turns what the form holds into an unsaved :class:`Variant` with exactly the cleaning a
save would apply — the author may draft for the account, the assets are the unit's (or above),
the body is sanitised, the platform details are the platform's — so the preview never shows
something the save would refuse or change.
"""

from __future__ import annotations

from typing import Any

from mediadesk.content import services
from mediadesk.content.models import Variant
from mediadesk.orgs.models import OrgUnit


def draft_variant(*, actor: Any, owning_unit: OrgUnit, data: dict[str, Any]) -> Variant:
    """An unsaved variant of ``data`` (the shape ``services.create_item`` takes per variant).

    Raises what saving would raise (``ValidationFailed``, ``PermissionDenied``); nothing is
    written.
    """
    cleaned = services._clean_variants(actor, owning_unit, [data])[0]
    return Variant(
        account=cleaned["account"],
        title=cleaned["title"],
        digest=cleaned["digest"],
        body=cleaned["body"],
        original_url=cleaned["original_url"],
        media=cleaned["media"],
        cover_id=cleaned["cover"],
        extra=cleaned["extra"],
    )

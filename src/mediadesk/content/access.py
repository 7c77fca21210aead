"""Who may plan content where, and which goals, topics and assets a unit may use.

Planning (goals, topics, the media library) is done by whoever drafts content in a unit
(``content.draft``: operators and editors) and by whoever configures it (``settings.manage``:
HQ communications, technical support), so HQ can set the group's goals and brand assets without
holding a drafting role. A unit uses its own goals, topics and assets and those of the units
above it (a business unit works towards the group's goal with the group's logo); reading follows
the same line: ``content.view`` on a unit shows its own and its ancestors' planning objects.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from mediadesk.core.errors import PermissionDenied
from mediadesk.orgs.models import OrgUnit
from mediadesk.orgs.permissions import ALL_UNITS, Action, can, unit_paths_for

PLANNING_ACTIONS = (Action.CONTENT_DRAFT, Action.SETTINGS_MANAGE)


def may_plan(actor: Any, obj: Any) -> bool:
    return any(can(actor, action, obj) for action in PLANNING_ACTIONS)


def require_planning(actor: Any, obj: Any) -> None:
    """Refuse unless ``actor`` drafts content or configures settings where ``obj`` sits."""
    if not may_plan(actor, obj):
        raise PermissionDenied(
            _("You are not allowed to plan content (goals, topics, media library) for %(o)s.")
            % {"o": obj}
        )


def within_reach(owner: OrgUnit | int, unit: OrgUnit) -> bool:
    """True when something owned by ``owner`` may be used by ``unit`` (itself or above it)."""
    owner_id = owner if isinstance(owner, int) else owner.pk
    return owner_id in unit.ancestor_ids()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def readable_q(user: Any, field: str = "owning_unit") -> Q | None:
    """A filter for rows owned by units ``user`` reads content in, or above them.

    ``None`` means everything (a group-wide reader)."""
    paths = unit_paths_for(user, Action.CONTENT_VIEW)
    if paths is ALL_UNITS:
        return None
    condition = Q(pk__in=[])
    above: set[str] = set()
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
        above.update(_ancestor_paths(path))
    if above:
        condition |= Q(**{f"{field}__path__in": sorted(above)})
    return condition


def may_read(user: Any, obj: Any) -> bool:
    """``content.view`` on the owning unit, or on a unit below it."""
    if can(user, Action.CONTENT_VIEW, obj):
        return True
    paths = unit_paths_for(user, Action.CONTENT_VIEW)
    if paths is ALL_UNITS:
        return True
    owner_path = obj.owning_unit.path
    return any(path.startswith(owner_path) for path in paths)

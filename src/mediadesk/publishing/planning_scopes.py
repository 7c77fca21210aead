"""Where the planning records sit, for permissions and audit scoping.

A publication, plan entry, repost task or account-level rule sits with its account; pauses,
blackouts and a unit's repost targets with their unit; the platform defaults (best times,
frequency rules) and propagation sources belong to the whole group, so only group-level grants
reach them.
"""

from __future__ import annotations

from mediadesk.core.scopes import Scope, register
from mediadesk.publishing.models import (
    BestTimeSlot,
    BlackoutPeriod,
    FrequencyRule,
    PlanEntry,
    PropagationSource,
    PropagationTarget,
    PublishingPause,
    RepostTask,
)


def account_scope(account: object) -> Scope:
    return Scope(unit_path=account.owning_unit.path, account_id=account.pk)  # type: ignore[attr-defined]


def _plan_scope(entry: PlanEntry) -> Scope:
    if entry.account_id:
        return account_scope(entry.account)
    return Scope(unit_path=entry.owning_unit.path)


def _account_or_group(obj: BestTimeSlot | FrequencyRule) -> Scope:
    return account_scope(obj.account) if obj.account_id else Scope()


register(PlanEntry, _plan_scope)
register(PublishingPause, lambda p: Scope(unit_path=p.unit.path))
register(BlackoutPeriod, lambda b: Scope(unit_path=b.unit.path))
register(BestTimeSlot, _account_or_group)
register(FrequencyRule, _account_or_group)
register(PropagationSource, lambda s: Scope())
register(RepostTask, lambda t: account_scope(t.account))
register(PropagationTarget, lambda t: Scope(unit_path=t.unit.path))

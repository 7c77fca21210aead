"""The planning side's periodic jobs (imported by ``PublishingConfig.ready``: the job registry
autodiscovers ``tasks.py``, which belongs to the engine)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mediadesk.jobs.registry import periodic_task


@periodic_task("publishing.planning.warn_ahead", every=timedelta(days=1))
def warn_ahead(payload: dict[str, Any]) -> dict[str, Any]:
    """Gaps, overloads and quota breaches of the coming days, to each account's people."""
    from mediadesk.publishing.planning_warnings_job import warn_ahead as run

    return {"sent": run()}


@periodic_task("publishing.propagation.flag_overdue", every=timedelta(hours=1))
def flag_overdue_reposts(payload: dict[str, Any]) -> dict[str, Any]:
    """Open repost tasks past their working day, to the unit and HQ (once per task). Hourly so
    a task is flagged within the hour, not a day late."""
    from mediadesk.publishing.propagation import flag_overdue

    return {"flagged": flag_overdue()}


@periodic_task("publishing.planning.release_holds", every=timedelta(minutes=1))
def release_holds(payload: dict[str, Any]) -> dict[str, Any]:
    """Held posts whose blackout ran out go back to the engine (pauses release on resume)."""
    from mediadesk.publishing.planning_pauses import release_held

    return {"released": len(release_held(actor=None))}

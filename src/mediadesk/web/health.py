"""The system-health summary on the dashboard: the facts of ``/healthz``, in words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mediadesk.jobs.health import report


def _age(seconds: float | None) -> str:
    if seconds is None:
        return _("no heartbeat yet")
    if seconds < 90:
        n = round(seconds)
        return ngettext(
            "last heartbeat %(n)d second ago", "last heartbeat %(n)d seconds ago", n
        ) % {"n": n}
    n = round(seconds / 60)
    return ngettext("last heartbeat %(n)d minute ago", "last heartbeat %(n)d minutes ago", n) % {
        "n": n
    }


def _detail(name: str, check: dict[str, Any]) -> str:
    if "error" in check:
        return _("unavailable")
    if name == "database":
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
            check["vendor"], check["vendor"]
        )
    if name in {"worker", "scheduler"}:
        return _age(check.get("age_seconds"))
    if name == "jobs":
        waiting = check.get("waiting", 0)
        if not waiting:
            return _("no job waiting")
        return ngettext(
            "%(n)d job waiting, oldest %(s)d s",
            "%(n)d jobs waiting, oldest %(s)d s",
            waiting,
        ) % {"n": waiting, "s": round(check.get("oldest_wait_seconds") or 0)}
    if name == "publishing":
        stuck = (
            check.get("stuck_claimed", 0)
            + check.get("stuck_submitting", 0)
            + check.get("overdue_follow_ups", 0)
        )
        if stuck:
            return ngettext("%(n)d post stuck", "%(n)d posts stuck", stuck) % {"n": stuck}
        waiting = check.get("due_waiting", 0)
        if not waiting:
            return _("no post waiting")
        return ngettext(
            "%(n)d due post waiting, oldest %(s)d s",
            "%(n)d due posts waiting, oldest %(s)d s",
            waiting,
        ) % {"n": waiting, "s": round(check.get("oldest_wait_seconds") or 0)}
    return ""


LABELS = {
    "database": gettext_lazy("Database"),
    "worker": gettext_lazy("Job worker"),
    "scheduler": gettext_lazy("Scheduler"),
    "jobs": gettext_lazy("Job queue"),
    "publishing": gettext_lazy("Publishing"),
}


def summary() -> dict[str, Any]:
    """``{"ok": bool, "checks": [{"label", "ok", "detail"}]}`` from the health report."""
    body = report()
    checks = [
        {
            "label": LABELS.get(name, name),
            "ok": bool(check.get("ok")),
            "detail": _detail(name, check),
        }
        for name, check in body["checks"].items()
    ]
    return {"ok": body["status"] == "ok", "checks": checks}

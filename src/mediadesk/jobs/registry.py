"""Which task functions exist, by name.

A job row stores only a task *name*; the function is looked up here when the job runs, so the
embedded thread pool and Celery workers run exactly the same code. Each app declares its tasks in
its own ``tasks.py`` (imported by ``JobsConfig.ready``)::

    from mediadesk.jobs.registry import periodic_task, task

    @task("publishing.publish", max_attempts=8)
    def publish(payload: dict) -> dict | None: ...

    @periodic_task("metrics.collect", every=timedelta(minutes=15))
    def collect(payload: dict) -> None: ...

This module imports nothing from Django so that a Celery entry module can import task modules
before Django is set up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

TaskFunction = Callable[[dict[str, Any]], dict[str, Any] | None]

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_SECONDS = 10.0


class UnknownTask(LookupError):
    """A job names a task no module registered (a typo, or an app that was removed)."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    fn: TaskFunction
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS


@dataclass(frozen=True)
class PeriodicSpec:
    """Run task ``name`` once per ``every``.

    ``catch_up=False`` (the default) runs a single job after downtime however many periods were
    missed; ``catch_up=True`` runs one job per missed period, oldest first.
    """

    name: str
    every: timedelta
    payload: dict[str, Any] = field(default_factory=dict)
    catch_up: bool = False

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ValueError(f"periodic task {self.name!r}: every must be positive")


_tasks: dict[str, TaskSpec] = {}
_periodic: dict[str, PeriodicSpec] = {}


def _same_function(a: TaskFunction, b: TaskFunction) -> bool:
    # A module imported twice (e.g. as a script and as a module) re-registers the same function.
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def register(spec: TaskSpec) -> TaskSpec:
    existing = _tasks.get(spec.name)
    if existing is not None and not _same_function(existing.fn, spec.fn):
        raise ValueError(f"task name {spec.name!r} is already used by {existing.fn.__qualname__}")
    _tasks[spec.name] = spec
    return spec


def task(
    name: str,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
) -> Callable[[TaskFunction], TaskFunction]:
    """Register ``fn(payload: dict) -> dict | None`` as the task called ``name``."""

    def decorate(fn: TaskFunction) -> TaskFunction:
        register(TaskSpec(name, fn, max_attempts, retry_base_seconds))
        return fn

    return decorate


def periodic_task(
    name: str,
    *,
    every: timedelta,
    payload: dict[str, Any] | None = None,
    catch_up: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Callable[[TaskFunction], TaskFunction]:
    """Register a task and schedule it once per ``every`` (bookkeeping in ``PeriodicSchedule``)."""

    spec = PeriodicSpec(name, every, dict(payload or {}), catch_up)

    def decorate(fn: TaskFunction) -> TaskFunction:
        register(TaskSpec(name, fn, max_attempts))
        _periodic[name] = spec
        return fn

    return decorate


def get_task(name: str) -> TaskSpec:
    try:
        return _tasks[name]
    except KeyError:
        raise UnknownTask(f"no task is registered as {name!r}") from None


def registered_tasks() -> dict[str, TaskSpec]:
    return dict(_tasks)


def periodic_tasks() -> list[PeriodicSpec]:
    return list(_periodic.values())

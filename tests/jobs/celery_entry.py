"""``celery -A tests.jobs.celery_entry worker``: the real app plus the test tasks."""

from mediadesk.celery_app import app
from tests.jobs import tasks_for_tests  # noqa: F401 - registers the tasks the services test sends

__all__ = ["app"]

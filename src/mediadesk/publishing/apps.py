from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "mediadesk.publishing"
    label = "publishing"
    verbose_name = "Calendar and publishing"

    def ready(self) -> None:
        # Permission scopes of the publishing and planning records, and the planning jobs (the
        # job registry autodiscovers only ``tasks.py``, which holds the engine's).
        from mediadesk.publishing import planning_scopes, planning_tasks, scopes  # noqa: F401

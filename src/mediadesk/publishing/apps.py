from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "mediadesk.publishing"
    label = "publishing"
    verbose_name = "Calendar and publishing"

    def ready(self) -> None:
        # Permission scopes of the planning records, and the planning jobs (the job registry
        # autodiscovers only ``tasks.py``, which the engine owns).
        from mediadesk.publishing import planning_scopes, planning_tasks  # noqa: F401

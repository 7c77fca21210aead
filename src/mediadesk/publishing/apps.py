from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "mediadesk.publishing"
    label = "publishing"
    verbose_name = "Calendar and publishing"

    def ready(self) -> None:
        from mediadesk.publishing import scopes  # noqa: F401 - registers permission scopes

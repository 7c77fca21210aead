from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "mediadesk.content"
    label = "content"
    verbose_name = "Content and review"

    def ready(self) -> None:
        from mediadesk.content import scopes  # noqa: F401 - registers permission scopes

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "mediadesk.orgs"
    label = "orgs"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from mediadesk.orgs import scopes  # noqa: F401 - registers permission scopes

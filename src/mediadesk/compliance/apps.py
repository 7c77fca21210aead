from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "mediadesk.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from mediadesk.compliance import scopes  # noqa: F401 - registers permission scopes

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mediadesk.core"
    label = "core"
    verbose_name = "Core"

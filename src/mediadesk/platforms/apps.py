from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    """Per-account connector configuration, the DB token store, WeChat callbacks, the menu.

    The ``connectors`` and ``simulator`` sub-packages stay free of Django; this app is the
    product's side of them: which account talks to which endpoint with which vault secrets.
    """

    name = "mediadesk.platforms"
    label = "platforms"
    verbose_name = "Platform connections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mediadesk.platforms import scopes  # noqa: F401 - registers permission scopes

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
        from django.utils.translation import gettext

        from mediadesk.accounts import vault
        from mediadesk.platforms import scopes  # noqa: F401 - registers permission scopes
        from mediadesk.platforms.connectors import errors

        # The connectors' reasons, shown wherever a platform refused something, in the
        # reader's language (catalogue: platforms/locale).
        errors.use_translation(gettext)

        # Platform tokens are vault-encrypted too: a re-key must reach them before the old key
        # is retired, or every connector would lose its token at once.
        vault.register_encrypted(
            "platforms.PlatformToken", "access_ciphertext", "refresh_ciphertext"
        )

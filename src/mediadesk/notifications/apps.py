from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mediadesk.notifications"
    label = "notifications"
    verbose_name = "Notification channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mediadesk.accounts import vault
        from mediadesk.notifications import scopes  # noqa: F401 - registers permission scopes

        # A robot's webhook address and secret are vault ciphertexts: re-keyed with the rest.
        vault.register_encrypted("notifications.GroupRobot", "url_ciphertext", "secret_ciphertext")

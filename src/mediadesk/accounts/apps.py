from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mediadesk.accounts"
    label = "accounts"
    verbose_name = "Account matrix"

    def ready(self) -> None:
        from mediadesk.accounts import scopes  # noqa: F401 - registers permission scopes

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "macehub.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from macehub.accounts import signals  # noqa: F401

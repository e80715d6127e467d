from django.apps import AppConfig


class ProfileConfig(AppConfig):
    name = "macehub.profile"
    label = "profile"
    verbose_name = "Problem profile"

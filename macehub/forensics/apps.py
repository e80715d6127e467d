from django.apps import AppConfig


class ForensicsConfig(AppConfig):
    name = "macehub.forensics"
    label = "forensics"
    verbose_name = "Digital forensics"

from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "macehub.accountability"
    label = "accountability"
    verbose_name = "Inspection recommendations"

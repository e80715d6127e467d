from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "macehub.workforce"
    label = "workforce"
    verbose_name = "Capacity and demand"

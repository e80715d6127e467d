from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "macehub.ui"
    label = "ui"
    verbose_name = "GOV.UK components"

from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "macehub.equality"
    label = "equality"

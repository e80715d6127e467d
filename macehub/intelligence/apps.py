from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "macehub.intelligence"
    label = "intelligence"

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "macehub.demo"
    label = "demo"

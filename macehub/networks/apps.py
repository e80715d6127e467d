from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "macehub.networks"
    label = "networks"

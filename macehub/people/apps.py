from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "macehub.people"
    label = "people"

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "macehub.meetings"
    label = "meetings"
    verbose_name = "Tactical meetings"

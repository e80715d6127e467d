from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "macehub.training"
    label = "training"
    verbose_name = "Workforce training"

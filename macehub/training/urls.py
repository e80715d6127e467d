"""The training app's pages, under ``/training/``."""

from django.urls import URLPattern

app_name = "training"

urlpatterns: list[URLPattern] = []

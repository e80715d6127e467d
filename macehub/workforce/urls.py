"""The workforce app's pages, under ``/workforce/``."""

from django.urls import URLPattern

app_name = "workforce"

urlpatterns: list[URLPattern] = []

"""The accountability app's pages, under ``/accountability/``."""

from django.urls import URLPattern

app_name = "accountability"

urlpatterns: list[URLPattern] = []

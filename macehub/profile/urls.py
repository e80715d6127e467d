"""The problem profile's pages, under ``/profile/``: hotspots, patterns, the document."""

from django.urls import URLPattern

app_name = "profile"

urlpatterns: list[URLPattern] = []

from django.urls import path  # noqa: F401

app_name = "equality"

urlpatterns: list = []  # type: ignore[type-arg]

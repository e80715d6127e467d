from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "macehub.people"
    label = "people"

    def ready(self) -> None:
        # The name index follows every write to a person or alias (its signals).
        from macehub.people import search_index  # noqa: F401

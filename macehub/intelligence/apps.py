from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "macehub.intelligence"
    label = "intelligence"

    def ready(self) -> None:
        # The entity search index follows every write to a link or an entity (its
        # signals).
        from macehub.intelligence import search_index  # noqa: F401

"""The project's URLs plus the intelligence pages and API, for tests that run before
``macehub/urls.py`` and ``macehub/api_urls.py`` include them (``@pytest.mark.urls``)."""

from django.urls import URLResolver, include, path

from macehub import api_urls
from macehub.intelligence.api_urls import intelligence_api_urlpatterns
from macehub.urls import handler403, handler404, handler500  # noqa: F401
from macehub.urls import urlpatterns as project_urlpatterns

_api = [*api_urls.urlpatterns]
_api_names = {getattr(p, "name", None) for p in _api}
_api += [p for p in intelligence_api_urlpatterns if p.name not in _api_names]


def _is_api(entry: object) -> bool:
    return isinstance(entry, URLResolver) and entry.namespace == "api"


def _is_intelligence(entry: object) -> bool:
    return isinstance(entry, URLResolver) and entry.namespace == "intelligence"


urlpatterns = [
    *[p for p in project_urlpatterns if not _is_api(p) and not _is_intelligence(p)],
    path("intelligence/", include("macehub.intelligence.urls")),
    path("api/", include((_api, "api"))),
]

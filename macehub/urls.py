"""MACE Hub's URLs: one include per app."""

from django.conf import settings
from django.urls import include, path

from macehub.access.account_views import home
from macehub.access.views import public
from macehub.core.outage import HEALTH_CHECK_PATH, health_check

urlpatterns = [
    path("", home, name="home"),
    # For load balancers: answered by macehub.core.outage.HealthCheckMiddleware.
    path(HEALTH_CHECK_PATH, public(health_check), name="health"),
    path("accounts/", include("macehub.access.account_urls")),
    path("people/", include("macehub.people.urls")),
    path("referrals/", include("macehub.referrals.urls")),
    path("cases/", include("macehub.cases.urls")),
    path("intelligence/", include("macehub.intelligence.urls")),
    path("networks/", include("macehub.networks.urls")),
    path("meetings/", include("macehub.meetings.urls")),
    path("investigations/", include("macehub.investigations.urls")),
    path("forensics/", include("macehub.forensics.urls")),
    path("disruption/", include("macehub.disruption.urls")),
    path("performance/", include("macehub.performance.urls")),
    path("equality/", include("macehub.equality.urls")),
    path("profile/", include("macehub.profile.urls")),
    path("training/", include("macehub.training.urls")),
    path("workforce/", include("macehub.workforce.urls")),
    path("accountability/", include("macehub.accountability.urls")),
    path("audit/", include("macehub.governance.urls")),
    path("api/", include("macehub.api_urls")),
]

# The benchmark's bare view exists only while a benchmark runs (MACEHUB_BENCHMARK=true).
if settings.BENCHMARK_BARE_VIEW:
    from macehub.benchmark import BARE_VIEW_PATH, bare_view

    urlpatterns.append(path(BARE_VIEW_PATH, bare_view, name="benchmark_bare"))

handler403 = "macehub.access.views.permission_denied"
handler404 = "macehub.access.views.page_not_found"
handler500 = "macehub.access.views.server_error"

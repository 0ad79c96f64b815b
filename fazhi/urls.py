from django.urls import include, path

from fazhi.api import api

urlpatterns = [
    path("", include("fazhi.core.urls")),
    path("accounts/", include("fazhi.accounts.urls")),
    path("orgs/", include("fazhi.orgs.urls")),
    path("frameworks/", include("fazhi.frameworks.urls")),
    path("campaigns/", include("fazhi.campaigns.urls")),
    path("evidence/", include("fazhi.evidence.urls")),
    path("reviews/", include("fazhi.reviews.urls")),
    path("dashboards/", include("fazhi.dashboards.urls")),
    path("plans/", include("fazhi.plans.urls")),
    path("fieldwork/", include("fazhi.fieldwork.urls")),
    path("filing/", include("fazhi.filing.urls")),
    path("api/", api.urls),
]

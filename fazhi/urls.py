from django.urls import include, path

from fazhi.api import api

urlpatterns = [
    path("", include("fazhi.core.urls")),
    path("accounts/", include("fazhi.accounts.urls")),
    path("orgs/", include("fazhi.orgs.urls")),
    path("frameworks/", include("fazhi.frameworks.urls")),
    path("campaigns/", include("fazhi.campaigns.urls")),
    path("evidence/", include("fazhi.evidence.urls")),
    path("api/", api.urls),
]

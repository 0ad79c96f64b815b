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
    path("inspections/", include("fazhi.inspections.urls")),
    path("fieldwork/", include("fazhi.fieldwork.urls")),
    path("filing/", include("fazhi.filing.urls")),
    path("surveys/", include("fazhi.surveys.urls")),
    path("exams/", include("fazhi.exams.urls")),
    path("api/", api.urls),
]

# Chinese pages in the site's layout; JSON under /api/ (see fazhi/core/errors.py).
handler400 = "fazhi.core.errors.bad_request"
handler403 = "fazhi.core.errors.permission_denied"
handler404 = "fazhi.core.errors.page_not_found"
handler500 = "fazhi.core.errors.server_error"

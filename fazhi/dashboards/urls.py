from django.urls import path

from fazhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<int:pk>/", views.campaign_board, name="campaign"),
    path("campaigns/<int:pk>/units/<int:unit_pk>/", views.unit_board, name="unit"),
    # One export view; reversed with or without the unit.
    path("campaigns/<int:pk>/export/<slug:panel>/", views.export, name="export"),
    path(
        "campaigns/<int:pk>/units/<int:unit_pk>/export/<slug:panel>/",
        views.export,
        name="export",
    ),
]

from django.urls import path

from fazhi.orgs import views

app_name = "orgs"
urlpatterns = [
    path("regions/", views.region_list, name="regions"),
    path("units/", views.unit_list, name="units"),
    path("units/export/", views.unit_export, name="unit_export"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
]

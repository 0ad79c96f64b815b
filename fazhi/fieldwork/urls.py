from django.urls import path

from fazhi.fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("new/", views.evaluation_create, name="create"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/edit/", views.evaluation_edit, name="edit"),
    path("<int:pk>/applicants/", views.applicants_add, name="applicants_add"),
    path("<int:pk>/field-parts/", views.field_parts_edit, name="field_parts"),
    path("<int:pk>/evaluators/", views.evaluators, name="evaluators"),
    path("<int:pk>/import/", views.scores_import, name="import"),
    path("<int:pk>/import/template/", views.import_template, name="import_template"),
    path("<int:pk>/export/", views.ranking_export, name="export"),
    path("applicants/<int:pk>/scores/", views.scores_save, name="scores"),
    path("applicants/<int:pk>/field/", views.applicant_field, name="applicant_field"),
    path("applicants/<int:pk>/remove/", views.applicant_remove, name="applicant_remove"),
]

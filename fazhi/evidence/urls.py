from django.urls import path

from fazhi.evidence import views

app_name = "evidence"
urlpatterns = [
    path("items/<int:item_pk>/upload/", views.evidence_upload, name="upload"),
    path("campaigns/<int:campaign_pk>/zip/", views.archive_upload, name="archive"),
    path("campaigns/<int:pk>/ledger/", views.evidence_ledger, name="ledger"),
    path("campaigns/<int:pk>/ledger/export/", views.ledger_export, name="ledger_export"),
    path("<int:pk>/", views.evidence_detail, name="detail"),
    path("<int:pk>/download/", views.evidence_download, name="download"),
    path("<int:pk>/replace/", views.evidence_replace, name="replace"),
    path("<int:pk>/delete/", views.evidence_delete, name="delete"),
    path("<int:pk>/restore/", views.evidence_restore, name="restore"),
]

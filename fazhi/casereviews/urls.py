from django.urls import path

from fazhi.casereviews import views

app_name = "casereviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_create, name="create"),
    path("standards/", views.standard_list, name="standards"),
    path("standards/import/", views.standard_import, name="standard_import"),
    path("standards/import/<int:draft>/", views.standard_preview, name="standard_preview"),
    path("standards/import/<int:draft>/confirm/", views.standard_confirm, name="standard_confirm"),
    path("standards/<int:pk>/", views.standard_detail, name="standard"),
    path("standards/<int:pk>/thresholds/", views.standard_thresholds, name="thresholds"),
    path("standards/<int:pk>/export.xlsx", views.standard_export, name="standard_export"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/import/", views.cases_import, name="import"),
    path("<int:pk>/import/<int:draft>/", views.import_preview, name="import_preview"),
    path("<int:pk>/import/<int:draft>/confirm/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/sample/", views.sample, name="sample"),
    path("<int:pk>/sample.xlsx", views.sample_export, name="sample_export"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/feed/", views.feed, name="feed"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("<int:pk>/rectify/", views.rectify, name="rectify"),
    path("<int:pk>/evidence/", views.as_evidence, name="as_evidence"),
    path("<int:pk>/notices/<int:unit>.docx", views.notice_docx, name="notice"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/scans/", views.scan_upload, name="scan_upload"),
    path("scans/<int:pk>/", views.scan_download, name="scan"),
    path("scans/<int:pk>/notes/", views.note_add, name="note_add"),
]

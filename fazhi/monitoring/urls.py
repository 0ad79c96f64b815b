from django.urls import path

from fazhi.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="export"),
    path("figures/", views.figure_list, name="figures"),
    path("figures/export.xlsx", views.figure_export, name="figures_export"),
    path("figures/new/", views.figure_report, name="figure_report"),
    path("figures/<int:pk>/", views.figure_detail, name="figure"),
    path("figures/<int:pk>/confirm/", views.figure_confirm, name="figure_confirm"),
    path("figures/<int:pk>/correct/", views.figure_correct, name="figure_correct"),
    path("files/<int:pk>/", views.file_download, name="file_download"),
    path("import/", views.figures_import, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("metrics/", views.metric_list, name="metrics"),
    path("metrics/<slug:code>/edit/", views.metric_edit, name="metric_edit"),
    path("campaigns/<int:pk>/auto-score/", views.auto_score, name="auto_score"),
    path("campaigns/<int:pk>/auto-score/apply/", views.auto_score_apply, name="auto_score_apply"),
    path("annual/", views.annual_list, name="annual"),
    path("annual/save/", views.annual_save, name="annual_save"),
    path("annual/draft.docx", views.annual_draft, name="annual_draft"),
    path("annual/template/", views.annual_template_upload, name="annual_template"),
    path("annual/template.docx", views.annual_template_download, name="annual_template_docx"),
]

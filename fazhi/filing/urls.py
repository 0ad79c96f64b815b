from django.urls import path

from fazhi.filing.views import builds, choices, reports, submissions

app_name = "filing"
urlpatterns = [
    path("", builds.filing_index, name="index"),
    path("campaigns/<int:pk>/", builds.filing_page, name="campaign"),
    path("campaigns/<int:pk>/build/", builds.build_start, name="start"),
    path("builds/<int:pk>/", builds.build_progress, name="build"),
    path("campaigns/<int:pk>/choices/", choices.choice_list, name="choices"),
    path("items/<int:pk>/choices/", choices.choice_item, name="choice_item"),
    path("items/<int:pk>/choices/decide/", choices.choice_decide, name="choice_decide"),
    path("items/<int:pk>/choices/order/", choices.choice_order, name="choice_order"),
    path("campaigns/<int:pk>/submit/", submissions.submit, name="submit"),
    path("campaigns/<int:pk>/reopen/", submissions.reopen, name="reopen"),
    path("submissions/<int:pk>/", submissions.submission_detail, name="submission"),
    path("files/<int:pk>/download/", builds.file_download, name="download"),
    path("campaigns/<int:pk>/report.docx", reports.report_draft, name="report_draft"),
    path("report-template/", reports.report_template, name="report_template"),
    path(
        "report-template/download/",
        reports.report_template_download,
        name="report_template_download",
    ),
    path(
        "report-template/default/",
        reports.report_template_default,
        name="report_template_default",
    ),
    path("report-template/reset/", reports.report_template_reset, name="report_template_reset"),
]

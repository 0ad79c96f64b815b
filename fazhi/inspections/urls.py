from django.urls import path

from fazhi.inspections.views import findings, inspections

app_name = "inspections"
urlpatterns = [
    path("", inspections.inspection_list, name="list"),
    path("new/", inspections.inspection_create, name="create"),
    path("categories/", inspections.categories, name="categories"),
    path("<int:pk>/", inspections.inspection_detail, name="detail"),
    path("<int:pk>/report.docx", inspections.report_docx, name="report"),
    path("<int:pk>/documents/", inspections.document_upload, name="document_upload"),
    path("<int:pk>/findings/new/", inspections.finding_create, name="finding_create"),
    path("<int:pk>/recheck/", inspections.recheck_draw, name="recheck_draw"),
    path("<int:pk>/import/", inspections.findings_import, name="import"),
    path("<int:pk>/import/<int:draft>/", inspections.import_preview, name="import_preview"),
    path("<int:pk>/import/<int:draft>/confirm/", inspections.import_confirm, name="import_confirm"),
    path("documents/<int:pk>/", inspections.document_download, name="document_download"),
    path("findings/from-item/<int:item>/", inspections.finding_from_item, name="from_item"),
    path("findings/", findings.ledger, name="ledger"),
    path("findings/export.xlsx", findings.ledger_export, name="ledger_export"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding"),
    path("findings/<int:pk>/edit/", findings.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/plan/", findings.plan_save, name="plan"),
    path("findings/<int:pk>/progress/", findings.progress_report, name="progress"),
    path("findings/<int:pk>/request-close/", findings.request_close, name="request_close"),
    path("findings/<int:pk>/verify/", findings.verify, name="verify"),
    path("findings/<int:pk>/reopen/", findings.reopen, name="reopen"),
    path("findings/<int:pk>/escalate/", findings.escalate, name="escalate"),
    path("findings/<int:pk>/unit/", findings.set_unit, name="set_unit"),
    path("milestones/<int:pk>/done/", findings.milestone_done, name="milestone_done"),
    path("files/<int:pk>/", findings.file_download, name="file_download"),
    path("rechecks/<int:pk>/", findings.recheck_decide, name="recheck_decide"),
]

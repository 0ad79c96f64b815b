from django.urls import path

from fazhi.plans.views import drafting, notifications, progress, workplans

app_name = "plans"
urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("", workplans.plan_list, name="list"),
    path("import/", workplans.plan_import, name="import"),
    path("import/<int:draft>/", workplans.plan_import_preview, name="import_preview"),
    path("import/<int:draft>/confirm/", workplans.plan_import_confirm, name="import_confirm"),
    path("import/<int:draft>/cancel/", workplans.plan_import_cancel, name="import_cancel"),
    path("<int:pk>/", workplans.plan_detail, name="detail"),
    path("<int:pk>/export.xlsx", workplans.plan_export, name="export"),
    path("<int:pk>/summary.docx", workplans.plan_summary, name="summary"),
    path("<int:pk>/advance/", drafting.plan_advance, name="advance"),
    path("<int:pk>/legal-review/", drafting.plan_legal_review, name="legal_review"),
    path("<int:pk>/comments.xlsx", drafting.plan_comments_export, name="comments_export"),
    path("measures/<int:pk>/", drafting.measure_detail, name="measure"),
    path("measures/<int:pk>/edit/", drafting.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/comment/", drafting.measure_comment, name="measure_comment"),
    path("comments/<int:pk>/answer/", drafting.comment_answer, name="comment_answer"),
    path("<int:pk>/cycle/", progress.plan_cycle, name="cycle"),
    path("measures/<int:pk>/report/", progress.measure_report, name="measure_report"),
    path("measures/<int:pk>/status/", progress.measure_status, name="measure_status"),
    path("measures/<int:pk>/milestones/", progress.measure_milestones, name="measure_milestones"),
    path("files/<int:pk>/", progress.progress_file, name="progress_file"),
    path("files/<int:pk>/offer/", progress.offer_file, name="offer_file"),
    path("measures/<int:pk>/items/", progress.measure_link, name="measure_link"),
    path(
        "measures/<int:pk>/items/<int:item>/remove/",
        progress.measure_unlink,
        name="measure_unlink",
    ),
]

from django.urls import path

from fazhi.campaigns.views import campaigns, editions, items, self_assessment, tasklists

app_name = "campaigns"
urlpatterns = [
    path("", campaigns.campaign_list, name="list"),
    path("new/", campaigns.campaign_create, name="create"),
    path("my-tasks/", items.my_tasks, name="my_tasks"),
    path("<int:pk>/", campaigns.campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="edit"),
    path("<int:pk>/assign/", campaigns.items_assign, name="assign"),
    path("<int:pk>/checks/", campaigns.campaign_checks, name="checks"),
    path("<int:pk>/search/", campaigns.campaign_search, name="search"),
    path("<int:pk>/export/tasks/", tasklists.export_task_list, name="export_tasks"),
    path("<int:pk>/export/units/", tasklists.export_responsibility_list, name="export_units"),
    path("<int:pk>/import/", tasklists.tasklist_import, name="import"),
    path("<int:pk>/import/<int:draft>/", tasklists.tasklist_import_preview, name="import_preview"),
    path(
        "<int:pk>/import/<int:draft>/confirm/",
        tasklists.tasklist_import_confirm,
        name="import_confirm",
    ),
    path(
        "<int:pk>/import/<int:draft>/cancel/",
        tasklists.tasklist_import_cancel,
        name="import_cancel",
    ),
    path("<int:pk>/migrate/", editions.campaign_migrate, name="migrate"),
    path("<int:pk>/migrate/confirm/", editions.campaign_migrate_confirm, name="migrate_confirm"),
    path("<int:pk>/archived/", editions.archived_items, name="archived"),
    path(
        "<int:pk>/self-assessment/",
        self_assessment.self_assessment_edit,
        name="self_assessment",
    ),
    path("items/<int:pk>/", items.item_detail, name="item"),
    path(
        "items/<int:pk>/explanation/",
        self_assessment.explanation_save,
        name="item_explanation",
    ),
    path("items/<int:pk>/reopen/", items.item_reopen, name="item_reopen"),
    path("items/<int:pk>/rechecked/", editions.item_recheck_done, name="item_rechecked"),
    path("items/<int:pk>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:pk>/refine/", items.item_refine, name="item_refine"),
    path("items/<int:pk>/delete/", items.item_delete, name="item_delete"),
    path("items/<int:pk>/resolve/", items.item_resolve_unit, name="item_resolve"),
    path("items/<int:pk>/submit/", items.item_submit, name="item_submit"),
    path("items/<int:pk>/return/", items.item_return, name="item_return"),
    path("items/<int:pk>/approve/", items.item_approve, name="item_approve"),
]

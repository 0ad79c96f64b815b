from django.urls import path

from fazhi.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("import/", views.framework_import, name="import"),
    path("import/<int:pk>/", views.framework_import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.framework_import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", views.framework_import_cancel, name="import_cancel"),
    path("diff/", views.framework_diff, name="diff"),
    path("<int:pk>/", views.framework_detail, name="detail"),
    path("<int:pk>/export/<str:fmt>/", views.framework_export, name="export"),
    path("<int:pk>/delete/", views.framework_delete, name="delete"),
    path("<int:pk>/scoring/", views.framework_scoring, name="scoring"),
]

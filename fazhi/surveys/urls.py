from django.urls import path

from fazhi.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.wave_list, name="list"),
    path("new/", views.wave_create, name="create"),
    path("<int:pk>/", views.wave_detail, name="detail"),
    path("<int:pk>/export/", views.wave_export, name="export"),
    path("<int:pk>/summary.docx", views.wave_summary, name="summary"),
    path("<int:pk>/import/", views.wave_import, name="import"),
    path("<int:pk>/codes/", views.wave_codes, name="codes"),
    path("<int:pk>/calls/", views.wave_calls, name="calls"),
    path("<int:pk>/strata/", views.wave_strata, name="strata"),
    path("<int:pk>/feed/", views.wave_feed, name="feed"),
    path("<int:pk>/evidence/", views.wave_evidence, name="evidence"),
    path("<int:pk>/invitations/", views.wave_invitations, name="invitations"),
    path("<int:pk>/invitations/print/", views.wave_invitations_print, name="invitations_print"),
    path("<int:pk>/invitations.xlsx", views.wave_invitations_export, name="invitations_export"),
    # The public questionnaire: no login (see views.stratum_start and views.answer).
    path("s/<str:key>/", views.stratum_start, name="start"),
    path("a/<str:token>/", views.answer, name="answer"),
]

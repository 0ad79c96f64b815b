from django.urls import path

from fazhi.exams.views import public, staff

app_name = "exams"
urlpatterns = [
    path("", staff.exam_list, name="list"),
    path("new/", staff.exam_create, name="create"),
    path("banks/import/", staff.bank_import, name="bank_import"),
    path("banks/import/<int:draft>/", staff.bank_preview, name="bank_preview"),
    path("banks/import/<int:draft>/confirm/", staff.bank_confirm, name="bank_confirm"),
    path("banks/<int:pk>/", staff.bank_detail, name="bank"),
    path("banks/<int:pk>/export.xlsx", staff.bank_export, {"format": "xlsx"}, name="bank_xlsx"),
    path("banks/<int:pk>/export.json", staff.bank_export, {"format": "json"}, name="bank_json"),
    path("<int:pk>/", staff.exam_detail, name="detail"),
    path("<int:pk>/roster/", staff.roster_upload, name="roster"),
    path("<int:pk>/draw/", staff.draw, name="draw"),
    path("<int:pk>/codes.xlsx", staff.codes_export, name="codes"),
    path("<int:pk>/results.xlsx", staff.results_export, name="results"),
    path("<int:pk>/items.xlsx", staff.items_export, name="items"),
    path("<int:pk>/feed/", staff.feed, name="feed"),
    path("<int:pk>/evidence/", staff.evidence, name="evidence"),
    path("<int:pk>/grading/", staff.grading, name="grading"),
    # The examinee's side: no login, the code is the credential (see views.public).
    path("t/", public.enter, name="enter"),
    path("t/<str:code>/", public.sitting, name="sitting"),
    path("t/<str:code>/answer/", public.answer, name="answer"),
    path("t/<str:code>/switch/", public.switch, name="switch"),
    path("t/<str:code>/submit/", public.submit, name="submit"),
]

from django.urls import path

from fazhi.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.my_rounds, name="mine"),
    path("campaigns/<int:pk>/rounds/", views.campaign_rounds, name="rounds"),
    path("campaigns/<int:pk>/rounds/export/", views.campaign_log_export, name="log_export"),
    path("campaigns/<int:pk>/scores/", views.score_sheet, name="scores"),
    path("campaigns/<int:pk>/scores/export/", views.score_sheet_export, name="scores_export"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/export/", views.round_log_export, name="round_export"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("decisions/<int:pk>/", views.review_decide, name="decide"),
    path("items/<int:item_pk>/scores/<str:side>/", views.assess, name="assess"),
]

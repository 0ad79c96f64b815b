from django.urls import path

from fazhi.plans import views

app_name = "plans"
urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]

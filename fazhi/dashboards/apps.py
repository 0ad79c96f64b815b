from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "fazhi.dashboards"
    verbose_name = "数据看板"

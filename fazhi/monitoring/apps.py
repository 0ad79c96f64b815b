from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fazhi.monitoring"
    verbose_name = "动态监测与年度报告"

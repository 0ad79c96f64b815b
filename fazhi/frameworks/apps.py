from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "fazhi.frameworks"
    verbose_name = "指标体系"

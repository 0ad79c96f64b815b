from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "fazhi.filing"
    verbose_name = "申报材料"

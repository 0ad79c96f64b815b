from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "fazhi.fieldwork"
    verbose_name = "实地评估"

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "fazhi.surveys"
    verbose_name = "满意度测评"

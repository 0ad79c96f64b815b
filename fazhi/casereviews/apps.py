from django.apps import AppConfig


class CasereviewsConfig(AppConfig):
    name = "fazhi.casereviews"
    verbose_name = "行政执法案卷评查"

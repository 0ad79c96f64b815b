from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "fazhi.exams"
    verbose_name = "法治能力测试"

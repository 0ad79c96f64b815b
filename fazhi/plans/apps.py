from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "fazhi.plans"
    verbose_name = "工作计划与提醒"

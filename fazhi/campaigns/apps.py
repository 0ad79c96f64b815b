from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "fazhi.campaigns"
    verbose_name = "创建活动"

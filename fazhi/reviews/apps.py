from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "fazhi.reviews"
    verbose_name = "审核评分"

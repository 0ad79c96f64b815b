from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fazhi.accounts"
    verbose_name = "账号与审计"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from fazhi.accounts.middleware import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="fazhi-session-refreshed")

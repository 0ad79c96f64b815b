from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fazhi.core"
    verbose_name = "平台"

    def ready(self):
        from django.conf import settings

        from fazhi.core.tempfiles import redirect_system_temp

        # Libraries' own temporary files go to the temp area too, where the sweep finds what a
        # killed process left; the tests keep the system's (pytest's tmp_path lives there).
        if not settings.TESTING:
            redirect_system_temp()

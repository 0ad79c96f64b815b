from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "fazhi.evidence"
    verbose_name = "佐证材料"

    def ready(self):
        from fazhi.evidence.uploads import install_multipart_names

        install_multipart_names()

import pytest


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path):
    """Each test stores its files in its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }

import pytest


@pytest.fixture(autouse=True)
def _files_in_memory(settings):
    """Attachments go to the default storage; in tests it keeps them in memory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

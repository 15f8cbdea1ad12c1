import pytest

from cartable.visio.tests.bbb_server import SECRET, BbbServer


@pytest.fixture
def bbb_server(settings):
    """A BigBlueButton API server on 127.0.0.1, and Cartable pointed at it."""
    server = BbbServer().start()
    settings.BBB_URL = server.url.rstrip("/")
    settings.BBB_SECRET = SECRET
    settings.BBB_CHECKSUM = "sha256"
    settings.BBB_OPEN_MINUTES_BEFORE = 10
    yield server
    server.stop()

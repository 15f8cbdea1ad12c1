import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
application = get_asgi_application()

from cartable.lib.startup import refuse_unsafe_configuration  # noqa: E402  (needs the settings loaded)

refuse_unsafe_configuration()

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
application = get_wsgi_application()

from cartable.lib.startup import refuse_unsafe_configuration  # noqa: E402  (needs the settings loaded)

refuse_unsafe_configuration()

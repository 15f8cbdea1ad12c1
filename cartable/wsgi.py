import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
application = get_wsgi_application()

from cartable.lib.startup import refuse_unsafe_configuration  # noqa: E402  (needs the settings loaded)

refuse_unsafe_configuration()

# What is loaded at start (Django, the URL patterns, the translations) lives as long as the process: the
# garbage collector no longer walks through it at each full collection, which pages trigger often.
gc.freeze()

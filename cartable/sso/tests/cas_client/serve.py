"""`python -m cartable.sso.tests.cas_client.serve PORT`: migrate the client's SQLite database and serve the
site on 127.0.0.1:PORT with threads (Cartable calls the proxy callback while the login waits on Cartable)."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "cartable.sso.tests.cas_client.settings"
    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0)
    application = get_wsgi_application()
    server = make_server(
        "127.0.0.1", int(sys.argv[1]), application, server_class=ThreadingServer, handler_class=QuietHandler
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

import pytest
from django.urls import reverse


@pytest.fixture
def ask_link(run_tasks, django_capture_on_commit_callbacks):
    """ask_link(client, email): the email leaves from the background worker once the request's transaction
    has committed."""

    def ask(client, email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:password_reset"), {"email": email})
        run_tasks()
        return response

    return ask

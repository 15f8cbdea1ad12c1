import pytest


@pytest.fixture
def run_tasks(run_tasks, monkeypatch):
    """The real worker, kept from closing the test's connection between tasks: on PostgreSQL the test's
    connection sits in the test's transaction, which the worker would take for a broken one."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return run_tasks

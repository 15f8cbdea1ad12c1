"""Background work of the feeds app, run by `manage.py db_worker`."""

from django.tasks import task


@task()
def run_import(job_id: int) -> None:
    """Run a spreadsheet import the ADML started from the console (cartable.feeds.actions.run)."""
    from cartable.feeds import actions

    actions.run(job_id)

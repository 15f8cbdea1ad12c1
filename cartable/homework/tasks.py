"""Background work of the cahier de textes."""

from django.tasks import task


@task()
def announce_homework_task(entry_id: int) -> int:
    """Run at the visibility date of a session prepared ahead: its homework reaches the timelines then."""
    from cartable.homework.actions import announce_homework

    return announce_homework(entry_id)

import pytest

from cartable.timetable.models import CourseException, ExceptionKind, Weeks
from cartable.timetable.tests.helpers import MONDAY, course, settings_for


@pytest.fixture
def week(world):
    """6A's and 5B's courses in school A, 6C's in school B; a cancelled maths session on MONDAY."""
    settings_for(world)
    tom, tess, xavier = world.person("tom"), world.person("tess"), world.person("xavier")
    from datetime import time

    maths = course(world, world.class_6a, subject=world.maths, teachers=[tom], room_name="101")
    english = course(
        world,
        world.class_6a,
        weekday=1,
        start=time(10),
        end=time(11),
        label="Anglais",
        teachers=[tom],
        weeks=Weeks.A,
    )
    art = course(
        world, world.class_6a, weekday=1, start=time(10), end=time(11), label="Arts plastiques", weeks=Weeks.B
    )
    french_5b = course(
        world, world.class_5b, weekday=2, label="Français 5B", teachers=[tess], room_name="202"
    )
    maths_6c = course(world, world.class_6c, weekday=3, label="Maths 6C", teachers=[xavier], room_name="B1")
    CourseException.objects.create(
        course=maths, date=MONDAY, kind=ExceptionKind.CANCELLED, reason="Sortie au musée"
    )
    return {"maths": maths, "english": english, "art": art, "french_5b": french_5b, "maths_6c": maths_6c}

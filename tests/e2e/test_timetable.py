"""Browser tests of the timetable: the vie scolaire cancels a lesson from the class's week, the pupil sees it
struck through in her week; the week is a list per day on a phone and a grid on a wide screen."""

import re
from datetime import date, time

from playwright.sync_api import expect

from cartable.timetable.models import Course, Room, TimetableSettings
from tests.e2e.conftest import log_in

MONDAY = date(2026, 11, 16)


def timetable(world) -> None:
    TimetableSettings.objects.create(school=world.school_a, zone="C", week_a_monday=date(2026, 11, 2))
    room = Room.objects.create(school=world.school_a, name="101")
    for weekday, start in ((0, 8), (0, 9), (1, 10), (3, 14)):
        course = Course.objects.create(
            school=world.school_a,
            year=world.year,
            subject=world.maths,
            room=room,
            weekday=weekday,
            start=time(start),
            end=time(start + 1),
        )
        course.groups.add(world.class_6a)
        course.teachers.add(world.person("tom"))


def test_vie_scolaire_cancels_a_lesson_and_the_pupil_sees_it(world, page, live_server):
    timetable(world)
    log_in(page, live_server, world, "vera")
    page.goto(f"/emploi-du-temps/classe/{world.class_6a.pk}?semaine={MONDAY.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("6A")
    page.get_by_role(
        "link", name=re.compile("Annuler ou modifier cette séance — Mathématiques lundi 16 novembre 08:00")
    ).click()
    page.get_by_label("Cours annulé").check()
    page.get_by_label("Motif").fill("Sortie au musée")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Modification enregistrée")
    expect(page.locator(".lesson-cancelled")).to_have_count(1)

    log_in(page, live_server, world, "alice")
    page.goto(f"/emploi-du-temps/?semaine={MONDAY.isoformat()}")
    cancelled = page.locator(".lesson-cancelled")
    expect(cancelled).to_contain_text("Annulé")
    expect(cancelled).to_contain_text("Sortie au musée")
    expect(cancelled.locator("s")).to_have_text("Mathématiques")


def test_week_is_a_list_on_a_phone_and_a_grid_on_a_wide_screen(world, page, live_server):
    timetable(world)
    log_in(page, live_server, world, "alice")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"/emploi-du-temps/?semaine={MONDAY.isoformat()}")
    days = page.locator(".day")
    expect(days).to_have_count(5)
    monday, tuesday = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert tuesday["y"] >= monday["y"] + monday["height"]  # stacked
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows sideways
    page.set_viewport_size({"width": 1280, "height": 800})
    monday, tuesday = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert abs(tuesday["y"] - monday["y"]) < 1 and tuesday["x"] > monday["x"]  # side by side
    # Keyboard: the week navigation is reachable and works.
    page.get_by_role("link", name="Semaine suivante →").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("semaine=2026-11-23"))


def test_a_conflict_is_confirmed_without_javascript(world, browser, live_server):
    """Tess replaces Tom on Monday at 8:00 while she teaches 5B then: the form lists the clash, the second
    button saves anyway, all without script."""
    from cartable.timetable.models import CourseException

    timetable(world)
    french = Course.objects.create(
        school=world.school_a, year=world.year, label="Français", weekday=0, start=time(8), end=time(9)
    )
    french.groups.add(world.class_5b)
    french.teachers.add(world.person("tess"))
    maths = Course.objects.filter(weekday=0, start=time(8), groups=world.class_6a).get()
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 360, "height": 800},
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, world, "vera")
    page.goto(f"/emploi-du-temps/gestion/cours/{maths.pk}/modification?date={MONDAY.isoformat()}")
    page.get_by_label("Changement de salle ou d'enseignant").check()
    page.get_by_label("Remplaçant").select_option(label="Tess MOREAU")
    page.get_by_label("Nouvelle salle").fill("101")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    conflicts = page.get_by_role("region", name="Conflits avec d'autres cours")
    expect(conflicts).to_contain_text(
        "Tess MOREAU a déjà cours : Français (5B), lundi 16 novembre 08:00–09:00"
    )
    assert not CourseException.objects.filter(course=maths, date=MONDAY).exists()
    page.get_by_role("button", name="Enregistrer malgré les conflits").click()
    expect(page.get_by_role("status")).to_contain_text("Modification enregistrée")
    assert CourseException.objects.get(course=maths, date=MONDAY).replacement == world.person("tess")
    context.close()

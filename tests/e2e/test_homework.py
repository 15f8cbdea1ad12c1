"""Browser test of the cahier de textes: a teacher fills today's session from the timetable with homework,
the pupil finds it on her home page and ticks it done."""

import datetime as dt
import re

from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import expect

from cartable.homework.models import HomeworkDone
from cartable.timetable.tests.helpers import course, settings_for
from tests.world import PASSWORD


def log_in(page, world, name: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Identifiant").fill(world.users[name].username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if "/auth/mfa" in page.url:  # staff: their second factor
        device = world.devices[name]
        page.get_by_label(re.compile("Code")).first.fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_teacher_adds_homework_from_todays_course_and_the_pupil_ticks_it_done(world, page, browser):
    today = timezone.localdate()
    settings_for(world, week_a_monday=today - dt.timedelta(days=today.weekday()))
    course(
        world,
        world.class_6a,
        weekday=today.weekday(),
        start=dt.time(0, 0),
        end=dt.time(23, 59),
        subject=world.maths,
        teachers=[world.person("tom")],
    )
    due = today + dt.timedelta(days=2)

    log_in(page, world, "tom")
    page.goto("/cahier-de-textes/")
    page.get_by_role("link", name="Remplir le cahier de textes").click()
    # Today's session is pre-selected from the timetable.
    today_sessions = page.get_by_role("region", name="Mes séances des sept derniers jours")
    expect(today_sessions).to_contain_text("6A — Mathématiques")
    expect(page.get_by_label("Classe ou groupe, matière")).to_have_value(
        f"{world.class_6a.pk}-{world.maths.pk}"
    )
    expect(page.get_by_label("Date de la séance")).to_have_value(today.isoformat())
    page.get_by_label("Titre").fill("Les nombres décimaux")
    page.get_by_label("Contenu de la séance").fill("Comparer des nombres décimaux.")
    page.get_by_label("Travail à faire").fill("Exercices 12 et 15 page 34")
    page.get_by_label("Pour le").fill(due.isoformat())
    page.get_by_label("Durée estimée (minutes)").fill("20")
    page.get_by_role("button", name="Enregistrer la séance").click()
    expect(page.get_by_role("status")).to_contain_text("La séance est enregistrée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("6A")
    expect(page.get_by_text("Exercices 12 et 15 page 34")).to_be_visible()

    pupil = browser.new_context(base_url=page.url.split("/cahier")[0], locale="fr-FR",
                                viewport={"width": 360, "height": 740}).new_page()  # fmt: skip
    log_in(pupil, world, "alice")
    widget = pupil.get_by_role("region", name="Mon travail à faire")
    expect(widget).to_contain_text("Mathématiques")
    expect(widget).to_contain_text("Exercices 12 et 15 page 34")
    home_url = pupil.url
    widget.get_by_role("button", name=re.compile("Marquer comme fait")).click()
    expect(widget.get_by_role("button", name=re.compile("Remettre à faire"))).to_be_visible()
    # htmx swapped the item in place: no page load, so no confirmation message either.
    assert pupil.url == home_url
    expect(pupil.get_by_text("C'est noté.")).to_have_count(0)
    assert HomeworkDone.objects.filter(pupil=world.person("alice")).count() == 1
    # Still done after a reload: the tick is stored, not only shown.
    pupil.reload()
    expect(
        pupil.get_by_role("region", name="Mon travail à faire").get_by_text("fait", exact=True)
    ).to_be_visible()
    pupil.context.close()

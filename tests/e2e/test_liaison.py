"""Browser test of the cahier de liaison: the teacher of an école class asks the families for an outing
authorisation, a parent answers « oui » on a 360 px phone, the teacher sees the answer in the table."""

import datetime as dt
import re

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cartable.accounts.models import CharterAcceptance
from cartable.directory import actions as directory
from cartable.directory.models import Group, Profile, School, SchoolKind
from cartable.liaison.models import Signature
from tests.e2e.conftest import log_in
from tests.world import _person


def an_ecole(world) -> Group:
    """École Jules Ferry: CE2 taught by Élodie (every subject), with Inès, whose mother is Nadia."""
    school = School.objects.create(
        uai="0750003C", name="École Jules Ferry", kind=SchoolKind.PRIMARY, city="Paris"
    )
    ce2 = Group.objects.create(school=school, year=world.year, name="CE2", level="CE2")
    elodie = _person(world, "elodie", "Élodie", "Garnier", school, Profile.TEACHER)
    ines = _person(world, "ines", "Inès", "Haddad", school, Profile.STUDENT, groups=[ce2])
    nadia = _person(world, "nadia", "Nadia", "Haddad", school, Profile.RELATIVE)
    directory.link_guardian(nadia, ines, relationship="mère")
    directory.assign_teaching(elodie, ce2, None)
    world.devices["elodie"] = TOTPDevice.objects.create(
        user=world.users["elodie"], name="world", confirmed=True
    )
    CharterAcceptance.objects.bulk_create(
        [
            CharterAcceptance(user=world.users[name], charter=world.charter)
            for name in ("elodie", "ines", "nadia")
        ]
    )
    return ce2


def test_an_outing_authorisation_answered_on_a_phone(world, page, browser, live_server):
    ce2 = an_ecole(world)
    deadline = timezone.localdate() + dt.timedelta(days=7)

    log_in(page, live_server, world, "elodie")
    page.goto("/liaison/")
    page.get_by_role("link", name="Écrire un mot aux familles").click()
    page.get_by_label("CE2").check()
    page.get_by_label("Titre").fill("Sortie à la ferme pédagogique")
    page.get_by_label("Texte du mot").fill("Mardi, la classe visite la ferme de Gally. Retour à 16 h.")
    page.get_by_label("Coupon-réponse (une question et des choix)").check()
    page.get_by_label("Question du coupon-réponse").fill("Mon enfant participe à la sortie")
    page.get_by_label("Choix proposés, un par ligne").fill("Oui\nNon")
    page.get_by_label("À signer ou à rendre avant le (inclus)").fill(deadline.isoformat())
    page.get_by_role("button", name="Envoyer le mot").click()
    expect(page.get_by_role("status")).to_contain_text("Le mot est envoyé aux familles")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sortie à la ferme pédagogique")
    expect(page.get_by_text("0 famille sur 1 a signé ou répondu.")).to_be_visible()
    mot_url = page.url

    phone = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 360, "height": 740}
    )
    nadia = phone.new_page()
    nadia.set_default_timeout(15_000)
    log_in(nadia, live_server, world, "nadia")
    nadia.goto("/")
    widget = nadia.get_by_role("region", name="Mots à signer")
    widget.get_by_role("link", name=re.compile("Sortie à la ferme pédagogique")).click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Sortie à la ferme pédagogique")
    nadia.get_by_role("group", name="Mon enfant participe à la sortie").get_by_label("Oui").check()
    nadia.get_by_role("button", name="Répondre pour Inès").click()
    expect(nadia.get_by_role("status")).to_contain_text("votre réponse est notée")
    expect(nadia.get_by_text(re.compile("Nadia HADDAD a répondu « Oui »"))).to_be_visible()
    assert nadia.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()

    signature = Signature.objects.get()
    assert (signature.pupil_id, signature.choice) == (world.person("ines").pk, "Oui")
    assert signature.mot.pupils.get().group_name == ce2.name

    page.goto(mot_url)
    table = page.get_by_role("region", name="Signatures par élève")
    expect(table).to_contain_text("1 famille sur 1 a signé ou répondu.")
    expect(table.get_by_role("row", name=re.compile("HADDAD Inès|Haddad Inès"))).to_contain_text("« Oui »")

"""Activation letters: who gets one, with which code, and the PDF that carries them.

A letter is printed only for an account that is not activated yet; printing gives it a NEW code, so a letter
lost in a schoolbag cannot be used once a new one has been printed. Activated accounts get no letter.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import slugify

from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.accounts.passwords import ADULT_RULE, PasswordRule, rules_for
from cartable.console import actions
from cartable.console.access import current_classes_of, pupils_of
from cartable.directory.models import Enrolment, Group, Guardianship, Person, School
from cartable.lib.pdf import render_pdf


@dataclass
class Letter:
    person: Person
    code: str
    expires_at: datetime | None
    children: list[Person] = field(default_factory=list)  # for a guardian: the pupils named on the letter
    # The class the letter goes out with, printed in the corner so that teachers can hand letters out.
    class_name: str = ""
    # The rule the person's password will follow (a pupil's is shorter), told on the letter.
    password_rule: PasswordRule = ADULT_RULE

    @property
    def login(self) -> str:
        return self.person.user.username


@dataclass
class ClassLetters:
    """Who in a class (pupils and their legal guardians) needs a letter, in the order they are handed out."""

    recipients: list[Person]
    children_of: dict[int, list[Person]]  # guardian person id -> their pupils in the class
    already_active: list[Person]
    blocked: list[Person]


def needs_letter(user: User) -> bool:
    return not user.is_activated and not user.is_blocked


def class_recipients(group: Group) -> ClassLetters:
    """Each pupil followed by their guardians, so a family's letters come out together; a guardian of two
    pupils of the class appears once, after the first child."""
    pupils = list(
        Person.objects.filter(pk__in=Enrolment.objects.filter(group=group).values("student_id"))
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "guardians",
                queryset=Guardianship.objects.filter(legal_guardian=True)
                .select_related("relative__user")
                .order_by("relative__last_name", "relative__first_name"),
            )
        )
        .order_by("last_name", "first_name")
    )
    ordered: list[Person] = []
    children_of: dict[int, list[Person]] = {}
    for pupil in pupils:
        ordered.append(pupil)
        for guardianship in pupil.guardians.all():
            relative = guardianship.relative
            if relative.pk not in children_of:
                children_of[relative.pk] = []
                ordered.append(relative)
            children_of[relative.pk].append(pupil)
    return ClassLetters(
        recipients=[p for p in ordered if needs_letter(p.user)],
        children_of=children_of,
        already_active=[p for p in ordered if p.user.is_activated],
        blocked=[p for p in ordered if p.user.is_blocked],
    )


def children_in_school(person: Person, school: School) -> list[Person]:
    return list(
        pupils_of(school)
        .filter(guardians__relative=person, guardians__legal_guardian=True)
        .order_by("last_name", "first_name")
    )


def letters_for_class(actor: Any, school: School, group: Group) -> list[Letter]:
    found = class_recipients(group)
    codes = actions.codes_for_letters(actor, school, [p.user for p in found.recipients])
    return [
        Letter(
            person=p,
            code=codes[p.user.pk],
            expires_at=p.user.activation_expires_at,
            children=found.children_of.get(p.pk, []),
            class_name=group.name,
        )
        for p in found.recipients
        if p.user.pk in codes
    ]


def letter_for_person(actor: Any, school: School, person: Person, shown_code: str = "") -> Letter | None:
    """The letter of one person; a code the admin has just been shown is reused rather than replaced."""
    user = person.user
    if shown_code and accounts.check_activation_code(user, shown_code):
        code = shown_code
    elif needs_letter(user):
        code = actions.codes_for_letters(actor, school, [user]).get(user.pk, "")
        if not code:
            return None
    else:
        return None
    children = children_in_school(person, school)
    return Letter(
        person=person,
        code=code,
        expires_at=user.activation_expires_at,
        children=children,
        class_name=", ".join(class_names_of([person, *children], school)),
    )


def class_names_of(people: list[Person], school: School) -> list[str]:
    """This year's classes of these pupils in the school, each named once."""
    classes = current_classes_of(school).filter(enrolments__student__in=people)
    return list(classes.order_by("name").values_list("name", flat=True).distinct())


def with_password_rules(letters: list[Letter]) -> list[Letter]:
    rules = rules_for([letter.person.user for letter in letters])
    for letter in letters:
        letter.password_rule = rules.get(letter.person.user_id, ADULT_RULE)
    return letters


def letters_pdf(school: School, letters: list[Letter], template: str = "console/letters_pdf.html") -> bytes:
    # Letters go to families: they are printed in the school's language, whatever the admin's own setting.
    letters = with_password_rules(letters)
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(
            template,
            {
                "school": school,
                "letters": letters,
                "activate_url": settings.SITE_URL.rstrip("/") + "/auth/activate",
                "site_url": settings.SITE_URL.rstrip("/"),
                "printed_on": timezone.localdate(),
            },
        )


def class_filename(school: School, group: Group) -> str:
    return f"lettres-activation-{slugify(group.name)}-{school.uai}.pdf"


def person_filename(school: School, person: Person) -> str:
    return f"lettre-activation-{slugify(person.user.username)}-{school.uai}.pdf"


# Pupils' cards of an école class, printed by the class's teacher (cartable.console.pupil_accounts): small
# cards, eight to a page, to cut out and glue in the pupils' notebooks.


def pupil_cards(actor: Any, group: Group, pupils: list[Person]) -> list[Letter]:
    """The cards of those of `pupils` who have no password yet (new, or just reset), with new codes."""
    codes = actions.codes_for_pupil_cards(actor, group, pupils)
    return [
        Letter(
            person=pupil,
            code=codes[pupil.user.pk],
            expires_at=pupil.user.activation_expires_at,
            class_name=group.name,
        )
        for pupil in pupils
        if pupil.user.pk in codes
    ]


def pupil_cards_pdf(school: School, cards: list[Letter]) -> bytes:
    return letters_pdf(school, cards, template="console/pupil_cards_pdf.html")


def cards_filename(group: Group, pupil: Person | None = None) -> str:
    who = slugify(pupil.user.username) if pupil is not None else slugify(group.name)
    return f"cartes-cartable-{who}-{group.school.uai}.pdf"

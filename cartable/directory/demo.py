"""Demo and benchmark data: French schools, classes, families and staff, generated from a seed.

The same seed gives the same people and logins on every run. Schools come in pairs (an école primaire and
a collège in the same town) so that families can have children in both. The first pair is the demo:
about ten known accounts get the demo password, and one guardian gets a fixed activation code.

Rows are written with bulk inserts, one pair of schools at a time, so that 50 schools (~100,000 accounts)
take minutes and memory stays bounded by the size of a pair. Only the ~10 demo accounts are hashed with
Argon2; everybody else gets one shared unusable password and activates later with a code.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from cartable.accounts.actions import hash_code
from cartable.accounts.models import Charter, User
from cartable.accounts.usernames import unique_usernames
from cartable.directory import versions
from cartable.directory.models import (
    Enrolment,
    Function,
    Group,
    GroupKind,
    Guardianship,
    Membership,
    Person,
    Profile,
    School,
    SchoolKind,
    SchoolYear,
    Subject,
    TeachingAssignment,
)
from cartable.lib import lifecycle

DEMO_PASSWORD = "Cartable-Demo-2026"
# Letters and digits of accounts.actions.CODE_ALPHABET only (no O, I, L, 0, 1): reads "ACCÈS PARENTS".
ACTIVATION_DEMO_CODE = "ACCE-SPAR-ENTS"
BATCH_SIZE = 1000

SCHOOL_YEAR = ("2026-2027", date(2026, 9, 1), date(2027, 7, 4))

# (level, birth year of a pupil who has never repeated a year) for the year 2026-2027.
PRIMARY_LEVELS = [
    ("PS", 2023),
    ("MS", 2022),
    ("GS", 2021),
    ("CP", 2020),
    ("CE1", 2019),
    ("CE2", 2018),
    ("CM1", 2017),
    ("CM2", 2016),
]
SECONDARY_LEVELS = [("6e", 2015), ("5e", 2014), ("4e", 2013), ("3e", 2012)]
MATERNELLE = {"PS", "MS", "GS"}

# (code, name, most classes one teacher takes): a French teacher has 4 classes, a music teacher all of them.
SUBJECTS = [
    ("FRANC", "Français", 4),
    ("MATHS", "Mathématiques", 4),
    ("HIGEO", "Histoire-géographie", 4),
    ("ANGL", "Anglais", 5),
    ("SVT", "SVT", 8),
    ("PHCHI", "Physique-chimie", 8),
    ("TECHN", "Technologie", 8),
    ("ARPLA", "Arts plastiques", 16),
    ("EDMUS", "Éducation musicale", 16),
    ("EPS", "EPS", 5),
]

# Classes per level: the demo is a village école and a small collège; benchmark schools are large.
DEMO_CLASSES_PER_LEVEL: dict[str, int] = {SchoolKind.PRIMARY: 1, SchoolKind.SECONDARY: 2}
BENCH_CLASSES_PER_LEVEL: dict[str, int] = {SchoolKind.PRIMARY: 4, SchoolKind.SECONDARY: 8}


def words(text: str) -> list[str]:
    return text.split()


GIRLS = words(
    "Jade Louise Emma Ambre Alice Rose Anna Alba Romy Mia Léna Lina Julia Chloé Inès Léa Agathe Juliette "
    "Mila Iris Zoé Lou Camille Eva Victoire Nina Margaux Charlotte Manon Adèle Jeanne Capucine Léonie Sofia "
    "Olivia Clémence Lucie Élise Gabrielle Louna Maëlys Éléna Apolline Valentine Constance Salomé Nour Lya "
    "Héloïse Anaïs Sarah Lisa Clara Maya Yasmine Albane Éloïse Noémie Mathilde Pauline Océane Maëlle Lola "
    "Soline Célia Mélina Aya Assia Fatou Lalie Emmy Giulia Thaïs Elsa Garance Marion Faustine"
)
BOYS = words(
    "Gabriel Léo Raphaël Louis Arthur Jules Maël Adam Lucas Hugo Noah Sacha Liam Gabin Aaron Léon Nathan "
    "Tom Éden Paul Noé Mohamed Timéo Victor Malo Axel Ethan Isaac Martin Marius Nolan Théo Mathis Robin "
    "Milo Augustin Côme Baptiste Antoine Valentin Éthan Amir Ibrahim Yanis Kylian Enzo Clément Simon "
    "Alexandre Maxime Thomas Samuel Elio Joseph Eliott Timothée Ismaël Rayan Naël Oscar Achille Basile "
    "Félix Lenny Loan Mathéo Ilyès Anatole Évan Youssef Charles Gaspard Aurélien Titouan Lucien Kaïs"
)
WOMEN = words(
    "Aurélie Céline Émilie Julie Sandrine Stéphanie Nathalie Isabelle Sophie Virginie Caroline Laëtitia "
    "Élodie Audrey Mélanie Sabrina Karine Delphine Marion Amandine Anne-Sophie Hélène Claire Cécile Laure "
    "Vanessa Émeline Séverine Jennifer Myriam Nadia Samia Fatima Leïla Christelle Valérie Sylvie Corinne "
    "Gaëlle Magali Agnès Bérénice Florence Géraldine Marie-Laure Angélique Estelle Solène Ophélie Coralie"
)
MEN = words(
    "Julien Nicolas Sébastien Guillaume Jérôme Christophe Stéphane Frédéric Laurent Olivier Mickaël Cédric "
    "Yannick Fabien Romain Thierry Damien Grégory Arnaud Franck Benoît Vincent Éric Pascal Ludovic Jean-Marc "
    "Xavier Rémi Loïc Anthony Mehdi Karim Rachid Samir Hervé Patrice David Philippe François Pierre-Yves "
    "Emmanuel Matthieu Bertrand Gilles Alexis Kévin Jean-Baptiste Hakim Bruno Didier"
)
SURNAMES = words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre Leroy "
    "Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller "
    "Lefèbvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia "
    "Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont "
    "Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard "
    "Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre "
    "Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland "
    "Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin "
    "Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry "
    "Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez "
    "Le Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le Roux Cousin Germain Breton Besson "
    "Langlois Rémy Le Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon "
    "Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier "
    "Collin Chauvin Da Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret "
    "Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte Ndiaye Diallo "
    "Benali Haddad Mansouri Nguyen Traoré Kaya Ferreira Dos Santos"
)
# Two-word surnames above are joined back ("Le Gall", "Da Silva", "Le Roux", "Le Goff", "Dos Santos").
_TWO_WORD_PREFIXES = {"Le", "Da", "Dos"}


def _join_particles(words: list[str]) -> list[str]:
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] in _TWO_WORD_PREFIXES:
            joined[-1] = f"{joined[-1]} {word}"
        else:
            joined.append(word)
    return joined


SURNAMES = _join_particles(SURNAMES)

# (town, département code, académie) for the pairs of schools; the demo pair is the first.
TOWNS = [
    ("Villeurbanne", "069", "Lyon"),
    ("Rennes", "035", "Rennes"),
    ("Montpellier", "034", "Montpellier"),
    ("Lille", "059", "Lille"),
    ("Nantes", "044", "Nantes"),
    ("Grenoble", "038", "Grenoble"),
    ("Toulouse", "031", "Toulouse"),
    ("Strasbourg", "067", "Strasbourg"),
    ("Bordeaux", "033", "Bordeaux"),
    ("Dijon", "021", "Dijon"),
    ("Limoges", "087", "Limoges"),
    ("Besançon", "025", "Besançon"),
]
SCHOOL_NAMES = [
    "Jacques Prévert",
    "Jules Ferry",
    "Marie Curie",
    "Victor Hugo",
    "Jean Moulin",
    "Louise Michel",
    "Simone Veil",
    "Paul Langevin",
    "Jean Jaurès",
    "Colette",
    "Antoine de Saint-Exupéry",
    "Pierre et Marie Curie",
    "Olympe de Gouges",
    "Albert Camus",
    "Joséphine Baker",
    "Condorcet",
]
# UAI check letter: the 7-digit number modulo 23 in this alphabet (no I, O, Q).
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai(number: int) -> str:
    digits = f"{number:07d}"
    return digits + UAI_LETTERS[number % 23]


@dataclass
class Plan:
    schools: int = 2
    pupils_per_class: int = 20
    seed: int = 2026

    @property
    def pairs(self) -> int:
        return max(1, math.ceil(self.schools / 2))

    def classes_per_level(self, kind: str) -> int:
        sizes = DEMO_CLASSES_PER_LEVEL if self.schools <= 2 else BENCH_CLASSES_PER_LEVEL
        return sizes[kind]


@dataclass
class Someone:
    """A person still in memory: the row objects are made once logins are known."""

    first_name: str
    last_name: str
    birth_date: date | None
    profile: str
    school: School | None
    functions: list[str] = field(default_factory=list)
    group: Group | None = None
    # A relative's schools are those of their children.
    schools: list[School] = field(default_factory=list)
    # A pupil's guardians: (relative, relationship, legal guardian, financial).
    guardians: list[tuple[Someone, str, bool, bool]] = field(default_factory=list)
    teaches: list[tuple[Group, Subject | None]] = field(default_factory=list)
    role: str = ""  # set on the demo accounts only
    person: Person | None = None


@dataclass
class Summary:
    schools: int = 0
    accounts: int = 0
    pupils: int = 0
    relatives: int = 0
    staff: int = 0


class Generator:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.random = random.Random(plan.seed)
        self.logins: set[str] = set(User.objects.values_list("username", flat=True))
        # Computed once: hashing an unusable password per row would cost ~100,000 random salts for nothing.
        self.unusable_password = make_password(None)
        self.summary = Summary()
        self._demo_hash: str | None = None
        self.year = self._school_year()

    # --- names and dates -------------------------------------------------------------------------

    def surname(self) -> str:
        return self.random.choice(SURNAMES)

    def adult(self, woman: bool, last_name: str, born_about: int) -> tuple[str, str, date]:
        first = self.random.choice(WOMEN if woman else MEN)
        return first, last_name, self.birth_date(born_about)

    def child_first_name(self) -> str:
        return self.random.choice(GIRLS if self.random.random() < 0.5 else BOYS)

    def birth_date(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.random.randrange(365))

    def staff_member(
        self, school: School | None, profile: str, functions: list[str] | None = None
    ) -> Someone:
        # Two staff members out of three are women, as in French schools.
        woman = self.random.random() < 0.65
        first, last, born = self.adult(woman, self.surname(), self.random.randrange(1963, 1999))
        return Someone(first, last, born, profile, school, functions or [])

    # --- structure --------------------------------------------------------------------------------

    def _school_year(self) -> SchoolYear:
        name, start, end = SCHOOL_YEAR
        no_current_year = not SchoolYear.objects.filter(is_current=True).exists()
        year, _created = SchoolYear.objects.get_or_create(
            name=name, defaults={"start": start, "end": end, "is_current": no_current_year}
        )
        return year

    def make_schools(self, pair: int) -> tuple[School, School]:
        town, department, academy = TOWNS[pair % len(TOWNS)]
        school_name = SCHOOL_NAMES[pair % len(SCHOOL_NAMES)]
        college_name = SCHOOL_NAMES[(pair + 5) % len(SCHOOL_NAMES)]
        suffix = f" ({pair // len(TOWNS) + 1})" if pair >= len(TOWNS) else ""
        base = int(department) * 10_000
        primary = School(
            uai=uai(base + 2 * pair + 1),
            name=f"École primaire {school_name}{suffix}",
            kind=SchoolKind.PRIMARY,
            city=town,
            academy=academy,
            parent_authority=f"Commune de {town}",
            # The école shows that the second factor is a per-school choice (rule C6).
            mfa_required_for_staff=False,
        )
        college = School(
            uai=uai(base + 5000 + 2 * pair + 1),
            name=f"Collège {college_name}{suffix}",
            kind=SchoolKind.SECONDARY,
            city=town,
            academy=academy,
            parent_authority="Conseil départemental",
            mfa_required_for_staff=True,
        )
        return primary, college

    def make_classes(self, school: School) -> list[Group]:
        levels = PRIMARY_LEVELS if school.kind == SchoolKind.PRIMARY else SECONDARY_LEVELS
        per_level = self.plan.classes_per_level(school.kind)
        groups = []
        for level, _born in levels:
            for index in range(per_level):
                if school.kind == SchoolKind.SECONDARY:
                    name = f"{level[0]}{chr(ord('A') + index)}"
                else:
                    name = level if per_level == 1 else f"{level} {chr(ord('A') + index)}"
                groups.append(
                    Group(school=school, year=self.year, name=name, kind=GroupKind.CLASS, level=level)
                )
        return groups

    # --- families ---------------------------------------------------------------------------------

    def pupil_slots(self, groups: list[Group]) -> list[tuple[Group, int]]:
        born = dict(PRIMARY_LEVELS + SECONDARY_LEVELS)
        return [(group, born[group.level]) for group in groups for _ in range(self.plan.pupils_per_class)]

    def family_size(self) -> int:
        roll = self.random.random()
        return 1 if roll < 0.66 else 2 if roll < 0.92 else 3

    def families(self, slots: list[tuple[Group, int]]) -> Iterator[list[tuple[Group, int]]]:
        """Split the pupils of a pair of schools into siblings: children of one family differ in age."""
        remaining = list(slots)
        self.random.shuffle(remaining)
        while remaining:
            eldest = remaining.pop()
            family = [eldest]
            wanted = self.family_size() - 1
            # A few tries among the last slots keep this linear; a failed try makes a smaller family.
            for _ in range(wanted):
                for back in range(1, min(8, len(remaining)) + 1):
                    candidate = remaining[-back]
                    if all(candidate[1] != sibling[1] for sibling in family):
                        family.append(remaining.pop(-back))
                        break
            yield family

    def make_family(self, children_slots: list[tuple[Group, int]], *, two_guardians: bool | None = None):
        """The guardians and children of one family; most have two legal guardians."""
        rnd = self.random
        eldest_born = min(born for _g, born in children_slots)
        two = rnd.random() < 0.85 if two_guardians is None else two_guardians
        father_name = self.surname()
        # Half the couples share a name; otherwise the mother kept hers.
        mother_name = father_name if rnd.random() < 0.5 else self.surname()
        guardians: list[tuple[Someone, str]] = []
        if two:
            mother = Someone(
                *self.adult(True, mother_name, eldest_born - rnd.randrange(24, 42)), Profile.RELATIVE, None
            )
            second_is_woman = rnd.random() < 0.03
            second = Someone(
                *self.adult(second_is_woman, father_name, eldest_born - rnd.randrange(24, 45)),
                Profile.RELATIVE,
                None,
            )
            guardians = [(mother, "mère"), (second, "mère" if second_is_woman else "père")]
            children_name = father_name if rnd.random() < 0.85 else mother_name
            if mother_name != father_name and rnd.random() < 0.1:
                children_name = f"{father_name} {mother_name}"
        else:
            woman = rnd.random() < 0.8
            alone = Someone(
                *self.adult(woman, self.surname(), eldest_born - rnd.randrange(22, 45)),
                Profile.RELATIVE,
                None,
            )
            guardians = [(alone, "mère" if woman else "père")]
            children_name = alone.last_name if rnd.random() < 0.7 else self.surname()
        children = [
            Someone(
                self.child_first_name(),
                children_name,
                # A few collégiens repeated a year once.
                self.birth_date(born - (1 if born <= 2015 and rnd.random() < 0.03 else 0)),
                Profile.STUDENT,
                group.school,
                group=group,
            )
            for group, born in children_slots
        ]
        relatives = []
        for index, (guardian, relationship) in enumerate(guardians):
            relatives.append(guardian)
            for child in children:
                child.guardians.append((guardian, relationship, True, index == 0))
        # Now and then a grandparent is the person to call, without being a legal guardian.
        if rnd.random() < 0.04:
            grandma = Someone(
                *self.adult(True, father_name, eldest_born - rnd.randrange(50, 65)), Profile.RELATIVE, None
            )
            relatives.append(grandma)
            for child in children:
                child.guardians.append((grandma, "grand-mère", False, False))
        for relative in relatives:
            relative.schools = list(
                {child.school.uai: child.school for child in children if child.school}.values()
            )
        return relatives, children

    # --- staff ------------------------------------------------------------------------------------

    def primary_staff(self, school: School, groups: list[Group]) -> list[Someone]:
        teachers = []
        for group in groups:
            teacher = self.staff_member(school, Profile.TEACHER)
            teacher.teaches = [(group, None)]
            teachers.append(teacher)
        # The director teaches the last class, as most French directors do with a partial discharge.
        teachers[-1].functions = [Function.DIRECTION]
        atsems = [self.staff_member(school, Profile.PERSONNEL) for g in groups if g.level in MATERNELLE]
        adml = self.staff_member(school, Profile.PERSONNEL, [Function.ADML])
        return [*teachers, adml, *atsems]

    def secondary_staff(self, school: School, groups: list[Group], subjects: list[Subject]) -> list[Someone]:
        principal = self.staff_member(school, Profile.PERSONNEL, [Function.DIRECTION])
        deputy = self.staff_member(school, Profile.PERSONNEL, [Function.DIRECTION])
        cpe = self.staff_member(school, Profile.PERSONNEL, [Function.VIE_SCOLAIRE])
        assistants = [
            self.staff_member(school, Profile.PERSONNEL, [Function.VIE_SCOLAIRE])
            for _ in range(max(2, len(groups) // 6))
        ]
        documentalist = self.staff_member(school, Profile.TEACHER, [Function.DOCUMENTALIST])
        office = [self.staff_member(school, Profile.PERSONNEL, [Function.ADMINISTRATIVE]) for _ in range(2)]
        adml = self.staff_member(school, Profile.PERSONNEL, [Function.ADML])
        teachers = []
        for subject, (_code, _name, most) in zip(subjects, SUBJECTS, strict=True):
            count = math.ceil(len(groups) / most)
            staff = [self.staff_member(school, Profile.TEACHER) for _ in range(count)]
            # Round robin: each teacher has classes at several levels, like a real timetable.
            for index, group in enumerate(groups):
                staff[index % count].teaches.append((group, subject))
            teachers.extend(staff)
        return [principal, deputy, cpe, *assistants, documentalist, *office, adml, *teachers]

    # --- the demo accounts ------------------------------------------------------------------------

    def demo_family(self, primary_groups: list[Group], college_groups: list[Group], slots: list) -> list:
        """The demo guardian's family: a child in CE2 at the école and one in 6e at the collège."""
        wanted = [
            next(g for g in primary_groups if g.level == "CE2"),
            next(g for g in college_groups if g.level == "6e"),
        ]
        family = []
        for group in wanted:
            slot = next(s for s in slots if s[0] is group)
            slots.remove(slot)
            family.append(slot)
        return family

    def mark_demo(self, staff_by_school: dict[str, list[Someone]], relatives, children) -> None:
        primary_child, college_child = children
        relatives[1].role = "guardian"  # the parent who logs in with the demo password
        relatives[0].role = "activation"  # the other parent activates the account with the demo code
        primary_child.role = "pupil_primary"
        college_child.role = "pupil_college"
        for role, people in staff_by_school.items():
            if role == "primary":
                next(
                    p for p in people if any(g is primary_child.group for g, _s in p.teaches)
                ).role = "teacher_primary"
                next(p for p in people if Function.ADML in p.functions).role = "adml_primary"
            else:
                next(
                    p for p in people if any(g is college_child.group for g, _s in p.teaches)
                ).role = "teacher_college"
                next(p for p in people if Function.VIE_SCOLAIRE in p.functions).role = "cpe"
                next(p for p in people if Function.DIRECTION in p.functions).role = "principal"
                next(p for p in people if Function.ADML in p.functions).role = "adml_college"

    # --- writing ----------------------------------------------------------------------------------

    def run(self) -> Summary:
        self.ensure_charter()
        # The ADMC first: demo accounts then all have the smallest ids, which demo_accounts() relies on.
        self.make_admc()
        for pair in range(self.plan.pairs):
            self.write_pair(pair)
        return self.summary

    def write_pair(self, pair: int) -> None:
        primary, college = self.make_schools(pair)
        School.objects.bulk_create([primary, college])
        self.summary.schools += 2
        primary_groups, college_groups = self.make_classes(primary), self.make_classes(college)
        Group.objects.bulk_create(primary_groups + college_groups, batch_size=BATCH_SIZE)
        subjects = [Subject(school=college, code=code, name=name) for code, name, _most in SUBJECTS]
        Subject.objects.bulk_create(subjects)

        staff_primary = self.primary_staff(primary, primary_groups)
        staff_college = self.secondary_staff(college, college_groups, subjects)
        slots = self.pupil_slots(primary_groups + college_groups)
        people: list[Someone] = [*staff_primary, *staff_college]
        if pair == 0:
            relatives, children = self.make_family(
                self.demo_family(primary_groups, college_groups, slots), two_guardians=True
            )
            self.mark_demo({"primary": staff_primary, "college": staff_college}, relatives, children)
            people += relatives + children
        for family in self.families(slots):
            relatives, children = self.make_family(family)
            people += relatives + children
        for batch in batched(people, BATCH_SIZE):
            self.write_people(batch)
        self.summary.staff += len(staff_primary) + len(staff_college)

    def write_people(self, batch: list[Someone]) -> None:
        """Users, persons, memberships and links of one batch: a constant number of queries."""
        logins = unique_usernames([(p.first_name, p.last_name) for p in batch], self.logins)
        users = [User(username=login, password=self.unusable_password) for login in logins]
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        persons = [
            Person(user=user, first_name=p.first_name, last_name=p.last_name, birth_date=p.birth_date)
            for user, p in zip(users, batch, strict=True)
        ]
        Person.objects.bulk_create(persons, batch_size=BATCH_SIZE)
        for someone, person in zip(batch, persons, strict=True):
            someone.person = person
        memberships, enrolments, assignments, guardianships = [], [], [], []
        for someone in batch:
            memberships += self.memberships_of(someone)
            if someone.group is not None:
                enrolments.append(Enrolment(student=someone.person, group=someone.group))
            assignments += [
                TeachingAssignment(teacher=someone.person, group=group, subject=subject)
                for group, subject in someone.teaches
            ]
            guardianships += self.guardianships_of(someone)
        Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        Enrolment.objects.bulk_create(enrolments, batch_size=BATCH_SIZE)
        TeachingAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
        Guardianship.objects.bulk_create(guardianships, batch_size=BATCH_SIZE)
        self.summary.accounts += len(batch)
        self.summary.pupils += len(enrolments)
        self.summary.relatives += sum(1 for p in batch if p.profile == Profile.RELATIVE)
        self.give_demo_passwords([p for p in batch if p.role])

    def memberships_of(self, someone: Someone) -> list[Membership]:
        person = someone.person
        if someone.profile == Profile.RELATIVE:
            return [
                Membership(person=person, school=school, profile=Profile.RELATIVE)
                for school in someone.schools
            ]
        return [
            Membership(
                person=person, school=someone.school, profile=someone.profile, functions=someone.functions
            )
        ]

    def guardianships_of(self, someone: Someone) -> list[Guardianship]:
        """Links are written with the child: guardians come before children, so they already have a row."""
        return [
            Guardianship(
                relative=relative.person,
                student=someone.person,
                relationship=relationship,
                legal_guardian=legal,
                financial=financial,
                contact=True,
            )
            for relative, relationship, legal, financial in someone.guardians
        ]

    def give_demo_passwords(self, demo: list[Someone]) -> None:
        for someone in demo:
            assert someone.person is not None  # saved by the bulk writer before passwords are given
            user = someone.person.user
            if someone.role == "activation":
                user.activation_code_hash = hash_code(ACTIVATION_DEMO_CODE)
                user.activation_expires_at = None  # the demo code never expires
                user.save(update_fields=["activation_code_hash", "activation_expires_at"])
                continue
            user.password = self.demo_password_hash()
            user.activated_at = timezone.now()
            user.save(update_fields=["password", "activated_at"])

    def demo_password_hash(self) -> str:
        """One Argon2id hash for every demo account: the password is public, one hash is as good as ten."""
        if self._demo_hash is None:
            self._demo_hash = make_password(DEMO_PASSWORD)
        return self._demo_hash

    def make_admc(self) -> None:
        """The platform admin sits above schools: a person without any school membership."""
        admc = self.staff_member(None, "")
        login = unique_usernames([(admc.first_name, admc.last_name)], self.logins)[0]
        user = User.objects.create(
            username=login,
            password=self.demo_password_hash(),
            is_superuser=True,
            is_staff=True,
            activated_at=timezone.now(),
        )
        Person.objects.create(
            user=user, first_name=admc.first_name, last_name=admc.last_name, birth_date=admc.birth_date
        )
        self.summary.accounts += 1

    def ensure_charter(self) -> None:
        if not Charter.objects.exists():
            Charter.objects.create(version=1, title=CHARTER_TITLE, body=CHARTER_BODY)


def batched(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def seed(plan: Plan) -> Summary:
    """Write the whole dataset in one transaction: a failure leaves the database as it was."""
    with transaction.atomic():
        summary = Generator(plan).run()
        # Bulk inserts bypass the actions: every school is new, renew the platform's key.
        versions.bump_platform()
        for seed_service in service_seeders():
            seed_service(plan)
    refresh_planner_statistics()
    return summary


def service_seeders() -> list:
    """Each service's demo content (timetable, messages, homework…) comes from its own `demo.py` defining
    `seed_demo(plan)`, run after the directory in the same transaction, in INSTALLED_APPS order. Found like
    the apps' lifecycle modules (cartable.lib.lifecycle.app_modules)."""
    return [
        module.seed_demo for config, module in lifecycle.app_modules("demo") if config.label != "directory"
    ]


def refresh_planner_statistics() -> None:
    """Fresh statistics for the query planner right after the bulk load.

    Until autovacuum gets to it, PostgreSQL believes the tables are empty and picks nested loops over
    40,000 enrolments: 60 ms instead of a fraction of a millisecond for a guardian's home page.
    """
    if connection.vendor in ("postgresql", "sqlite"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- finding the demo accounts again (demo_logins, the bench) ---------------------------------------

# Demo accounts are among the first accounts created; looking further would only cost Argon2 checks.
DEMO_SEARCH_LIMIT = 60


@dataclass
class DemoAccount:
    rank: int
    role: str
    person: str
    school: str
    login: str
    is_guardian: bool = False


def demo_accounts() -> list[DemoAccount]:
    """The accounts whose password is still the demo password, each with what it shows in the demo.

    Read from the database, so that the list stays right whatever seed made the data, and an account
    whose password was changed drops out instead of being printed with a wrong password.
    """
    candidates = (
        User.objects.exclude(password__startswith="!")
        .select_related("person")
        .prefetch_related(
            "person__memberships__school",
            "person__teaching_assignments__group",
            "person__teaching_assignments__subject",
            "person__enrolments__group",
            "person__guardianships__student__memberships__school",
        )
        .order_by("pk")[:DEMO_SEARCH_LIMIT]
    )
    # Demo accounts share one hash: verify each distinct hash once (Argon2 is slow on purpose).
    verified: dict[str, bool] = {}
    found = []
    for user in candidates:
        if user.password not in verified:
            verified[user.password] = check_password(DEMO_PASSWORD, user.password)
        if verified[user.password]:
            found.append(describe(user))
    return sorted(found, key=lambda account: (account.rank, account.login))


def describe(user: User) -> DemoAccount:
    person = getattr(user, "person", None)
    name = person.full_name if person else user.username
    if user.is_superuser:
        return DemoAccount(9, "ADMC (administrateur de la plateforme)", name, "toutes", user.username)
    memberships = list(person.memberships.all()) if person else []
    schools = ", ".join(sorted({m.school.name for m in memberships}))
    membership = memberships[0] if memberships else None
    if membership is None or person is None:
        return DemoAccount(10, "Compte sans rattachement", name, "—", user.username)
    rank, role = staff_role(person, membership)
    return DemoAccount(rank, role, name, schools, user.username, is_guardian=rank == 0)


def staff_role(person: Person, membership: Membership) -> tuple[int, str]:
    """A rank for the table order and a French label for the profile and functions of one account."""
    primary = membership.school.kind == SchoolKind.PRIMARY
    functions = membership.functions
    if membership.profile == Profile.RELATIVE:
        children = ", ".join(g.student.first_name for g in person.guardianships.all())
        return 0, f"Parent (enfants : {children})"
    if membership.profile == Profile.STUDENT:
        group = next((e.group.name for e in person.enrolments.all()), "?")
        return (2 if primary else 1), f"Élève ({group})"
    if Function.ADML in functions:
        return (7 if primary else 8), "ADML (administrateur ENT de l'établissement)"
    if Function.VIE_SCOLAIRE in functions:
        return 5, "CPE (vie scolaire)"
    if Function.DIRECTION in functions and not primary:
        return 6, "Principal·e (direction)"
    groups = sorted({a.group.name for a in person.teaching_assignments.all()})
    subjects = sorted({a.subject.name for a in person.teaching_assignments.all() if a.subject})
    label = "Enseignant·e" + (" et direction" if Function.DIRECTION in functions else "")
    detail = f"{', '.join(subjects)} : " if subjects else ""
    return (4 if primary else 3), f"{label} ({detail}{', '.join(groups)})"


def activation_demo_account() -> User | None:
    """The guardian who has not activated yet and can try it with the demo code."""
    return User.objects.filter(activation_code_hash=hash_code(ACTIVATION_DEMO_CODE)).order_by("pk").first()


# Marked for translation: the charter pages show the English version of this demo charter to those who chose
# English. A charter written by a school has no translation and is shown as written.
CHARTER_TITLE = gettext_noop("Charte d'utilisation de l'espace numérique de travail Cartable")
CHARTER_BODY = gettext_noop(
    "Cartable est l'espace numérique de travail (ENT) de votre école ou de votre établissement. Il est "
    "ouvert aux élèves, à leurs parents et responsables légaux et aux personnels. Cette charte fixe les "
    "règles que chacun s'engage à respecter en l'utilisant. Elle complète le règlement intérieur de "
    "l'école ou de l'établissement.\n\n"
    "1. Un usage scolaire\n"
    "L'ENT sert à la vie de l'école : enseigner et apprendre, suivre la scolarité, communiquer entre les "
    "membres de la communauté éducative. Il ne sert ni à un usage commercial, ni à la propagande, ni à "
    "des fins personnelles sans rapport avec l'école.\n\n"
    "2. Mon compte est personnel\n"
    "Mon identifiant et mon mot de passe sont à moi seul. Je ne les prête à personne, je ne les écris pas "
    "à côté de l'ordinateur et je me déconnecte quand j'utilise un ordinateur partagé. Si je pense que "
    "quelqu'un connaît mon mot de passe, je le change tout de suite et je préviens l'administrateur de "
    "l'établissement. Je n'essaie pas d'utiliser le compte d'un autre.\n\n"
    "3. Le respect des autres\n"
    "Je reste poli et bienveillant dans tous mes messages, sur le blog, le forum et dans les documents "
    "partagés. Les injures, les moqueries, le harcèlement, les propos racistes, sexistes, homophobes ou "
    "violents, les menaces et la diffusion de contenus choquants sont interdits et peuvent être "
    "sanctionnés, y compris par la loi.\n\n"
    "4. Le droit à l'image et la vie privée\n"
    "Je ne publie pas la photo, la vidéo, l'adresse ou le numéro de téléphone d'une personne sans son "
    "accord (et, pour un élève mineur, sans l'accord de ses responsables légaux). Je ne transmets pas "
    "hors de l'ENT ce que d'autres y ont écrit pour un groupe restreint.\n\n"
    "5. Le droit d'auteur\n"
    "Je cite mes sources. Je ne dépose pas de documents, images, musiques ou vidéos dont je n'ai pas le "
    "droit de me servir.\n\n"
    "6. La sécurité\n"
    "Je ne dépose pas de fichier que je sais dangereux et je n'essaie pas de contourner les protections "
    "de l'ENT. Si je découvre une faille ou un contenu inquiétant, je le signale à un adulte de "
    "l'établissement ou à l'administrateur.\n\n"
    "7. Ce que fait l'établissement\n"
    "L'établissement et la collectivité mettent l'ENT à disposition, en assurent la sécurité et la "
    "confidentialité. Les connexions sont enregistrées et conservées un an au plus pour assurer la "
    "sécurité du service ; seules les personnes habilitées peuvent les consulter. Les administrateurs "
    "peuvent suspendre un compte qui ne respecte pas cette charte.\n\n"
    "8. Mes données personnelles\n"
    "Les données me concernant ne servent qu'au fonctionnement de l'ENT. Je peux les consulter, en "
    "demander la rectification et m'opposer à certains traitements depuis la page « Mes données ». Elles "
    "sont supprimées au plus tard trois mois après que je n'ai plus besoin de mon compte.\n\n"
    "En acceptant cette charte, je m'engage à la respecter. Une nouvelle version me sera présentée, et je "
    "devrai l'accepter à nouveau avant de continuer à utiliser l'ENT.\n"
)

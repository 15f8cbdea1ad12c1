"""The permission world: one fixed cast used by every test of who must and who must NOT succeed.

School A (a collège): class 6A with pupils Alice and Bob; Alice has two legal guardians (Marie and
Marc), Bob one (Béatrice); teacher Tom teaches 6A, teacher Tess does not (she teaches 5B); CPE Vera
(vie scolaire), principal Paul (direction), ADML Ada. Class 5B has pupil Carl and his guardian Gino.
School B (another collège): pupil Zoé in 6C, her guardian Zack, teacher Xavier, ADML Bruno.
Above schools: the platform admin (ADMC) Root. Marie also has a child, Léo, in school B: a family
across two schools.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts.middleware import LAST_SEEN_KEY, SESSION_GENERATION_KEY
from cartable.accounts.models import Charter, CharterAcceptance, User
from cartable.directory import actions as directory
from cartable.directory.models import (
    Function,
    Group,
    Person,
    Profile,
    School,
    SchoolKind,
    SchoolYear,
    Subject,
)

PASSWORD = "Cartable-Monde-2026!"
# A fast (test-only) hash of PASSWORD: building the world stays quick while logins stay real.
_PASSWORD_HASH: str | None = None

PERSONAS = (
    "alice",
    "bob",
    "marie",
    "marc",
    "beatrice",
    "tom",
    "tess",
    "vera",
    "paul",
    "ada",
    "carl",
    "gino",
    "leo",
    "zoe",
    "zack",
    "xavier",
    "bruno",
    "root",
)
STAFF = ("tom", "tess", "vera", "paul", "ada", "xavier", "bruno")


@dataclass
class World:
    year: SchoolYear
    school_a: School
    school_b: School
    class_6a: Group
    class_5b: Group
    class_6c: Group
    maths: Subject
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    devices: dict[str, TOTPDevice] = field(default_factory=dict)
    charter: Charter | None = None

    def __getattr__(self, name: str):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def person(self, name: str) -> Person:
        return self.people[name]

    def add_pupil(self, first_name: str, last_name: str, group: Group) -> Person:
        """One more pupil enrolled in `group`, created through the directory action."""
        return directory.create_person(
            directory.NewPerson(
                first_name=first_name,
                last_name=last_name,
                school=group.school,
                profile=Profile.STUDENT,
                groups=[group],
            )
        )

    def fresh_user(self, name: str) -> User:
        """Persona `name`'s user read again from the database: none of the facts an earlier request kept
        on the object (as each request of a real server gets)."""
        return User.objects.get(pk=self.users[name].pk)

    def login(self, client, name: str, *, verified: bool = True):
        """Log `client` in as persona `name`, as after a real login (and a second factor for staff)."""
        user = self.users[name]
        client.force_login(user)
        session = client.session
        session[SESSION_GENERATION_KEY] = user.session_generation
        session[LAST_SEEN_KEY] = int(time.time())
        device = self.devices.get(name)
        if verified and device is not None:
            session["otp_device_id"] = device.persistent_id
        session.save()
        return client


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD, hasher="md5")
    return _PASSWORD_HASH


def _person(
    world: World,
    key: str,
    first: str,
    last: str,
    school: School,
    profile: str,
    *,
    functions: list[str] | None = None,
    groups: list[Group] | None = None,
    birth: dt.date | None = None,
) -> Person:
    person = directory.create_person(
        directory.NewPerson(
            first_name=first,
            last_name=last,
            school=school,
            profile=profile,
            functions=functions or [],
            groups=groups or [],
            birth_date=birth,
            email=f"{key}@example.test",
        )
    )
    user = person.user
    user.password = _password_hash()
    user.activated_at = timezone.now()
    user.save(update_fields=["password", "activated_at"])
    world.people[key] = person
    world.users[key] = user
    return person


def build_world() -> World:
    """The permission world: written through the directory actions the first time in a test process, its
    rows replayed in one round trip afterwards (tests/replay.py)."""
    from tests.replay import built_once_then_replayed

    return built_once_then_replayed(_build_world)


def _build_world() -> World:
    year = SchoolYear.objects.create(
        name="2026-2027", start=dt.date(2026, 9, 1), end=dt.date(2027, 7, 4), is_current=True
    )
    school_a = School.objects.create(
        uai="0750001A", name="Collège Jean Moulin", kind=SchoolKind.SECONDARY, city="Paris", academy="Paris"
    )
    school_b = School.objects.create(
        uai="0690002B", name="Collège Lumière", kind=SchoolKind.SECONDARY, city="Lyon", academy="Lyon"
    )
    class_6a = Group.objects.create(school=school_a, year=year, name="6A", level="6e")
    class_5b = Group.objects.create(school=school_a, year=year, name="5B", level="5e")
    class_6c = Group.objects.create(school=school_b, year=year, name="6C", level="6e")
    maths = Subject.objects.create(school=school_a, code="MATHS", name="Mathématiques")
    french = Subject.objects.create(school=school_a, code="FRANC", name="Français")
    maths_b = Subject.objects.create(school=school_b, code="MATHS", name="Mathématiques")
    w = World(
        year=year,
        school_a=school_a,
        school_b=school_b,
        class_6a=class_6a,
        class_5b=class_5b,
        class_6c=class_6c,
        maths=maths,
    )

    student, relative = Profile.STUDENT, Profile.RELATIVE
    teacher, personnel = Profile.TEACHER, Profile.PERSONNEL
    _person(w, "alice", "Alice", "Martin", school_a, student, groups=[class_6a], birth=dt.date(2015, 3, 14))
    _person(w, "bob", "Bob", "Durand", school_a, student, groups=[class_6a], birth=dt.date(2015, 7, 2))
    _person(w, "carl", "Carl", "Petit", school_a, student, groups=[class_5b], birth=dt.date(2014, 1, 20))
    _person(w, "leo", "Léo", "Martin", school_b, student, groups=[class_6c], birth=dt.date(2015, 11, 5))
    _person(w, "zoe", "Zoé", "Bernard", school_b, student, groups=[class_6c], birth=dt.date(2015, 5, 9))
    _person(w, "marie", "Marie", "Martin", school_a, relative)
    directory.add_membership(w.people["marie"], school_b, relative)
    _person(w, "marc", "Marc", "Martin", school_a, relative)
    _person(w, "beatrice", "Béatrice", "Durand", school_a, relative)
    _person(w, "gino", "Gino", "Petit", school_a, relative)
    _person(w, "zack", "Zack", "Bernard", school_b, relative)
    _person(w, "tom", "Tom", "Leroy", school_a, teacher)
    _person(w, "tess", "Tess", "Moreau", school_a, teacher)
    _person(w, "vera", "Vera", "Roux", school_a, personnel, functions=[Function.VIE_SCOLAIRE])
    _person(w, "paul", "Paul", "Fournier", school_a, personnel, functions=[Function.DIRECTION])
    _person(w, "ada", "Ada", "Lambert", school_a, personnel, functions=[Function.ADML])
    _person(w, "xavier", "Xavier", "Girard", school_b, teacher)
    _person(w, "bruno", "Bruno", "Faure", school_b, personnel, functions=[Function.ADML])

    root_user = User.objects.create(
        username="root",
        email="root@example.test",
        password=_password_hash(),
        is_superuser=True,
        is_staff=True,
        activated_at=timezone.now(),
    )
    w.users["root"] = root_user

    p = w.people
    directory.link_guardian(p["marie"], p["alice"], relationship="mère")
    directory.link_guardian(p["marc"], p["alice"], relationship="père")
    directory.link_guardian(p["marie"], p["leo"], relationship="mère")
    directory.link_guardian(p["beatrice"], p["bob"], relationship="mère")
    directory.link_guardian(p["gino"], p["carl"], relationship="père")
    directory.link_guardian(p["zack"], p["zoe"], relationship="père")
    directory.assign_teaching(p["tom"], class_6a, maths)
    directory.assign_teaching(p["tess"], class_5b, french)
    directory.assign_teaching(p["xavier"], class_6c, maths_b)

    for name in (*STAFF, "root"):
        w.devices[name] = TOTPDevice.objects.create(user=w.users[name], name="world", confirmed=True)

    w.charter = Charter.objects.create(
        version=1,
        title="Charte d'utilisation de Cartable",
        body="Je respecte les autres et j'utilise Cartable pour l'école.",
    )
    CharterAcceptance.objects.bulk_create(
        [CharterAcceptance(user=user, charter=w.charter) for user in w.users.values()]
    )
    return w

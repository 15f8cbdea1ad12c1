"""Demo cahier de textes of the demo schools, from their timetable, around the day the demo is seeded.

The last school week before this one is given and signed by the principal (demo 6e); this school week (the
next one on a weekend or during the holidays) is written in full, the sessions still to come published
ahead, so that the cahier and the homework of the next days are filled whatever the day; about half of the
sessions give homework for the next session of the course; a third of the week after is prepared ahead
(visible on the day). Only the demo pair of schools gets content: a benchmark dataset (more than two
schools) gets none, so that seeding 100,000 accounts stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from cartable.directory.models import Function, Group, GroupKind, Membership, SchoolKind, SchoolYear, Subject
from cartable.homework.models import Entry, Homework, Visa
from cartable.timetable.queries import lessons_for_groups

# Per subject code: (title, lesson content, homework or "") in the order of a sequence.
LESSONS: dict[str, list[tuple[str, str, str]]] = {
    "FRANC": [
        ("Le conte merveilleux", "<p>Lecture de <em>La Belle au bois dormant</em> (Perrault). Repérage des "
         "étapes du schéma narratif : situation initiale, élément perturbateur, péripéties.</p>",
         "<p>Relire le conte et compléter le tableau du schéma narratif (fiche distribuée).</p>"),
        ("Grammaire : le sujet", "<p>Identifier le sujet du verbe : la question « qui est-ce qui ? », "
         "le sujet inversé, le sujet éloigné du verbe.</p>",
         "<p>Exercices 3, 4 et 6 page 212.</p>"),
        ("Vocabulaire du merveilleux", "<p>Les créatures et objets magiques ; constitution d'une carte "
         "mentale collective.</p>", ""),
        ("Écriture", "<p>Atelier d'écriture : imaginer l'élément perturbateur d'un conte. Brouillon en "
         "classe, critères de réussite notés dans le cahier.</p>",
         "<p>Recopier le brouillon au propre (15 lignes minimum), en soignant la ponctuation.</p>"),
        ("Dictée préparée", "<p>Dictée préparée sur l'accord sujet-verbe. Correction collective.</p>",
         "<p>Apprendre les mots de la liste 5 pour la dictée.</p>"),
        ("Lecture cursive", "<p>Présentation des romans de la lecture cursive ; choix d'un livre au "
         "CDI.</p>", "<p>Lire les chapitres 1 à 3 du roman choisi.</p>"),
    ],
    "MATHS": [
        ("Nombres décimaux", "<p>Écriture décimale et fractions décimales : 3,25 = 325/100. Placer des "
         "décimaux sur une demi-droite graduée.</p>",
         "<p>Exercices 12 et 15 page 34. Apprendre la leçon (encadré jaune).</p>"),
        ("Comparer des décimaux", "<p>Méthode pour comparer et ranger des nombres décimaux ; activité "
         "« le plus grand nombre ».</p>", "<p>Exercice 21 page 36.</p>"),
        ("Géométrie : droites", "<p>Droites parallèles et perpendiculaires, utilisation de l'équerre. "
         "Tracés dans le cahier.</p>",
         "<p>Terminer la figure de l'exercice 4 (fiche) avec équerre et crayon bien taillé.</p>"),
        ("Calcul mental", "<p>Multiplier et diviser par 10, 100, 1000. Questions flash.</p>", ""),
        ("Problèmes", "<p>Résolution de problèmes à étapes ; rédaction d'une phrase réponse.</p>",
         "<p>Problème 3 page 41 : rédiger la solution complète.</p>"),
        ("Évaluation", "<p>Évaluation sur les nombres décimaux (45 minutes).</p>",
         "<p>Réviser : leçon, exercices corrigés, et la fiche méthode sur les décimaux.</p>"),
    ],
    "HIGEO": [
        ("Les débuts de l'humanité", "<p>Les premiers humains et leur peuplement de la Terre ; lecture "
         "d'une frise chronologique.</p>", "<p>Apprendre les repères de la frise (dates en rouge).</p>"),
        ("La révolution néolithique", "<p>Des chasseurs-cueilleurs aux agriculteurs-éleveurs : étude "
         "du site de Çatal Höyük.</p>", "<p>Répondre aux questions 1 à 4 du document 2 page 28.</p>"),
        ("Habiter une métropole", "<p>Croquis de l'organisation d'une métropole : centre, banlieues, "
         "périurbain.</p>", ""),
    ],
    "ANGL": [
        ("Introduce yourself", "<p>Se présenter : name, age, birthday. Dialogue en binômes.</p>",
         "<p>Learn the days of the week and the months (page 15).</p>"),
        ("My family", "<p>Vocabulaire de la famille ; <em>have got</em> à la forme affirmative.</p>",
         "<p>Draw your family tree and write five sentences.</p>"),
        ("Classroom English", "<p>Consignes de classe ; jeu « Simon says ».</p>", ""),
    ],
    "SVT": [
        ("Le vivant et son environnement", "<p>Sortie dans la cour : relevé des êtres vivants observés "
         "et des conditions du milieu.</p>", "<p>Compléter le tableau des observations.</p>"),
        ("Classer les êtres vivants", "<p>Classer selon les attributs communs ; boîtes emboîtées.</p>",
         "<p>Apprendre le bilan de la séance.</p>"),
    ],
    "PHCHI": [
        ("États de l'eau", "<p>Les trois états de l'eau ; expérience de fusion de la glace.</p>",
         "<p>Schématiser l'expérience (titre, légende).</p>"),
        ("Mélanges", "<p>Mélanges homogènes et hétérogènes ; décantation et filtration.</p>", ""),
    ],
    "TECHN": [
        ("Objets techniques", "<p>Besoin, fonction d'usage, fonction d'estime : l'exemple de la "
         "trottinette.</p>", "<p>Apporter un objet technique simple à décrire (ou sa photo).</p>"),
        ("Algorithmique", "<p>Premiers programmes avec Scratch : déplacements et boucles.</p>", ""),
    ],
    "ARPLA": [
        ("La représentation", "<p>Dessiner un objet du quotidien sous trois points de vue.</p>",
         "<p>Apporter un objet personnel pour la prochaine séance.</p>"),
    ],
    "EDMUS": [
        ("Chant", "<p>Apprentissage du chant « Le Lion est mort ce soir » ; travail de la respiration.</p>",
         "<p>Apprendre le premier couplet.</p>"),
    ],
    "EPS": [
        ("Athlétisme", "<p>Course de relais : passage du témoin dans la zone.</p>",
         "<p>Prévoir une tenue de sport et une bouteille d'eau.</p>"),
    ],
    "": [
        ("Lecture", "<p>Lecture à voix haute de l'album étudié ; questions de compréhension.</p>",
         "<p>Relire la page 12 à voix haute à la maison.</p>"),
        ("Numération", "<p>Les nombres jusqu'à 1 000 : centaines, dizaines, unités avec le "
         "matériel.</p>", "<p>Fiche de numération, exercices 1 et 2.</p>"),
        ("Questionner le monde", "<p>Le cycle de l'eau ; schéma collectif.</p>", ""),
        ("Poésie", "<p>Découverte de la poésie « Le Hérisson » ; illustration.</p>",
         "<p>Apprendre les deux premières strophes.</p>"),
        ("Calcul", "<p>Les tables de multiplication de 3 et 4 ; jeu du furet.</p>",
         "<p>Réviser la table de 4.</p>"),
    ],
}  # fmt: skip

DURATIONS = (10, 15, 20, 30)
# Far enough to reach over two weeks of holidays, on both sides of today.
REACH = dt.timedelta(days=28)


@dataclass(frozen=True)
class Weeks:
    """Which sessions the demo writes, from the school days around the day it runs.

    `first`: the Monday of the last school week before this one (last week, or the week before the holidays),
    given and signed. `current`: the Monday of this school week (next week on a weekend, the week after the
    holidays during them): its sessions are all written, those still to come published ahead, so that the
    cahier and the homework of the next days are never empty. The week after `current`: a third of the
    sessions prepared ahead, hidden until the lesson starts."""

    first: dt.date
    current: dt.date

    @property
    def last(self) -> dt.date:
        return self.current + dt.timedelta(days=13)


def weeks_around(today: dt.date, school_days: set[dt.date]) -> Weeks:
    monday = monday_of(today)
    before = [day for day in school_days if day < monday]
    after = [day for day in school_days if day >= today]
    return Weeks(
        first=monday_of(max(before)) if before else monday - dt.timedelta(days=7),
        current=monday_of(min(after)) if after else monday,
    )


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def seed_demo(plan) -> None:
    """Idempotent: a session already in the cahier (same class, course and date) is left as it is."""
    if plan.schools > 2:
        return
    year = SchoolYear.objects.filter(is_current=True).first()
    if year is None:
        return
    groups = list(
        Group.objects.filter(year=year, kind=GroupKind.CLASS)
        .select_related("school")
        .order_by("school__uai", "level", "name")
    )
    if not groups:
        return

    today = timezone.localdate()
    around = [
        lesson
        for lesson in lessons_for_groups([g.pk for g in groups], today - REACH, today + REACH)
        if not lesson.cancelled
    ]
    if not around:
        return
    weeks = weeks_around(today, {lesson.date for lesson in around})
    by_id = {g.pk: g for g in groups}
    subject_codes = {subject.pk: subject.code for subject in _subjects(around)}
    # Every session of each (group, subject) around today: homework is due at the next one, even after
    # the holidays or beyond the weeks written.
    sessions: dict[tuple[int, int | None], list] = defaultdict(list)
    for lesson in around:
        for ref in lesson.groups:
            sessions[(ref.id, lesson.subject_id)].append(lesson)
    existing = set(
        Entry.objects.filter(group_id__in=list(by_id), date__range=(weeks.first, weeks.last)).values_list(
            "group_id", "course_id", "date"
        )
    )
    now = timezone.now()
    entries: list[Entry] = []
    pending: list[tuple[Entry, str, dt.date, int]] = []
    for (group_id, subject_id), course_lessons in sessions.items():
        group = by_id.get(group_id)
        if group is None:
            continue
        bank = LESSONS.get(subject_codes.get(subject_id, "") if subject_id else "", LESSONS[""])
        number = 0
        for index, lesson in enumerate(course_lessons):
            if not lesson.teachers or not weeks.first <= lesson.date <= weeks.last:
                continue
            written = number
            number += 1
            given = lesson.starts_at <= now
            published = given or lesson.date < weeks.current + dt.timedelta(days=7)
            if not published and written % 3:
                continue  # the week after: a third of the sessions are prepared ahead
            if (group_id, lesson.course_id, lesson.date) in existing:
                continue
            title, content, homework = bank[written % len(bank)]
            starts = lesson.starts_at
            entry = Entry(
                school_id=group.school_id,
                group_id=group_id,
                subject_id=subject_id,
                author_id=lesson.teachers[0].id,
                date=lesson.date,
                start_time=lesson.start,
                course_id=lesson.course_id,
                title=title,
                content=content,
                visible_from=None if published else starts,
                created_at=min(now, starts),
                updated_at=min(now, starts),
            )
            entries.append(entry)
            if homework:
                following = course_lessons[index + 1] if index + 1 < len(course_lessons) else None
                due = following.date if following else lesson.date + dt.timedelta(days=7)
                pending.append((entry, homework, due, DURATIONS[written % len(DURATIONS)]))
    Entry.objects.bulk_create(entries, batch_size=1000)
    Homework.objects.bulk_create(
        [
            Homework(
                entry=entry,
                instructions=text,
                due_date=due,
                duration_minutes=minutes,
                # The demo starts with a quiet timeline: these are not announced.
                announced_at=now,
            )
            for entry, text, due, minutes in pending
        ],
        batch_size=1000,
    )
    _visa_last_week(groups, weeks.first + dt.timedelta(days=7))


def _subjects(lessons) -> list:

    return list(Subject.objects.filter(pk__in={lesson.subject_id for lesson in lessons if lesson.subject_id}))


def _visa_last_week(groups: list[Group], monday: dt.date) -> None:
    """The principal signed the demo 6e's cahier last Sunday: last week's sessions are locked."""
    group = next((g for g in groups if g.level == "6e" and g.school.kind == SchoolKind.SECONDARY), None)
    if group is None:
        return
    principal = next(
        (
            person_id
            for person_id, functions in Membership.objects.filter(school_id=group.school_id)
            .order_by("pk")
            .values_list("person_id", "functions")
            if Function.DIRECTION in (functions or [])
        ),
        None,
    )
    if principal is None:
        return
    sunday = monday - dt.timedelta(days=1)
    if Visa.objects.filter(group=group, date=sunday).exists():
        return
    signed = timezone.make_aware(dt.datetime.combine(sunday, dt.time(18, 30)))
    Visa.objects.create(
        school_id=group.school_id,
        group=group,
        signed_by_id=principal,
        signed_at=signed,
        date=sunday,
        comment="Cahier de textes bien renseigné.",
    )

"""Demo class blog: in each demo school, the first class's blog has its teacher's posts, comments from a
family (one accepted, one waiting for validation), and a pupil's post waiting for the teacher. Only the
demo pair of schools gets content (see cartable.homework.demo)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartable.access.policy import current_enrolments
from cartable.blog.models import Blog, Comment, Post, Status
from cartable.directory.models import Guardianship, School
from cartable.directory.queries import first_class_and_teacher

POSTS = [
    (
        "Notre visite à la ferme pédagogique",
        "<p>Mardi, la classe a découvert la ferme : nous avons nourri les chèvres, vu naître un veau et "
        "fabriqué du beurre. Chaque élève a dessiné son animal préféré.</p>",
    ),
    (
        "Le potager de la classe",
        "<p>Les radis ont poussé ! Nous les récolterons la semaine prochaine. Merci aux familles qui ont "
        "apporté des graines.</p><ul><li>radis</li><li>salades</li><li>capucines</li></ul>",
    ),
]


def _blog_of(school: School) -> None:
    group, teacher_id = first_class_and_teacher(school)
    if group is None or Post.objects.filter(group=group).exists():
        return
    if teacher_id is None:
        return
    pupil_ids = list(
        current_enrolments().filter(group=group).order_by("pk").values_list("student_id", flat=True)[:2]
    )
    guardian = (
        Guardianship.objects.filter(student_id__in=pupil_ids, legal_guardian=True).order_by("pk").first()
    )
    Blog.objects.create(school=school, group=group, pupils_may_post=True, comments_open=True)
    now = timezone.now()
    posts = []
    for days, (title, body) in zip((6, 2), POSTS, strict=True):
        when = now - dt.timedelta(days=days)
        posts.append(
            Post.objects.create(
                school=school,
                group=group,
                author_id=teacher_id,
                title=title,
                body=body,
                status=Status.PUBLISHED,
                created_at=when,
                updated_at=when,
                published_at=when,
            )
        )
    if pupil_ids:
        Post.objects.create(
            school=school,
            group=group,
            author_id=pupil_ids[0],
            title="Mon exposé sur les hérissons",
            body="<p>Le hérisson mange des insectes et dort tout l’hiver.</p>",
        )
    if guardian is not None:
        Comment.objects.create(
            school=school,
            post=posts[0],
            author_id=guardian.relative_id,
            body="Merci pour ces belles découvertes, ma fille en parle tous les soirs !",
            status=Status.PUBLISHED,
            created_at=now - dt.timedelta(days=5),
        )
        Comment.objects.create(
            school=school, post=posts[1], author_id=guardian.relative_id, body="Bravo aux jardiniers !"
        )


def seed_demo(plan) -> None:
    """Idempotent: a class whose blog has posts already is left as it is."""
    if plan.schools > 2:
        return
    for school in School.objects.order_by("uai"):
        _blog_of(school)

"""Demo class blog: in each demo school, the first class's blog has its teacher's posts, each with a picture,
comments from a family (one accepted, one waiting for validation), and a pupil's post waiting for the
teacher. The pictures are drawn with Pillow at seed time and stored through cartable.files like any upload
(in quarantine until scanned: see cartable.albums.demo); their web copies are made at once, as the worker
would. Only the demo pair of schools gets content (see cartable.homework.demo)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from cartable.access.policy import current_enrolments
from cartable.blog import versions
from cartable.blog.actions import make_web_images
from cartable.blog.models import Blog, Comment, Post, PostFile, Status
from cartable.directory.models import Guardianship, School
from cartable.directory.queries import first_class_and_teacher
from cartable.files import actions as files

POSTS = [
    (
        "Notre visite à la ferme pédagogique",
        "<p>Mardi, la classe a découvert la ferme : nous avons nourri les chèvres, vu naître un veau et "
        "fabriqué du beurre. Chaque élève a dessiné son animal préféré.</p>",
        ("ferme.jpg", "La grange rouge de la ferme, un pré vert et un soleil", (198, 40, 40)),
    ),
    (
        "Le potager de la classe",
        "<p>Les radis ont poussé ! Nous les récolterons la semaine prochaine. Merci aux familles qui ont "
        "apporté des graines.</p><ul><li>radis</li><li>salades</li><li>capucines</li></ul>",
        ("potager.jpg", "Trois rangs de légumes dans le potager de l'école", (46, 125, 50)),
    ),
]


def _picture(colour: tuple[int, int, int], rows: int) -> bytes:
    """A child's drawing: a field, a building or rows of vegetables of the post's colour, a sun."""
    image = Image.new("RGB", (800, 600), (187, 222, 251))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 600), fill=(139, 195, 74))
    if rows:
        for row in range(rows):
            y = 420 + row * 55
            for x in range(60, 760, 70):
                draw.ellipse((x, y, x + 40, y + 30), fill=colour)
    else:
        draw.rectangle((250, 220, 550, 420), fill=colour)
        draw.polygon([(230, 220), (400, 110), (570, 220)], fill=(93, 64, 55))
        draw.rectangle((370, 320, 430, 420), fill=(255, 236, 179))
    draw.ellipse((640, 40, 740, 140), fill=(255, 213, 79))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _with_picture(post: Post, picture: tuple[str, str, tuple[int, int, int]], rows: int) -> None:
    name, alt, colour = picture
    content = ContentFile(_picture(colour, rows), name=name)
    stored = files.store_upload(content, owner=None, school_id=post.school_id)
    PostFile.objects.create(post=post, stored=stored, name=name, is_image=True, alt=alt)
    make_web_images(post.pk)


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
    for number, (days, (title, body, picture)) in enumerate(zip((6, 2), POSTS, strict=True)):
        when = now - dt.timedelta(days=days)
        post = Post.objects.create(
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
        _with_picture(post, picture, rows=3 * number)
        posts.append(post)
    if pupil_ids:
        Post.objects.create(
            school=school,
            group=group,
            author_id=pupil_ids[0],
            title="Mon exposé sur les hérissons",
            body="<p>Le hérisson mange des insectes et dort tout l’hiver.</p>",
        )
    versions.bump_groups([group.pk])  # the home widget's latest posts
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

"""The demo class blog: posts and comments in both demo schools, some waiting for validation."""

import pytest

from cartable.blog.models import Comment, Post, Status
from cartable.directory import demo
from cartable.directory.models import School

pytestmark = pytest.mark.django_db


def test_both_demo_schools_get_a_class_blog_with_posts_and_comments():
    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    for school in School.objects.all():
        posts = Post.objects.filter(school=school)
        assert posts.filter(status=Status.PUBLISHED).count() == 2
        assert posts.filter(status=Status.PENDING).exists()
        comments = Comment.objects.filter(school=school)
        assert {c.status for c in comments} == {Status.PUBLISHED, Status.PENDING}


def test_the_demo_posts_have_a_picture_stored_and_copied_like_an_upload():
    from PIL import Image

    demo.seed(demo.Plan(schools=2, pupils_per_class=2))
    published = Post.objects.filter(status=Status.PUBLISHED)
    assert published.count() == 4
    for post in published:
        picture = post.files.select_related("stored", "web").get()
        assert picture.is_image and picture.alt and picture.web is not None
        # Through cartable.files: sniffed, hashed and waiting for the antivirus, like any upload.
        assert picture.stored.status == "pending" and picture.stored.content_type == "image/jpeg"
        with picture.stored.file.open("rb") as original, Image.open(original) as image:
            assert image.format == "JPEG" and image.size == (800, 600)

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

"""Who reads, writes and moderates which class blog, built on the one access policy (cartable.access.policy).

- A class's blog is read by its pupils, their legal guardians and the staff of its school.
- Its teachers and the school's direction write posts (published at once) and moderate: they accept or
  refuse the posts of pupils and the comments, and choose the blog's settings.
- A pupil of the class proposes posts when the teachers allow it; pupils and guardians of the class comment
  when the teachers allow it. Both wait for a teacher's validation: until then only their author and the
  moderators see them.
Anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from cartable.access import policy
from cartable.access.policy import current_enrolments
from cartable.blog.models import Blog, Comment, Post, PostFile, Status
from cartable.directory.models import STAFF_PROFILES, Function, Group, GroupKind
from cartable.directory.queries import home_facts
from cartable.lib.params import int_or_404


def _children_class_ids(user: Any) -> set[int]:
    viewer = policy.viewer_for(user)
    if not viewer.child_ids:
        return set()
    return set(
        current_enrolments()
        .filter(student_id__in=viewer.child_ids, group__kind=GroupKind.CLASS)
        .values_list("group_id", flat=True)
    )


def readable_groups(user: Any) -> QuerySet[Group]:
    """The classes of this year whose blog the user may read."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None:
        return Group.objects.none()
    q = Q(pk__in=viewer.class_ids | viewer.taught_group_ids)
    if viewer.child_ids:
        q |= Q(
            pk__in=current_enrolments().filter(student_id__in=viewer.child_ids).values("group_id"),
        )
    staff_schools = viewer.schools_with_profile(*STAFF_PROFILES)
    if staff_schools:
        q |= Q(school_id__in=staff_schools)
    return Group.objects.filter(q, kind=GroupKind.CLASS, year__is_current=True)


def widget_group_ids(user: Any, child_id: int | None = None) -> frozenset[int]:
    """The classes whose latest posts the home page shows: the user's own class, the groups they teach (a
    group that is no class has no blog, hence no post) and their children's classes — only the selected
    child's when the home page follows one. No query once the directory facts are cached. Every one is
    among `readable_groups`."""
    viewer = policy.viewer_for(user)
    if viewer.person_id is None:
        return frozenset()
    ids = set(viewer.class_ids) | set(viewer.taught_group_ids)
    if viewer.child_ids:
        for child in home_facts(user).children:
            if child_id is None or child.pk == child_id:
                ids.update(card.pk for card in child.classes)
    return frozenset(ids)


def readable_group_or_404(user: Any, group_id: Any) -> Group:
    group = readable_groups(user).select_related("school").filter(pk=int_or_404(group_id)).first()
    if group is None:
        raise Http404
    return group


def moderates(user: Any, group: Group) -> bool:
    """The class's teachers and its school's direction (no query: the cached viewer)."""
    viewer = policy.viewer_for(user)
    return group.pk in viewer.taught_group_ids or viewer.has_function(group.school_id, Function.DIRECTION)


def settings_of(group: Group) -> Blog:
    return Blog.objects.filter(group=group).first() or Blog(school_id=group.school_id, group=group)


def is_pupil_of(user: Any, group: Group) -> bool:
    return group.pk in policy.viewer_for(user).class_ids


def is_family_of(user: Any, group: Group) -> bool:
    return is_pupil_of(user, group) or group.pk in _children_class_ids(user)


def may_post(user: Any, group: Group, blog: Blog | None = None) -> bool:
    if moderates(user, group):
        return True
    return is_pupil_of(user, group) and (blog or settings_of(group)).pupils_may_post


def may_comment(user: Any, group: Group, blog: Blog | None = None) -> bool:
    if moderates(user, group):
        return True
    return (blog or settings_of(group)).comments_open and is_family_of(user, group)


def _visible_q(user: Any, group: Group) -> Q:
    """Published, or one's own: a moderator sees everything of the class."""
    if moderates(user, group):
        return Q()
    return Q(status=Status.PUBLISHED) | Q(author_id=policy.viewer_for(user).person_id)


def posts_of(user: Any, group: Group) -> QuerySet[Post]:
    """The posts of a class the user may read (the class itself must be readable: see above)."""
    return Post.objects.filter(_visible_q(user, group), group=group)


def comments_q(user: Any, group: Group) -> Q:
    return _visible_q(user, group)


def post_or_404(user: Any, post_id: Any) -> Post:
    post = Post.objects.select_related("group", "school").filter(pk=int_or_404(post_id)).first()
    if post is None:
        raise Http404
    readable_group_or_404(user, post.group_id)
    if not posts_of(user, post.group).filter(pk=post.pk).exists():
        raise Http404
    return post


def editable_post_or_404(user: Any, post_id: Any) -> Post:
    """A post the user wrote (a pupil's while it waits for validation), or any post of a class they
    moderate."""
    post = post_or_404(user, post_id)
    if moderates(user, post.group):
        return post
    if post.author_id == policy.viewer_for(user).person_id and post.status == Status.PENDING:
        return post
    raise Http404


def moderated_post_or_404(user: Any, post_id: Any) -> Post:
    post = post_or_404(user, post_id)
    if not moderates(user, post.group):
        raise Http404
    return post


def comment_or_404(user: Any, comment_id: Any) -> Comment:
    comment = Comment.objects.select_related("post__group").filter(pk=int_or_404(comment_id)).first()
    if comment is None:
        raise Http404
    post = post_or_404(user, comment.post_id)
    if not Comment.objects.filter(comments_q(user, post.group), pk=comment.pk).exists():
        raise Http404
    return comment


def moderated_comment_or_404(user: Any, comment_id: Any) -> Comment:
    comment = comment_or_404(user, comment_id)
    if not moderates(user, comment.post.group):
        raise Http404
    return comment


def file_or_404(user: Any, file_id: Any) -> PostFile:
    found = PostFile.objects.select_related("stored", "web").filter(pk=int_or_404(file_id)).first()
    if found is None:
        raise Http404
    post_or_404(user, found.post_id)
    return found

"""Pages of the class blog. Thin: parse, ask access, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.access import policy
from cartable.blog import access, actions
from cartable.blog.forms import CommentForm, ModerationForm, PostForm, SettingsForm
from cartable.blog.models import Comment, PostFile, Status
from cartable.files.serving import file_response
from cartable.lib.errors import Refused
from cartable.lib.params import valid_ints

PAGE_SIZE = 10


@login_required
def index(request):
    groups = list(
        access.readable_groups(request.user).select_related("school").order_by("school__name", "name")
    )
    if len(groups) == 1:
        return redirect("blog:group", group_id=groups[0].pk)
    return render(request, "blog/index.html", {"groups": groups})


def _page(request, group):
    """The class's posts, their files and the comments the user may read: four queries whatever the data."""
    posts = (
        access.posts_of(request.user, group)
        .select_related("author")
        .prefetch_related(
            Prefetch("files", queryset=PostFile.objects.select_related("stored", "web")),
            Prefetch(
                "comments",
                queryset=Comment.objects.filter(access.comments_q(request.user, group)).select_related(
                    "author"
                ),
                to_attr="shown_comments",
            ),
        )
    )
    return Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def group(request, group_id: int):
    group = access.readable_group_or_404(request.user, group_id)
    blog = access.settings_of(group)
    moderator = access.moderates(request.user, group)
    return render(
        request,
        "blog/group.html",
        {
            "group": group,
            "blog": blog,
            "page": _page(request, group),
            "moderator": moderator,
            "may_post": access.may_post(request.user, group, blog),
            "may_comment": access.may_comment(request.user, group, blog),
            "me": policy.viewer_for(request.user).person_id,
            "settings_form": SettingsForm(
                initial={"pupils_may_post": blog.pupils_may_post, "comments_open": blog.comments_open}
            )
            if moderator
            else None,
            "comment_form": CommentForm(),
        },
    )


def _input(request, form: PostForm) -> actions.PostInput:
    data = form.cleaned_data
    return actions.PostInput(
        title=data["title"],
        body=data["body"],
        images=data["images"],
        image_alt=data["image_alt"],
        files=data["attachments"],
        remove_files=valid_ints(request.POST.getlist("remove_file")),
    )


def _refused(form, refusal: Refused) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))


def _files_lost(request, form) -> None:
    if request.FILES:
        form.add_error(
            None, _("Les images et les fichiers n’ont pas été enregistrés : choisissez-les de nouveau.")
        )


@login_required
def post_new(request, group_id: int):
    group = access.readable_group_or_404(request.user, group_id)
    if not access.may_post(request.user, group):
        raise Http404
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                post = actions.write_post(request.user, group, _input(request, form))
            except Refused as refusal:
                _refused(form, refusal)
            else:
                if post.is_published:
                    messages.success(request, _("Le billet est publié."))
                else:
                    messages.success(
                        request, _("Le billet est envoyé : il sera publié quand l’enseignant l’aura validé.")
                    )
                return redirect("blog:group", group_id=group.pk)
        _files_lost(request, form)
    return render(request, "blog/post_form.html", {"form": form, "group": group})


@login_required
def post_edit(request, post_id: int):
    post = access.editable_post_or_404(request.user, post_id)
    initial = {"title": post.title, "body": post.body}
    form = PostForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_post(request.user, post, _input(request, form))
            except Refused as refusal:
                _refused(form, refusal)
            else:
                messages.success(request, _("Le billet est modifié."))
                return redirect("blog:group", group_id=post.group_id)
        _files_lost(request, form)
    return render(
        request,
        "blog/post_form.html",
        {"form": form, "group": post.group, "post": post, "files": list(post.files.all())},
    )


@login_required
@require_POST
def post_delete(request, post_id: int):
    post = access.editable_post_or_404(request.user, post_id)
    actions.delete_post(request.user, post)
    messages.success(request, _("Le billet est supprimé."))
    return redirect("blog:group", group_id=post.group_id)


def _decision(request) -> bool | None:
    """True to accept, False to refuse, None when no decision was sent (nothing is done)."""
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return None
    return form.cleaned_data["decision"] == "accepter"


@login_required
@require_POST
def post_moderate(request, post_id: int):
    post = access.moderated_post_or_404(request.user, post_id)
    accept = _decision(request)
    if accept is not None:
        kept = actions.moderate_post(request.user, post, accept)
        messages.success(
            request, _("Le billet est publié.") if kept else _("Le billet est refusé et supprimé.")
        )
    return redirect("blog:group", group_id=post.group_id)


@login_required
@require_POST
def comment(request, post_id: int):
    post = access.post_or_404(request.user, post_id)
    if not access.may_comment(request.user, post.group):
        raise Http404
    form = CommentForm(request.POST)
    back = f"{reverse('blog:group', args=[post.group_id])}#billet-{post.pk}"
    if not form.is_valid():
        messages.error(request, _("Écrivez votre commentaire (2 000 caractères au plus)."))
        return redirect(back)
    try:
        made = actions.add_comment(request.user, post, form.cleaned_data["body"])
    except Refused as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    if made.status == Status.PUBLISHED:
        messages.success(request, _("Le commentaire est publié."))
    else:
        messages.success(
            request, _("Le commentaire est envoyé : il sera visible quand l’enseignant l’aura validé.")
        )
    return redirect(back)


@login_required
@require_POST
def comment_moderate(request, comment_id: int):
    found = access.moderated_comment_or_404(request.user, comment_id)
    accept = _decision(request)
    if accept is None:
        return redirect("blog:group", group_id=found.post.group_id)
    kept = actions.moderate_comment(request.user, found, accept)
    messages.success(
        request, _("Le commentaire est publié.") if kept else _("Le commentaire est refusé et supprimé.")
    )
    return redirect(f"{reverse('blog:group', args=[found.post.group_id])}#billet-{found.post_id}")


@login_required
@require_POST
def settings(request, group_id: int):
    group = access.readable_group_or_404(request.user, group_id)
    if not access.moderates(request.user, group):
        raise Http404
    form = SettingsForm(request.POST)
    form.is_valid()  # two check boxes: nothing can be invalid
    actions.save_settings(
        request.user,
        group,
        pupils_may_post=form.cleaned_data.get("pupils_may_post", False),
        comments_open=form.cleaned_data.get("comments_open", False),
    )
    messages.success(request, _("Les réglages du blog sont enregistrés."))
    return redirect("blog:group", group_id=group.pk)


@login_required
def file(request, file_id: int):
    found = access.file_or_404(request.user, file_id)
    return file_response(request, found.stored, found.name)


@login_required
def image(request, file_id: int):
    """The web-size copy of an image, shown in the page once clean."""
    found = access.file_or_404(request.user, file_id)
    if found.web is None:
        raise Http404
    return file_response(request, found.web, found.web.name)

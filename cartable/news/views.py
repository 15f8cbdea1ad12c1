"""Pages of the news. Thin: parse, ask access/queries, call an action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.console.decorators import console_view
from cartable.directory.models import Group, GroupKind, School
from cartable.files.serving import file_response
from cartable.lib.errors import Refused
from cartable.lib.params import valid_ints
from cartable.news import access, actions, queries
from cartable.news.forms import NewsForm, PublicPageForm
from cartable.news.models import News, PublicPage

PAGE_SIZE = 20


@login_required
def index(request):
    page = Paginator(
        queries.with_details(access.news_for(request.user)).order_by("-pinned", "-publish_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    publishing = access.publishing_schools(request.user)
    waiting: list[News] = []
    if publishing:
        now = timezone.now()
        # What the publishers prepared ahead or withdrew: not in anyone's list, still theirs to edit.
        waiting = list(
            access.managed_news(request.user)
            .exclude(access.current_q(now))
            .select_related("school")
            .order_by("-publish_at")[:PAGE_SIZE]
        )
    return render(
        request,
        "news/index.html",
        {"page": page, "publishing": bool(publishing), "waiting": waiting, "now": timezone.now()},
    )


@login_required
def detail(request, news_id: int):
    news = access.news_or_404(request.user, news_id)
    news = queries.with_details(News.objects.filter(pk=news.pk)).get()
    return render(
        request,
        "news/detail.html",
        {"news": news, "manages": news.school_id in access.publishing_schools(request.user)},
    )


def _form(request, initial: dict | None = None) -> NewsForm:
    schools_ids = access.publishing_schools(request.user)
    if not schools_ids:
        raise Http404
    schools = list(School.objects.filter(pk__in=schools_ids).order_by("name").values_list("pk", "name"))
    classes = [
        (pk, f"{name} — {school}" if len(schools) > 1 else name)
        for pk, name, school in Group.objects.filter(
            school_id__in=schools_ids, kind=GroupKind.CLASS, year__is_current=True
        )
        .order_by("school__name", "name")
        .values_list("pk", "name", "school__name")
    ]
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    return NewsForm(*data, initial=initial, schools=schools, classes=classes)


def _input(request, form: NewsForm) -> actions.NewsInput:
    data = form.cleaned_data
    return actions.NewsInput(
        school_id=data["school"],
        title=data["title"],
        body=data["body"],
        audience=data["audience"],
        for_pupils=data["for_pupils"],
        for_relatives=data["for_relatives"],
        for_staff=data["for_staff"],
        class_ids=data["classes"],
        publish_at=data["publish_at"],
        expire_at=data["expire_at"],
        pinned=data["pinned"],
        public=data["public"],
        image=data["image"],
        image_alt=data["image_alt"],
        remove_image=data["remove_image"],
        files=data["attachments"],
        remove_attachments=valid_ints(request.POST.getlist("remove_attachment")),
    )


def _refused(request, form: NewsForm, refusal: Refused) -> None:
    field = refusal.field if refusal.field in form.fields else None
    if refusal.field == "profiles":
        field = "for_pupils"
    form.add_error(field, str(refusal))


def _files_lost(request, form: NewsForm) -> None:
    if request.FILES:
        form.add_error(
            None, _("L’image et les pièces jointes n’ont pas été enregistrées : choisissez-les de nouveau.")
        )


@login_required
def new(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            news = actions.publish_news(request.user, _input(request, form))
        except Refused as refusal:
            _refused(request, form, refusal)
        else:
            messages.success(request, _("L’actualité est enregistrée."))
            return redirect("news:detail", news_id=news.pk)
    if request.method == "POST":
        _files_lost(request, form)
    return render(request, "news/form.html", {"form": form})


@login_required
def edit(request, news_id: int):
    news = access.managed_news_or_404(request.user, news_id)
    initial: dict[str, Any] = {
        "school": news.school_id,
        "title": news.title,
        "body": news.body,
        "audience": news.audience,
        "for_pupils": news.for_pupils,
        "for_relatives": news.for_relatives,
        "for_staff": news.for_staff,
        "classes": [g.pk for g in news.classes.all()],
        "publish_at": timezone.localtime(news.publish_at),
        "expire_at": timezone.localtime(news.expire_at) if news.expire_at else None,
        "pinned": news.pinned,
        "public": news.public,
        "image_alt": news.image_alt,
    }
    form = _form(request, initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_news(request.user, news, _input(request, form))
        except Refused as refusal:
            _refused(request, form, refusal)
        else:
            messages.success(request, _("L’actualité est modifiée."))
            return redirect("news:detail", news_id=news.pk)
    if request.method == "POST":
        _files_lost(request, form)
    return render(
        request,
        "news/form.html",
        {"form": form, "news": news, "attachments": list(news.attachments.select_related("stored"))},
    )


@login_required
@require_POST
def delete(request, news_id: int):
    news = access.managed_news_or_404(request.user, news_id)
    actions.delete_news(request.user, news)
    messages.success(request, _("L’actualité est supprimée."))
    return redirect("news:index")


@login_required
def attachment(request, attachment_id: int):
    found = access.attachment_or_404(request.user, attachment_id)
    return file_response(request, found.stored, found.name)


@login_required
def image(request, news_id: int):
    """The web-size copy, shown in the page once clean; the original until the copy exists."""
    news = access.news_or_404(request.user, news_id)
    stored = news.image_web if news.image_web_id is not None else news.image
    if stored is None:
        raise Http404
    return file_response(request, stored, stored.name)


def public(request, uai: str):
    """A school's public news, for anyone, if its ENT admin opened the page: no author, no image, no file."""
    school = get_object_or_404(School, uai=uai)
    if not access.public_page_open(school.pk):
        raise Http404
    news = list(access.public_news(school.pk).order_by("-pinned", "-publish_at", "-pk")[:PAGE_SIZE])
    return render(request, "news/public.html", {"school": school, "news_list": news})


@console_view
def public_settings(request, school):
    page = PublicPage.objects.filter(school=school).first()
    form = PublicPageForm(request.POST or None, initial={"enabled": bool(page and page.enabled)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_public_page(request.user, school, form.cleaned_data["enabled"])
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Le réglage de la page publique est enregistré."))
            return redirect("news:public_settings", uai=school.uai)
    return render(request, "news/public_settings.html", {"school": school, "form": form, "page": page})

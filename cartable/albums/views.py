"""Pages of the photo albums. Thin: parse, ask access, call an action, render."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.albums import access, actions, queries
from cartable.albums.forms import AlbumForm, ConsentForm, PhotosForm, TagForm
from cartable.albums.models import Album, Photo
from cartable.directory.models import School
from cartable.feeds.models import ImageRightsConsent
from cartable.files.models import StoredFile
from cartable.files.serving import file_response
from cartable.lib.errors import Refused

SIZES = {"vignette": "thumbnail", "web": "web", "original": "original"}


@login_required
def index(request):
    albums = list(
        access.albums_visible_to(request.user)
        .select_related("group", "school")
        .order_by("-event_date", "-pk")[:100]
    )
    creates = bool(access.managing_schools(request.user)) or access.creatable_classes(request.user).exists()
    return render(request, "albums/index.html", {"albums": albums, "creates": creates})


def _where_choices(request) -> list[tuple[str, str]]:
    schools = School.objects.filter(pk__in=access.managing_schools(request.user)).order_by("name")
    choices = [(f"s{s.pk}", _("Un événement de l’école — %(school)s") % {"school": s.name}) for s in schools]
    for group in (
        access.creatable_classes(request.user).select_related("school").order_by("school__name", "name")
    ):
        choices.append((f"c{group.pk}", _("La classe %(name)s — %(school)s") % {
            "name": group.name, "school": group.school.name}))  # fmt: skip
    return choices


@login_required
def new(request):
    choices = _where_choices(request)
    if not choices:
        raise Http404
    form = AlbumForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        where = form.cleaned_data["where"]
        pk = int(where[1:])
        data = actions.AlbumInput(
            school_id=pk if where[0] == "s" else 0,
            group_id=pk if where[0] == "c" else None,
            title=form.cleaned_data["title"],
            event_date=form.cleaned_data["event_date"],
        )
        try:
            album = actions.create_album(request.user, data)
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
        else:
            messages.success(request, _("L’album est créé : ajoutez-y des photos."))
            return redirect("albums:detail", album_id=album.pk)
    return render(request, "albums/new.html", {"form": form})


def album_page(request, album: Album, form: PhotosForm | None = None):
    """The album's photos with their files and, for the staff, which ones families do not see: one query for
    the photos whatever their number (the consent is a subquery)."""
    sees_all = access.sees_every_photo(request.user, album)
    manages = access.managed_albums(request.user).filter(pk=album.pk).exists()
    return render(
        request,
        "albums/detail.html",
        {
            "album": album,
            "tiles": queries.album_tiles(request.user, album, sees_all=sees_all),
            "sees_all": sees_all,
            "manages": manages,
            "form": form if form is not None else (PhotosForm() if manages else None),
        },
    )


@login_required
def detail(request, album_id: int):
    return album_page(request, access.album_or_404(request.user, album_id))


@login_required
@require_POST
def upload(request, album_id: int):
    album = access.managed_album_or_404(request.user, album_id)
    form = PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        actions.add_photos(request.user, album, form.cleaned_data["photos"])
        for refused in form.refused:
            messages.error(request, refused)
        messages.success(request, _("Les photos sont enregistrées ; leurs vignettes sont en préparation."))
        return redirect("albums:detail", album_id=album.pk)
    return album_page(request, album, form)


@login_required
@require_POST
def delete(request, album_id: int):
    album = access.managed_album_or_404(request.user, album_id)
    actions.delete_album(request.user, album)
    messages.success(request, _("L’album est supprimé."))
    return redirect("albums:index")


@login_required
def download(request, album_id: int):
    """The album's photos the requester may see, as a ZIP of the originals (only those found clean)."""
    album = access.album_or_404(request.user, album_id)
    photos = access.photos_visible_to(request.user, album).filter(original__status=StoredFile.Status.CLEAN)
    # Written to a temporary file (in memory while small), never the whole album in memory.
    archive_file = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    with zipfile.ZipFile(archive_file, "w", zipfile.ZIP_STORED) as archive:
        for photo in photos.select_related("original").order_by("pk"):
            name = f"{photo.pk:05d}-{PurePath(photo.name).name}"
            with photo.original.file.open("rb") as handle, archive.open(name, "w") as out:
                shutil.copyfileobj(handle, out, 64 * 1024)
    archive_file.seek(0)
    response = FileResponse(archive_file, as_attachment=True, filename=f"album-{album.pk}.zip")
    response["Content-Type"] = "application/zip"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def photo(request, photo_id: int):
    found = access.photo_or_404(request.user, photo_id)
    album = access.album_or_404(request.user, found.album_id)
    manages = access.managed_albums(request.user).filter(pk=album.pk).exists()
    context = {"photo": found, "album": album, "manages": manages}
    if access.sees_every_photo(request.user, album):
        context["tags"] = list(
            found.tags.select_related("pupil__image_rights_consent").order_by("pupil__last_name")
        )
    if manages:
        context["form"] = _tag_form(found, None)
    return render(request, "albums/photo.html", context)


def _tag_form(found: Photo, data) -> TagForm:
    pupils = [
        (p.pk, p.full_name) for p in access.taggable_pupils(found.album).order_by("last_name", "first_name")
    ]
    initial = {"pupils": list(found.tags.values_list("pupil_id", flat=True)), "caption": found.caption}
    return TagForm(data, pupils=pupils, initial=initial)


@login_required
def photo_file(request, photo_id: int, size: str):
    field = SIZES.get(size)
    if field is None:
        raise Http404
    found = access.photo_or_404(request.user, photo_id)
    stored = getattr(found, field)
    if stored is None:
        raise Http404
    return file_response(request, stored, found.name if field == "original" else stored.name)


@login_required
@require_POST
def tag(request, photo_id: int):
    found = access.managed_photo_or_404(request.user, photo_id)
    form = _tag_form(found, request.POST)
    if form.is_valid():
        try:
            actions.tag_photo(request.user, found, form.cleaned_data["pupils"], form.cleaned_data["caption"])
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Les élèves sur la photo sont enregistrés."))
    else:  # a pupil not offered in the form (another class): nothing written
        messages.error(request, _("Seuls les élèves de la classe de l’album peuvent y être nommés."))
    return redirect("albums:photo", photo_id=found.pk)


@login_required
@require_POST
def delete_photo(request, photo_id: int):
    found = access.managed_photo_or_404(request.user, photo_id)
    actions.delete_photo(request.user, found)
    messages.success(request, _("La photo est supprimée."))
    return redirect("albums:detail", album_id=found.album_id)


@login_required
def consents(request):
    """The image-rights answer of each pupil the user answers for: a guardian's children ("Mes données"
    links here), every pupil of the schools the user manages."""
    pupils = list(
        access.consent_pupils(request.user)
        .select_related("image_rights_consent")
        .order_by("last_name", "first_name")[:1000]
    )
    if not pupils:
        raise Http404
    return render(request, "albums/consents.html", {"pupils": pupils})


@login_required
def consent(request, person_id: int):
    pupil = access.consent_pupil_or_404(request.user, person_id)
    current = ImageRightsConsent.objects.filter(person=pupil).first()
    form = ConsentForm(request.POST or None, initial={"granted": "1" if current and current.granted else "0"})
    if request.method == "POST" and form.is_valid():
        actions.set_image_rights(request.user, pupil, form.cleaned_data["granted"])
        messages.success(request, _("Le droit à l’image est enregistré."))
        return redirect("albums:consents")
    changes = pupil_changes(pupil.pk)
    return render(
        request, "albums/consent.html", {"pupil": pupil, "form": form, "current": current, "changes": changes}
    )


def pupil_changes(pupil_id: int) -> list:
    from cartable.albums.models import ConsentChange

    return list(ConsentChange.objects.filter(pupil_id=pupil_id).select_related("recorded_by")[:20])

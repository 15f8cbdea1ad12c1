"""Images people upload to be shown in a page (a news item, a class blog post): checked with Pillow before
they are stored, and a web-size copy made in the background for the page.

The original is stored, scanned and served like any file (cartable.files). An upload that is not an image
Pillow can read, or whose size in pixels would make decoding it eat the server's memory (a "decompression
bomb": a few kilobytes of PNG that unpack to gigabytes), is refused in the form with a clear message. The
web-size copy is a new JPEG or PNG written by Pillow from the decoded pixels, stored through the same path
(in quarantine, scanned): a page shows an image inline only once its copy is clean.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cartable.directory.models import Person
from cartable.files import actions
from cartable.files.models import StoredFile

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
IMAGE_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP", "MPO"})  # MPO: the JPEG of many phones
# 50 megapixels: the largest phone photos. Beyond, decoding takes hundreds of megabytes.
MAX_PIXELS = 50_000_000
WEB_SIZE = 1280  # the longest side of the copy shown in pages
THUMB_SIZE = 320  # the longest side of a thumbnail (a photo album's grid)


def check_image(upload: UploadedFile[bytes]) -> None:
    """Refuse (ValidationError) what is not a readable image of a sensible size. Reads the whole image once,
    at a reduced scale for JPEG (Pillow's draft mode), so that a truncated file is caught here."""
    name = upload.name or ""
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_large(name, width, height)
                if image.format not in IMAGE_FORMATS:
                    raise forms.ValidationError(_not_an_image(name))
                if image.format in ("JPEG", "MPO"):
                    _check_jpeg_end(upload)
                    image.draft("RGB", (WEB_SIZE, WEB_SIZE))
                    image.load()
                else:
                    image.verify()  # PNG: every chunk's checksum, up to the end
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise forms.ValidationError(
            _("« %(name)s » est une image bien trop grande en pixels pour être affichée.") % {"name": name}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise forms.ValidationError(_not_an_image(name)) from None
    finally:
        upload.seek(0)


def _check_jpeg_end(upload: UploadedFile[bytes]) -> None:
    """A JPEG cut short (an upload interrupted, a damaged card) lacks its end marker. Pillow would decode it
    anyway, grey where the data stops: WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process
    when it is imported, so the marker is looked for here."""
    size = upload.size or 0
    upload.seek(max(0, size - 4096))
    if b"\xff\xd9" not in upload.read():
        raise OSError("truncated JPEG")
    upload.seek(0)


def _not_an_image(name: str) -> str:
    return _(
        "« %(name)s » n’est pas une image lisible (fichier abîmé ou d’un autre type) : choisissez une "
        "photo JPEG, PNG, GIF ou WebP."
    ) % {"name": name}


def _too_large(name: str, width: int, height: int) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "« %(name)s » est trop grande (%(width)d × %(height)d pixels) : réduisez-la à %(most)d "
            "mégapixels au plus."
        )
        % {"name": name, "width": width, "height": height, "most": MAX_PIXELS // 1_000_000}
    )


def is_image_name(name: str) -> bool:
    return PurePath(name or "").suffix.lower().lstrip(".") in IMAGE_EXTENSIONS


def web_copy(stored: StoredFile, owner: Person | None) -> StoredFile | None:
    """A copy of `stored` at most WEB_SIZE pixels on its longest side, stored (in quarantine) through
    cartable.files; None when the original cannot be read any more. Called by the background worker, inside
    the caller's action."""
    return resized_copy(stored, owner, WEB_SIZE, "web")


def thumbnail_copy(stored: StoredFile, owner: Person | None) -> StoredFile | None:
    """The same at THUMB_SIZE: what a grid of photos shows."""
    return resized_copy(stored, owner, THUMB_SIZE, "vignette")


def resized_copy(stored: StoredFile, owner: Person | None, size: int, suffix: str) -> StoredFile | None:
    """A copy of `stored` at most `size` pixels on its longest side, named `<stem>-<suffix>.jpg|png`."""
    if not stored.file.name:
        return None
    try:
        with stored.file.open("rb") as handle, Image.open(handle) as image:
            if image.size[0] * image.size[1] > MAX_PIXELS:
                return None
            image.draft("RGB", (size, size))
            copy = ImageOps.exif_transpose(image)  # phones store photos sideways with a rotation tag
            copy.thumbnail((size, size))
            keep_png = image.format in ("PNG", "GIF") and copy.mode in ("RGBA", "LA", "P")
            out = io.BytesIO()
            if keep_png:
                copy.save(out, "PNG", optimize=True)
            else:
                copy.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    stem = PurePath(stored.name).stem or "image"
    name = f"{stem}-{suffix}.{'png' if keep_png else 'jpg'}"
    return actions.store_upload(
        ContentFile(out.getvalue(), name=name), owner=owner, school_id=stored.school_id, name=name
    )

"""Background work of the albums: a photo's thumbnail and web copy, made by the worker once the photo is
saved (Pillow decodes the whole image: not in the request)."""

from django.tasks import task


@task()
def make_copies(photo_id: int) -> bool:
    from cartable.albums.actions import make_copies as make

    return make(photo_id)

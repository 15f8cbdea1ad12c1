"""Background work of the class blog: the web-size copies of a post's images (Pillow decodes each whole
image: not in the request)."""

from django.tasks import task


@task()
def make_web_images(post_id: int) -> int:
    from cartable.blog.actions import make_web_images as make

    return make(post_id)

"""Background work of the news: the web-size copy of an image, made by the worker once the news item is
saved (Pillow decodes the whole image: not in the request); telling a news item's audience of its
publication, at its publication date."""

from django.tasks import task


@task()
def make_web_image(news_id: int) -> bool:
    from cartable.news.actions import make_web_image as make

    return make(news_id)


@task()
def notify_publication(news_id: int) -> bool:
    from cartable.news.actions import notify_publication as notify

    return notify(news_id)

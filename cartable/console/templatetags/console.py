from django import template
from django.urls import reverse

from cartable.directory.models import Function
from cartable.portal.registry import registry

register = template.Library()


@register.filter
def function_labels(codes) -> str:
    """Function codes stored on a membership, as the words an admin reads ("Direction, Vie scolaire")."""
    labels = dict(Function.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])


@register.simple_tag
def console_links(school) -> list[tuple[str, str]]:
    """The menu entries other apps add to a school's console (imports, communication rules…): (URL, name)."""
    return [
        (reverse(link.url_name, args=[school.uai]), str(link.name))
        for link in registry.sorted_console_links()
    ]

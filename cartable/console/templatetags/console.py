from django import template

from cartable.directory.models import Function

register = template.Library()


@register.filter
def function_labels(codes) -> str:
    """Function codes stored on a membership, as the words an admin reads ("Direction, Vie scolaire")."""
    labels = dict(Function.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])

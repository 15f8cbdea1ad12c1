"""`{% load timetable_text %}` then `{{ lesson.room|room_label }}`: a room as every page names it."""

from django import template

from cartable.timetable.text import room_label as _room_label

register = template.Library()


@register.filter
def room_label(name: str | None) -> str:
    return _room_label(name)

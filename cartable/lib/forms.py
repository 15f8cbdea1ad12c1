"""How every form of Cartable renders its fields (settings.FORM_RENDERER).

After a failed submit the keyboard must land on the first error, also without JavaScript: the first field in
error gets `autofocus` and no other field of the form keeps one (the login form's username, for example, asks
for it when the page is new). cartable.js does the same after htmx swaps and for errors of no one field.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

_NOT_COMPUTED = object()


def first_invalid_field(form: forms.BaseForm) -> str | None:
    """The name of the first visible field, in the form's order, that has an error (None if there is none)."""
    memo = form.__dict__.get("_first_invalid_field", _NOT_COMPUTED)
    if memo is not _NOT_COMPUTED:
        return cast("str | None", memo)
    found = None
    if form.is_bound:
        errors = form.errors
        visible = (name for name, field in form.fields.items() if not field.widget.is_hidden)
        found = next((name for name in visible if name in errors), None)
    form.__dict__["_first_invalid_field"] = found
    return found


def _is_option_list(widget: forms.Widget) -> bool:
    """Radios and checkbox lists: each option is an input of its own, and all share the field's attributes."""
    return isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


class BoundField(forms.BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        first = first_invalid_field(self.form)
        if first is not None:
            # False is left out of the rendered attributes: it also removes an autofocus set on the widget.
            attrs["autofocus"] = self.name == first and not _is_option_list(widget or self.field.widget)
        return attrs

    def as_widget(
        self,
        widget: forms.Widget | None = None,
        attrs: dict[str, Any] | None = None,
        only_initial: bool = False,
    ) -> SafeString:
        rendered = super().as_widget(widget, attrs, only_initial)
        if self.name == first_invalid_field(self.form) and _is_option_list(widget or self.field.widget):
            # Only the first option asks for the focus: one element per page should.
            rendered = mark_safe(rendered.replace("<input ", "<input autofocus ", 1))  # noqa: S308
        return rendered


class FormRenderer(DjangoTemplates):
    bound_field_class = BoundField

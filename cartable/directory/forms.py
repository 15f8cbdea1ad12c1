from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Group
from cartable.directory.ordering import in_school_order


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom ou prénom"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SchoolOrderIterator(ModelChoiceIterator):
    """A class picker's choices in school order (cartable.directory.ordering), whatever the queryset's."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group in in_school_order(self.queryset):
            yield self.choice(group)


class ClassChoiceField(forms.ModelChoiceField):
    """A class of the school, listed in school order (PS … CM2, 6e … Tle, then the others) by its name."""

    iterator = SchoolOrderIterator

    def label_from_instance(self, obj: Group) -> str:
        return obj.name

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import render

from cartable.access import policy
from cartable.directory import access
from cartable.directory.forms import SearchForm
from cartable.directory.models import Guardianship, Person
from cartable.directory.queries import with_directory_facts

PAGE_SIZE = 25


def matching(people: QuerySet[Person], text: str) -> QuerySet[Person]:
    """Every word of `text` must appear in the first or the last name."""
    for word in text.split():
        people = people.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    return people


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    people = matching(access.people_visible_to(request.user), text).order_by("last_name", "first_name", "pk")
    page = Paginator(with_directory_facts(people), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(person, *access.shown_facts(request.user, person)) for person in page.object_list]
    return render(request, "directory/search.html", {"form": form, "page": page, "rows": rows, "text": text})


@login_required
def person(request, person_id: int):
    person = access.person_or_404(request.user, person_id)
    memberships, classes = access.shown_facts(request.user, person)
    private = access.can_see_private_details(request.user, person, memberships)
    show_family = private or policy.teaches(request.user, person)
    context = {
        "person": person,
        "memberships": memberships,
        "classes": classes,
        "private": private,
        "guardians": access.family_links(
            request.user, Guardianship.objects.filter(student=person), "relative"
        )
        if show_family
        else [],
        "children": access.family_links(request.user, Guardianship.objects.filter(relative=person), "student")
        if private
        else [],
        "is_self": policy.is_self(request.user, person),
    }
    return render(request, "directory/person.html", context)

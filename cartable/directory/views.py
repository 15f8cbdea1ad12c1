from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, render

from cartable.access import policy
from cartable.directory.forms import SearchForm
from cartable.directory.models import Group, Guardianship, Membership, Person
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
    people = matching(policy.people_visible_to(request.user), text).order_by("last_name", "first_name", "pk")
    page = Paginator(with_directory_facts(people), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(person, *shown_facts(request.user, person)) for person in page.object_list]
    return render(request, "directory/search.html", {"form": form, "page": page, "rows": rows, "text": text})


def shown_facts(user, person: Person) -> tuple[list[Membership], list[Group]]:
    """The person's memberships and classes of this year that `user` may be told of: those of the schools
    they share, unless they see everything of the person (policy.schools_shown). Prefetched by
    with_directory_facts: no query."""
    memberships = policy.shown_in_schools(user, person, person.memberships.all(), lambda m: m.school_id)
    classes = policy.shown_in_schools(
        user,
        person,
        [e.group for e in person.class_enrolments],  # type: ignore[attr-defined]
        lambda group: group.school_id,
    )
    return memberships, classes


def sees_private_details(user, person: Person, memberships: list[Membership]) -> bool:
    """Birth date and email: the person, their guardians, school-wide staff and admins of their schools."""
    if policy.is_self(user, person) or policy.is_guardian_of(user, person) or policy.is_platform_admin(user):
        return True
    return any(
        policy.school_wide_staff_of(user, m.school_id) or policy.admin_of(user, m.school_id)
        for m in memberships
    )


def person_page(request, person_id: int):
    # Looked up among the people this user may see: anyone else is a 404, not a 403 (house rule 3).
    person = get_object_or_404(
        with_directory_facts(policy.people_visible_to(request.user)).select_related("user"), pk=person_id
    )
    memberships, classes = shown_facts(request.user, person)
    private = sees_private_details(request.user, person, memberships)
    show_family = private or policy.teaches(request.user, person)
    context = {
        "person": person,
        "memberships": memberships,
        "classes": classes,
        "private": private,
        "guardians": family_links(request.user, Guardianship.objects.filter(student=person), "relative")
        if show_family
        else [],
        "children": family_links(request.user, Guardianship.objects.filter(relative=person), "student")
        if private
        else [],
        "is_self": policy.is_self(request.user, person),
    }
    return render(request, "directory/person.html", context)


def family_links(user, links: QuerySet[Guardianship], side: str) -> list[Guardianship]:
    """Legal guardianships of the person, keeping only the relatives (or children) `user` may open."""
    links = links.filter(legal_guardian=True, **{f"{side}__in": policy.people_visible_to(user)})
    return list(links.select_related(side).order_by(f"{side}__first_name"))


@login_required
def person(request, person_id: int):
    return person_page(request, person_id)

"""Addresses from url_for are those reverse() gives."""

import pytest
from django.urls import NoReverseMatch, reverse

from cartable.lib.urls import url_for


def test_the_same_address_as_reverse():
    assert url_for("directory:person", 42) == reverse("directory:person", args=[42])
    assert url_for("directory:person", 7) == reverse("directory:person", args=[7])
    assert url_for("portal:home") == reverse("portal:home")


def test_an_unknown_route_still_fails_loudly():
    with pytest.raises(NoReverseMatch):
        url_for("directory:nowhere", 1)


def test_only_whole_numbers_are_accepted():
    with pytest.raises(ValueError):
        url_for("directory:person", "../admin")  # type: ignore[arg-type]

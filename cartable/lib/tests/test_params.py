"""The one parser of ids and dates typed into addresses, query strings and forms."""

import datetime as dt

import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from cartable.lib.params import (
    MAX_ID,
    date_or_404,
    date_window,
    int_or_404,
    local_url,
    optional_int_or_404,
    parse_date,
    parse_int,
    valid_ints,
)

NOT_IDS = [
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # int() reads an Arabic-Indic three as 3
    "１２",  # noqa: RUF001 (full-width digits on purpose, also read by int())
    "9" * 4301,  # beyond what int() accepts
    "1" * 20,
    str(MAX_ID + 1),
    str(2**64),
    "0",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1_000",
    "1.0",
    "",
    None,
    True,
    0,
    -5,
    2**63,
    ["1"],
]


@pytest.mark.parametrize("value", NOT_IDS)
def test_what_is_not_an_id_is_none_or_404(value):
    assert parse_int(value) is None
    with pytest.raises(Http404):
        int_or_404(value)


def test_ids_are_read_from_1_to_the_largest_bigint():
    assert parse_int("1") == 1
    assert parse_int("007") == 7
    assert parse_int(str(MAX_ID)) == MAX_ID
    assert parse_int(42) == 42
    assert int_or_404("12") == 12


def test_the_length_is_checked_before_int_reads_it():
    read = []

    class Digits(str):
        def __int__(self):  # int() of a str subclass asks here first
            read.append(len(self))
            return 1

    assert parse_int(Digits("9" * 5000)) is None
    assert read == []
    assert parse_int(Digits("12")) == 1 and read == [2]


@given(st.text(max_size=30))
def test_any_text_gives_an_id_in_range_or_none(text):
    number = parse_int(text)
    assert number is None or (1 <= number <= MAX_ID and text.isascii())


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_reads_back(number):
    assert parse_int(str(number)) == number


def test_optional_and_list_variants():
    assert optional_int_or_404(None) is None
    assert optional_int_or_404("") is None
    assert optional_int_or_404("3") == 3
    with pytest.raises(Http404):
        optional_int_or_404("²")
    assert valid_ints(["3", "²", "99999999999999999999", "1", "3"]) == [3, 1]


def test_the_date_window_is_five_school_years_around_the_current_one():
    assert date_window(dt.date(2026, 12, 3)) == (dt.date(2021, 1, 1), dt.date(2032, 12, 31))
    # Before September the current school year is the one that began the year before.
    assert date_window(dt.date(2027, 6, 30)) == (dt.date(2021, 1, 1), dt.date(2032, 12, 31))
    assert date_window(dt.date(2027, 9, 1)) == (dt.date(2022, 1, 1), dt.date(2033, 12, 31))


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "1990-01-01",
        "2060-01-01",
        "2026-02-30",
        "2026-1-1",
        "١٢٣٤-٠١-٠١",  # noqa: RUF001 (digits of other scripts, refused on purpose)
        "31/12/2026",
        "",
        None,
        20261203,
    ],
)
def test_dates_out_of_the_window_or_malformed_are_refused(value):
    assert parse_date(value) is None
    with pytest.raises(Http404):
        date_or_404(value)


def test_dates_in_the_window_are_read():
    first, last = date_window()
    assert parse_date(first.isoformat()) == first
    assert parse_date(last.isoformat()) == last
    assert date_or_404("2026-11-16") == dt.date(2026, 11, 16)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/messagerie/", "/messagerie/"),
        ("/cahier-de-textes/a-faire?enfant=3", "/cahier-de-textes/a-faire?enfant=3"),
        ("²", "/"),  # redirect() would take a bare word for a route name and fail
        ("messaging:inbox", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_is_a_path_of_this_site(value, expected):
    assert local_url(value, "/") == expected


@pytest.mark.django_db
def test_a_nul_byte_anywhere_in_a_request_answers_400(client, world):
    world.login(client, "alice")
    assert client.get("/messagerie/ecrire/personnes", {"q": "mar"}).status_code == 200
    # On PostgreSQL this search failed with a server error: text there cannot hold a NUL byte.
    assert client.get("/messagerie/ecrire/personnes", {"q": "mar\x00"}).status_code == 400
    assert client.get("/messagerie/", {"page\x00": "1"}).status_code == 400
    assert client.post("/messagerie/ecrire", {"intent": "find", "q": "\x00"}).status_code == 400
    assert client.get("/messagerie/%00").status_code == 400

"""People imported from a feed are ready for their activation letters: the ADML prints them per class."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cartable.accounts import actions as accounts
from cartable.accounts.models import User
from cartable.directory.models import Group
from cartable.feeds.aaf_import import import_aaf

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def pages_of(response) -> list[str]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def page_of(pages: list[str], login: str) -> str:
    matching = [p for p in pages if login in p]
    assert len(matching) == 1, login
    return matching[0]


def code_on(page: str) -> str:
    found = CODE.search(page)
    assert found, page
    return found.group(0)


HEADER = '<?xml version="1.0" encoding="ISO-8859-15"?>\r\n<ficAlimMENESR>\r\n'


def add(category: str, ident: str, **attrs: list[str]) -> str:
    body = "".join(
        f'<attr name="{name}">' + "".join(f"<value>{v}</value>" for v in values) + "</attr>\r\n"
        for name, values in {"ENTPersonJointure": [ident], **attrs}.items()
    )
    return (
        f'<addRequest><operationalAttributes><attr name="categoriePersonne"><value>{category}</value></attr>'
        f"</operationalAttributes><identifier><id>{ident}</id></identifier>\r\n"
        f"<attributes>\r\n{body}</attributes></addRequest>\r\n"
    )


def write(directory: Path, family: str, *records: str) -> None:
    text = HEADER + "".join(records) + "</ficAlimMENESR>\r\n"
    (directory / f"ENT_Delta_20261015_{family}_0000.xml").write_bytes(text.encode("iso-8859-15"))


@pytest.fixture
def imported_class(world, tmp_path):
    """A class of school A arriving from the académie's feed: two pupils, a guardian, a non-legal contact."""
    uai = world.school_a.uai
    write(
        tmp_path,
        "PersRelEleve",
        add("PersRelEleve", "RX1", sn=["LEFÈVRE"], givenName=["Hélène"]),
        add("PersRelEleve", "RX2", sn=["LEFÈVRE"], givenName=["Mamie"]),
    )
    write(
        tmp_path,
        "Eleve",
        *(
            add(
                "Eleve",
                key,
                sn=["LEFÈVRE"],
                givenName=[first],
                ENTPersonDateNaissance=["02/05/2015"],
                ENTPersonStructRattach=[uai],
                ENTEleveClasses=[f"{uai}$6D"],
                ENTElevePersRelEleve=["RX1$10$1$1$1$0", "RX2$50$0$0$1$0"],
            )
            for key, first in (("EX1", "Noé"), ("EX2", "Inès"))
        ),
    )
    report = import_aaf(tmp_path, delta=True)
    assert report.rejections == []
    return Group.objects.get(school=world.school_a, name="6D")


def test_imported_accounts_wait_for_their_letter(imported_class):
    users = User.objects.filter(person__aaf_jointure__in=["EX1", "EX2", "RX1", "RX2"])
    assert users.count() == 4
    for user in users:
        assert user.is_active and not user.is_activated and not user.has_usable_password()


def test_the_adml_prints_the_letters_of_an_imported_class(world, client, imported_class):
    world.login(client, "ada")
    letters_url = reverse("console:letters", args=[world.school_a.uai])
    assert "6D" in client.get(letters_url).content.decode()

    pages = pages_of(client.post(letters_url, {"classe": imported_class.pk}))

    # Both pupils and their legal guardian (once, naming both children); the non-legal contact gets none.
    assert len(pages) == 3
    helene = page_of(pages, "helene.lefevre")
    assert "Noé LEFÈVRE" in helene and "Inès LEFÈVRE" in helene
    assert not any("mamie.lefevre" in p for p in pages)
    for login in ("noe.lefevre", "ines.lefevre", "helene.lefevre"):
        user = User.objects.get(username=login)
        assert accounts.check_activation_code(user, code_on(page_of(pages, login)))


def test_an_adml_of_another_school_cannot_print_them(world, client, imported_class):
    world.login(client, "bruno")
    response = client.post(
        reverse("console:letters", args=[world.school_a.uai]), {"classe": imported_class.pk}
    )
    assert response.status_code in (403, 404)
    assert not User.objects.filter(person__aaf_jointure="EX1").exclude(activation_code_hash="").exists()

"""French is the source language and the English translation is kept complete (house rule 8).

Each app has its catalogue in cartable/<app>/locale/en; the project's templates and settings have theirs in
cartable/locale/en. When one of these tests fails, run `make messages`, translate what is new or fuzzy in the
.po files it names, run `make messages` again (it compiles the .mo files) and commit the .po and .mo files
together.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
CARTABLE = ROOT / "cartable"
APPS = sorted(path.parent for path in CARTABLE.glob("*/apps.py"))
# Project-level strings: cartable/templates, cartable/settings.py, cartable/lib (everything but the apps).
CATALOGUES = [CARTABLE, *APPS]
FIX = "Run `make messages`, translate what is new or fuzzy in the .po file, then run `make messages` again."

GETTEXT_CALL = re.compile(r"\b(?:_|gettext(?:_lazy|_noop)?|ngettext(?:_lazy)?|n?pgettext(?:_lazy)?)\(")
TEMPLATE_TAG = re.compile(r"{%\s*(?:translate|trans|blocktranslate|blocktrans)\b")


def po_path(folder: Path) -> Path:
    return folder / "locale" / "en" / "LC_MESSAGES" / "django.po"


def label(folder: Path) -> str:
    return str(po_path(folder).relative_to(ROOT))


def require(*programs: str) -> None:
    """These checks need GNU gettext: skipped where it is missing, but never in CI."""
    missing = [program for program in programs if shutil.which(program) is None]
    if missing:
        message = f"GNU gettext is not installed ({', '.join(missing)} missing): apt install gettext"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def unquote(text: str) -> str:
    body = text.strip()[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file (header excluded, obsolete entries skipped): msgctxt, msgid, msgid_plural,
    msgstr (a list, one per plural form) and fuzzy."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "fuzzy": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["fuzzy"] = "fuzzy" in line
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
            if match:
                key = match.group(2) or match.group(1)
                text = unquote(match.group(3))
            else:
                text = unquote(line)
            if key in ("msgctxt", "msgid", "msgid_plural"):
                entry[key] = (entry[key] or "") + text
            else:
                entry["msgstr"][key] = entry["msgstr"].get(key, "") + text
        if entry["msgid"]:
            entry["msgstr"] = [entry["msgstr"][k] for k in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


def msgids(path: Path) -> set[tuple[str | None, str]]:
    return {(entry["msgctxt"], entry["msgid"]) for entry in read_po(path)}


def has_strings(folder: Path) -> bool:
    if (folder / "templates").is_dir():
        return True
    sources = (
        path.read_text(encoding="utf-8")
        for path in folder.rglob("*")
        if path.suffix in (".py", ".html", ".txt") and "tests" not in path.relative_to(folder).parts
    )
    return any(GETTEXT_CALL.search(text) or TEMPLATE_TAG.search(text) for text in sources)


def test_every_app_with_strings_has_an_english_catalogue():
    folders = [path for path in CARTABLE.iterdir() if path.is_dir() and (path / "__init__.py").exists()]
    missing = [
        str(path.relative_to(ROOT))
        for path in folders
        if path.name != "lib" and has_strings(path) and not po_path(path).exists()
    ]
    assert not missing, f"No English catalogue (locale/en) for: {', '.join(missing)}. {FIX}"
    assert po_path(CARTABLE).exists(), f"{label(CARTABLE)} is missing. {FIX}"


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda folder: folder.name)
def test_the_catalogue_is_complete_and_compiles(folder):
    require("msgfmt")
    path = po_path(folder)
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, f"{label(folder)} does not compile:\n{result.stderr}"
    entries = read_po(path)
    untranslated = [entry["msgid"] for entry in entries if not all(entry["msgstr"])]
    fuzzy = [entry["msgid"] for entry in entries if entry["fuzzy"]]
    listed = [f"  untranslated: {msgid!r}" for msgid in untranslated]
    listed += [f"  fuzzy: {msgid!r}" for msgid in fuzzy]
    summary = f"{label(folder)}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy. {FIX}"
    assert not listed, summary + "\n" + "\n".join(listed)
    # msgfmt's own count, in case the file holds something the reader above does not understand.
    statistics = result.stderr.splitlines()[-1]
    assert "untranslated" not in statistics, f"{label(folder)}: {statistics}. {FIX}"
    assert "fuzzy" not in statistics, f"{label(folder)}: {statistics}. {FIX}"


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda folder: folder.name)
def test_the_committed_mo_is_compiled_from_the_po(folder, tmp_path):
    require("msgfmt")
    path = po_path(folder)
    compiled = tmp_path / "django.mo"
    # The command compilemessages runs; msgfmt's output depends only on the .po.
    command = ["msgfmt", "--check-format", "-o", str(compiled), str(path)]
    subprocess.run(command, check=True, capture_output=True)
    committed = path.with_suffix(".mo")
    assert committed.exists(), f"{committed.relative_to(ROOT)} is missing. {FIX}"
    assert committed.read_bytes() == compiled.read_bytes(), (
        f"{committed.relative_to(ROOT)} is not compiled from the current .po. {FIX}"
    )


def copy_sources(folder: Path, destination: Path) -> Path:
    """A copy of what `make messages` reads for this catalogue, with an empty locale folder."""
    if folder == CARTABLE:
        skipped_here = {app.name for app in APPS} | {"static", "locale"}

        def ignore(directory, names):
            skipped = skipped_here if Path(directory) == CARTABLE else set()
            return {name for name in names if name in skipped or name in ("__pycache__", "locale")}
    else:
        ignore = shutil.ignore_patterns("__pycache__", "locale", "tests", "static")
    copy = destination / folder.name
    shutil.copytree(folder, copy, ignore=ignore)
    (copy / "locale" / "en").mkdir(parents=True)
    return copy


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda folder: folder.name)
def test_the_catalogue_holds_every_string_of_the_source(folder, tmp_path, monkeypatch):
    require("xgettext", "msgmerge", "msguniq")
    copy = copy_sources(folder, tmp_path)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    in_source = msgids(po_path(copy))
    in_catalogue = msgids(po_path(folder))
    missing = sorted(in_source - in_catalogue, key=lambda key: key[1])
    assert not missing, f"{label(folder)} lacks {len(missing)} string(s) of the source. {FIX}\n" + "\n".join(
        f"  {msgid!r}" for _context, msgid in missing
    )


# What a visitor who chose English sees.


def english_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    assert '<html lang="en">' in text, url
    return text


def assert_english(page: str, english: list[str], french: list[str], url: str) -> None:
    for phrase in english:
        assert phrase in page, f"{url}: {phrase!r} not found"
    for phrase in french:
        assert phrase not in page, f"{url}: {phrase!r} is still in French"


def test_a_user_who_chose_english_gets_english_pages(world, client):
    alice = world.users["alice"]
    alice.language = "en"
    alice.save()
    world.login(client, "alice")
    pages = {
        "/": (
            ["My apps", "Log out", "Terms of use", "Hello"],
            ["Mes applications", "Se déconnecter", "Bonjour"],
        ),
        "/me": (
            ["Identity and account", "Ask for a correction", "My guardians", "legal guardian"],
            ["Identité et compte", "Demander une correction", "responsable légal"],
        ),
        "/preferences": (["Interface language", "Account security", "Save"], ["Langue de l", "Enregistrer"]),
        "/auth/sessions": (
            ["My account security", "Log me out of all my sessions", "Two-factor authentication"],
            ["Sécurité de mon compte", "Double authentification"],
        ),
    }
    for url, (english, french) in pages.items():
        assert_english(english_page(client, url), english, french, url)


def test_an_anonymous_visitor_with_the_language_cookie_gets_english_pages(world, client):
    from cartable.directory.demo import CHARTER_BODY, CHARTER_TITLE

    world.charter.title, world.charter.body = CHARTER_TITLE, CHARTER_BODY
    world.charter.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "/auth/login": (
            ["Log in to Cartable", "Forgotten your password?", "Activate your account"],
            ["Connexion à Cartable", "Mot de passe oublié", "Se connecter"],
        ),
        "/charte": (
            ["Terms of use of the Cartable digital workspace", "published on", "2. My account is personal"],
            ["Charte d&#x27;utilisation de l&#x27;espace", "publiée le", "Mon compte est personnel"],
        ),
        "/informations": (
            ["Your personal data in Cartable", "digital workspace (ENT)", "data controller", "www.cnil.fr"],
            ["Vos données personnelles", "responsable du traitement", "Combien de temps"],
        ),
    }
    for url, (english, french) in pages.items():
        assert_english(english_page(client, url), english, french, url)


# French plurals: the source strings are French, so only the plural ones need a French catalogue.


def plural_entries(path: Path) -> dict[tuple[str | None, str], dict]:
    return {(e["msgctxt"], e["msgid"]): e for e in read_po(path) if e["msgid_plural"] is not None}


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda folder: folder.name)
def test_the_french_catalogue_holds_every_plural_string_under_the_french_rule(folder, tmp_path):
    """Without it ngettext falls back to the English rule: « 0 familles sur 1 » instead of « 0 famille »."""
    require("msgfmt")
    french = folder / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert french.exists(), f"{french.relative_to(ROOT)} is missing. {FIX}"
    assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in french.read_text(encoding="utf-8")
    english, ours = plural_entries(po_path(folder)), plural_entries(french)
    assert set(ours) == set(english), f"{french.relative_to(ROOT)} is not up to date. {FIX}"
    for entry in ours.values():
        assert entry["msgstr"] == [entry["msgid"], entry["msgid_plural"]], entry["msgid"]
        assert not entry["fuzzy"], entry["msgid"]
    assert all(entry["msgid_plural"] for entry in read_po(french)), "plural strings only"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(french)], check=True)
    committed = french.with_suffix(".mo")
    assert committed.exists() and committed.read_bytes() == compiled.read_bytes(), f"{committed}: {FIX}"


def test_french_plurals_take_the_singular_for_0_and_1_and_english_ones_for_1_only():
    from django.utils import translation
    from django.utils.translation import ngettext

    singular = "%(done)s famille sur %(total)s a signé ou répondu."
    plural = "%(done)s familles sur %(total)s ont signé ou répondu."
    with translation.override("fr"):
        said = {n: ngettext(singular, plural, n) % {"done": n, "total": 3} for n in (0, 1, 2)}
    assert said == {
        0: "0 famille sur 3 a signé ou répondu.",
        1: "1 famille sur 3 a signé ou répondu.",
        2: "2 familles sur 3 ont signé ou répondu.",
    }
    with translation.override("en"):
        said = ngettext(singular, plural, 0) % {"done": 0, "total": 3}
    assert said == "0 families out of 3 have signed or replied."

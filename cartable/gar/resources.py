"""A person's resources, asked of the GAR's "liste des ressources" web service.

The GAR answers, for one person (their IDO) in one school (its UAI), the resources assigned to them: digital
textbooks, dictionaries, press… Cartable asks at `GET <GAR_RESOURCES_URL>/ressources/<idENT>/<UAI>/<IDO>`
(idENT: the ENT's code given by the GAR, GAR_SOURCE) over mutual TLS: Cartable shows the certificate and key
the GAR gave the ENT (GAR_CLIENT_CERT, GAR_CLIENT_KEY) and checks the GAR's certificate against GAR_CA_FILE
(or the system's authorities). The answer is JSON, gzip'd when asked:

    {"listeRessources": {"ressource": [{"idRessource": "ark:/…", "nomRessource": "…", "nomEditeur": "…",
      "urlVignette": "https://…", "urlAccesRessource": "https://…", "typePresentation": {"code": "MAN",
      "nom": "manuels numériques"}, "typologieDocument": [{"uri": "…", "nom": "livre numérique"}], …}]}}

and an error as {"Erreur": {"Message": "…"}} with a status other than 200. Opening `urlAccesRessource` starts
the GAR's own login through the ENT (SAML): Cartable only lists.

Each list is kept GAR_RESOURCES_CACHE_SECONDS in the shared cache per school and person, so that the page is
fast and the GAR is asked at most once in that time; a GAR that does not answer is asked again after
FAILURE_SECONDS at most, and the page says so instead of failing."""

from __future__ import annotations

import gzip
import http.client
import json
import logging
import ssl
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

MAX_BYTES = 5_000_000  # a few thousand resources; anything larger is not the GAR's answer
FAILURE_SECONDS = 30


def fold(text: str) -> str:
    """Lower case without accents: « Éditions » is found by typing « editions »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_words(query: str) -> list[str]:
    return fold(query).split()[:10]


class Unavailable(Exception):
    """The GAR did not give the list (down, refused, or answered something else than its JSON)."""


@dataclass(frozen=True)
class Resource:
    key: str  # idRessource
    name: str
    url: str  # urlAccesRessource
    thumbnail: str  # urlVignette, https only, else ""
    editor: str
    type_code: str
    type_name: str
    kinds: tuple[str, ...]  # typologieDocument's names

    def matches(self, words: list[str]) -> bool:
        text = fold(" ".join((self.name, self.editor, self.type_name, *self.kinds)))
        return all(word in text for word in words)


def is_configured() -> bool:
    return bool(settings.GAR_RESOURCES_URL)


def ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.GAR_CA_FILE or None)
    context.load_cert_chain(settings.GAR_CLIENT_CERT, settings.GAR_CLIENT_KEY)
    return context


def path_for(ido: str, uai: str) -> str:
    base = urlsplit(settings.GAR_RESOURCES_URL).path.rstrip("/")
    parts = (settings.GAR_SOURCE, uai, ido)
    return f"{base}/ressources/" + "/".join(quote(part, safe="") for part in parts)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _https(value: Any) -> str:
    url = _text(value)
    return url if url.lower().startswith("https://") else ""


def _row(item: Any) -> tuple[Any, ...] | None:
    """One resource as built-in values (what the cache keeps); None when it lacks an id, a name or an
    address that a browser may open."""
    if not isinstance(item, dict):
        return None
    key, name = _text(item.get("idRessource")), _text(item.get("nomRessource"))
    url = _text(item.get("urlAccesRessource"))
    if not key or not name or not url.lower().startswith(("https://", "http://")):
        return None
    presentation = item.get("typePresentation")
    presentation = presentation if isinstance(presentation, dict) else {}
    kinds = item.get("typologieDocument")
    kinds = kinds if isinstance(kinds, list) else []
    return (
        key,
        name,
        url,
        _https(item.get("urlVignette")),
        _text(item.get("nomEditeur")),
        _text(presentation.get("code")),
        _text(presentation.get("nom")),
        tuple(_text(kind.get("nom")) for kind in kinds if isinstance(kind, dict) and _text(kind.get("nom"))),
    )


def parse(body: bytes) -> list[tuple[Any, ...]]:
    try:
        data = json.loads(body)
        items = data["listeRessources"]["ressource"]
    except (ValueError, KeyError, TypeError) as error:
        raise Unavailable(f"not the GAR's list: {error}") from error
    if not isinstance(items, list):
        raise Unavailable("not the GAR's list: 'ressource' is no list")
    rows = [row for row in map(_row, items) if row is not None]
    return sorted(rows, key=lambda row: row[1].casefold())


def fetch(ido: str, uai: str) -> list[tuple[Any, ...]]:
    """Ask the GAR now (no cache). Raises Unavailable."""
    address = urlsplit(settings.GAR_RESOURCES_URL)
    try:
        connection = http.client.HTTPSConnection(
            address.hostname or "",
            address.port or 443,
            context=ssl_context(),
            timeout=settings.GAR_RESOURCES_TIMEOUT,
        )
        try:
            connection.request(
                "GET",
                path_for(ido, uai),
                headers={
                    "Accept": "application/json",
                    "Accept-Encoding": "gzip",
                    "Cache-Control": "no-cache",
                },
            )
            response = connection.getresponse()
            body = response.read(MAX_BYTES + 1)
            status, encoding = response.status, response.getheader("Content-Encoding", "")
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        raise Unavailable(f"the GAR did not answer: {error}") from error
    if len(body) > MAX_BYTES:
        raise Unavailable("the GAR's answer is too large")
    if encoding.lower() == "gzip":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as error:
            raise Unavailable(f"the GAR's answer is no gzip: {error}") from error
    if status != 200:
        raise Unavailable(f"the GAR answered {status}: {body[:300]!r}")
    return parse(body)


def _cache_key(ido: str, uai: str) -> str:
    return f"gar:resources:{uai}:{ido}"


def resources_for(ido: str, uai: str) -> list[Resource]:
    """The person's resources in this school, from the cache or the GAR. Raises Unavailable (remembered
    FAILURE_SECONDS, so that a GAR down does not slow every page down by its timeout)."""
    key = _cache_key(ido, uai)
    seconds = settings.GAR_RESOURCES_CACHE_SECONDS
    kept = cache.get(key) if seconds else None
    if kept is None:
        try:
            kept = ("ok", fetch(ido, uai))
        except Unavailable as error:
            logger.warning("GAR resources of %s in %s: %s", ido, uai, error)
            kept = ("down", str(error))
        if seconds:
            cache.set(key, kept, seconds if kept[0] == "ok" else min(seconds, FAILURE_SECONDS))
    if kept[0] != "ok":
        raise Unavailable(kept[1])
    return [Resource(*row) for row in kept[1]]


def forget(ido: str, uai: str) -> None:
    cache.delete(_cache_key(ido, uai))

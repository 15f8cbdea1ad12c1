"""Rich text as people type it (lessons, homework, news, blog posts): plain text in, safe HTML out, and back
again."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.utils.html import linebreaks, urlize
from django.utils.translation import gettext_lazy as _

from cartable.lib.html import sanitize

# The help text under every field that takes rich text.
RICH_TEXT_HELP = _(
    "Texte simple (les adresses web deviennent des liens) ou HTML simple : gras, italique, listes, liens."
)

TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def rich_text(text: str) -> str:
    """What a teacher typed, as safe HTML: plain text gets paragraphs and clickable links; HTML is cleaned."""
    text = (text or "").strip()
    if not text:
        return ""
    if not TAG.search(text):
        text = linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False)
    return sanitize(text)


class _PlainBack(HTMLParser):
    """Turns the HTML made by rich_text() from plain text back into that text; gives up on anything else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.plain = True
        self.link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            if self.parts:
                self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a" and self.link is None:
            self.link = (dict(attrs).get("href") or "", [])
        else:
            self.plain = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            href, words = self.link
            text = "".join(words)
            # A link urlize made shows its own address; a link with other words was written as HTML.
            if href not in (text, f"http://{text}", f"mailto:{text}"):
                self.plain = False
            self.parts.append(text)
            self.link = None
        elif tag not in ("p", "br", "a"):
            self.plain = False

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.link[1].append(data)
        else:
            self.parts.append(data.strip("\n"))


def editable(html: str) -> str:
    """The text to put back in the form: the plain text a teacher typed when that is all it was, else the
    (already safe) HTML itself."""
    parser = _PlainBack()
    parser.feed(html or "")
    parser.close()
    if not parser.plain:
        return html
    return "".join(parser.parts).strip()

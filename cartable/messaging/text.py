"""Text helpers of the messaging: what the search compares, and the quoted text of replies and forwards."""

import unicodedata


def folded(text: str) -> str:
    """Lower case without accents, so that "eleve" finds "Élève" on every database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def to_html(text: str) -> str:
    """What the composer's textarea holds, as HTML: typed text keeps its paragraphs and line breaks; text
    that already is HTML (pasted or written by hand) is left to the sanitizer."""
    import re

    from django.utils.html import linebreaks

    text = (text or "").strip()
    if re.search(r"</?[a-zA-Z][^>]*>", text):
        return text
    return linebreaks(text, autoescape=True)


def reported_line(data: dict) -> str:
    """The timeline line of a reported message. Its author is named after a comma ("de Alice" would not be
    French, and the author's name often begins with a vowel)."""
    from django.utils.translation import gettext

    return gettext("Message signalé : « %(subject)s », envoyé par %(sender)s") % {
        "sender": data.get("sender", ""),
        "subject": data.get("subject", ""),
    }

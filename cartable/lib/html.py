"""Rich text written by users (messages, lesson contents, homework…), made safe before it is stored.

Only the tags a school text needs survive; links open outside Cartable without leaking the page they
come from.
"""

import html as html_module

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "a", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """The HTML a user typed, with scripts, styles, event handlers and unknown tags removed."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(html: str) -> str:
    """The words of a text without any tag or entity (email bodies, previews, search); escape it again before
    putting it in HTML."""
    return html_module.unescape(nh3.clean(html or "", tags=set())).strip()

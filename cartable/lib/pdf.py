"""Render a Django template to PDF bytes with WeasyPrint (activation letters, report cards)."""

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


def _offline_fetcher() -> URLFetcher:
    # Printed documents carry people's names: rendering must never make the server fetch anything from the
    # network or the disk on their behalf. Styles are inline in the template; images, if any, are data: URLs.
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """One WeasyPrint call per document: many pages in one HTML render much faster than page by page."""
    html = render_to_string(template_name, context)
    pdf: bytes = HTML(string=html, url_fetcher=_offline_fetcher()).write_pdf()
    return pdf

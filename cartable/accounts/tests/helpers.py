import html


def text(response) -> str:
    """The page as a reader sees it: entities such as &#x27; decoded."""
    return html.unescape(response.content.decode())

from cartable.lib.html import plain_text, sanitize


def test_scripts_handlers_and_styles_are_removed():
    dirty = '<p onclick="steal()">Bonjour <script>alert(1)</script><b style="color:red">Alice</b></p>'
    assert sanitize(dirty) == "<p>Bonjour <b>Alice</b></p>"


def test_javascript_links_are_dropped_and_links_do_not_leak_the_referrer():
    assert 'href="javascript' not in sanitize('<a href="javascript:alert(1)">x</a>')
    assert sanitize('<a href="https://eduscol.education.fr">Eduscol</a>') == (
        '<a href="https://eduscol.education.fr" rel="noopener noreferrer nofollow">Eduscol</a>'
    )


def test_plain_text_keeps_only_the_words():
    assert plain_text("<p>Devoir de <em>maths</em> &amp; français</p>") == "Devoir de maths & français"

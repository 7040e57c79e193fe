import pytest

from app.sanitize import plain_text, sanitize_html

ATTACKS = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<p onclick="alert(1)">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg><script>alert(1)</script></svg>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dangerous_markup_is_removed(attack):
    clean = sanitize_html(attack)
    for needle in ("<script", "onerror", "onclick", "javascript:", "<iframe", "style=", "<svg", "<img"):
        assert needle not in clean.lower()


def test_allowed_markup_is_kept_and_links_are_hardened():
    html = '<p><strong>Family A</strong> met <em>us</em>: <a href="https://example.org">notes</a></p><ul><li>one</li></ul>'
    clean = sanitize_html(html)
    assert "<strong>Family A</strong>" in clean and "<li>one</li>" in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_sanitizing_is_idempotent():
    html = '<p>see www.example.org and <a href="https://a.eu">a</a></p>'
    assert sanitize_html(sanitize_html(html)) == sanitize_html(html)


def test_plain_text():
    assert plain_text("<p>Tom &amp; <b>Jerry</b></p>") == "Tom & Jerry"

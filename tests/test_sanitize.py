import pytest

from app.sanitize import plain_lines, plain_text, safe_html, sanitize_html

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


# What the rich-text editor (app/static/js/app.js) produces must survive the sanitizer unchanged.
EDITOR_OUTPUT = [
    "<p>Plain, then <strong>bold</strong> and <em>italic</em>.<br>Next line.</p>",
    "<p><b>bold</b> <i>italic</i></p>",
    "<ul><li>one</li><li><strong>two</strong></li></ul><ol><li>first</li><li>second</li></ol>",
]


@pytest.mark.parametrize("html", EDITOR_OUTPUT)
def test_the_editors_markup_is_kept_as_it_is(html):
    assert sanitize_html(html) == html


@pytest.mark.parametrize("href", ["https://example.org/a?b=1", "http://example.org", "mailto:anna@example.org"])
def test_the_editors_links_are_kept_with_safe_schemes_only(href):
    clean = sanitize_html(f'<p><a href="{href}">notes</a></p>')
    assert f'href="{href}"' in clean and 'rel="noopener noreferrer nofollow"' in clean


@pytest.mark.parametrize("href", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                  "vbscript:msgbox(1)", "file:///etc/passwd"])
def test_links_with_other_schemes_lose_their_address(href):
    clean = sanitize_html(f'<p><a href="{href}">notes</a></p>')
    assert "href" not in clean and "notes" in clean


def test_what_a_contenteditable_may_add_is_stripped_but_the_text_stays():
    html = ('<div><span style="font-weight: 700" class="x" data-x="1">bold</span></div>'
            '<p id="p1" contenteditable="true" onfocus="alert(1)">text</p><font color="red">red</font>')
    assert sanitize_html(html) == "bold<p>text</p>red"


def test_plain_lines_keeps_paragraphs_items_and_breaks_apart():
    assert plain_lines("<p>Maria</p><p>Silva</p><ul><li>a</li><li>b</li></ul>x<br>y") == "Maria\nSilva\na\nb\nx\ny"


def test_safe_html_cleans_a_repeated_text_once_and_the_same_way():
    from app.sanitize import _sanitized_for_page
    text = '<p>Seen twice <script>alert(1)</script><a href="javascript:x()">x</a></p>'
    first = safe_html(text)
    hits = _sanitized_for_page.cache_info().hits
    second = safe_html(text)
    assert _sanitized_for_page.cache_info().hits == hits + 1
    assert str(first) == str(second) == sanitize_html(text)
    assert "script" not in str(second) and "javascript" not in str(second)
    assert str(safe_html(None)) == "" and str(safe_html("")) == ""

"""The one Markdown renderer (app/markdown.py) and the `markdown` template filter every content page
uses: raw HTML escaped, dangerous links refused, headings nested under the page's own <h1>. The
filter is called here the ways the templates call it, positional and by keyword, so a template
passing a wrong argument fails here and not only on one database's page."""
from __future__ import annotations

from flask import render_template_string

from app.markdown import render_markdown


def test_raw_html_is_escaped_never_passed_through():
    html = render_markdown("Hello <script>alert(1)</script> and <b onclick=x>bold</b>\n\n<iframe src=x></iframe>")
    assert "<script" not in html and "<b " not in html and "<iframe" not in html
    assert "&lt;script&gt;" in html and "&lt;iframe" in html


def test_dangerous_links_are_not_links():
    html = render_markdown("[a](javascript:alert(1)) [b](data:text/html;base64,xx) [c](https://example.org) "
                           "![i](vbscript:x)")
    assert 'href="javascript' not in html
    assert 'href="data:' not in html and 'src="vbscript' not in html
    assert '<a href="https://example.org">c</a>' in html


def test_headings_nest_and_a_first_heading_repeating_the_title_goes():
    assert render_markdown("# Part\n\n## Sub", heading_offset=1) == "<h2>Part</h2>\n<h3>Sub</h3>\n"
    assert render_markdown("# The title\n\nText.", 1, "The title") == "<p>Text.</p>\n"
    assert render_markdown("# Other\n\nText.", 1, "The title").startswith("<h2>Other</h2>")
    assert render_markdown("###### Deep", heading_offset=3) == "<h6>Deep</h6>\n"
    assert render_markdown(None) == "" and render_markdown("") == ""


def test_table_alignment_is_a_class_not_a_style():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert 'style=' not in html and 'class="table table-sm"' in html
    assert '<th class="text-start" scope="col">a</th>' in html and '<td class="text-end">2</td>' in html


def test_the_template_filter_takes_the_arguments_templates_give_it(app):
    with app.test_request_context():
        text = "# Agenda\n\n- **Welcome**\n- <b>raw</b>"
        assert render_template_string("{{ t|markdown }}", t=text).startswith("<h2>Agenda</h2>")
        assert render_template_string("{{ t|markdown(2) }}", t=text).startswith("<h3>Agenda</h3>")
        assert render_template_string("{{ t|markdown(1, 'Agenda') }}", t=text).startswith("<ul>")
        assert render_template_string("{{ t|markdown(heading_offset=0, title='X') }}", t=text).startswith(
            "<h1>Agenda</h1>")
        rendered = render_template_string("{{ t|markdown(2) }}", t=text)
        assert "<strong>Welcome</strong>" in rendered and "&lt;b&gt;raw&lt;/b&gt;" in rendered
        # Stored JSON settings may lack the text: None and empty render nothing.
        assert render_template_string("{{ none|markdown(2) }}|{{ ''|markdown(1, 'x') }}", none=None) == "|"

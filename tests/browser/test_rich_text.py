"""The rich-text editor (app/static/js/app.js) on a journal entry: formatting typed with the
keyboard and the toolbar reaches the autosave draft and the database as HTML, the saved entry shows
it formatted, a re-displayed form shows it formatted again, and the toolbar works by keyboard."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.services import drafts
from modules.journal.models import Entry
from modules.journal.tests.helpers import journal_activity
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in_and_land_home

pytestmark = pytest.mark.browser
TOOLBAR_BUTTONS = ["Bold", "Italic", "Bulleted list", "Numbered list", "Link", "Remove link"]


def open_new_entry(page: Page, world) -> None:
    activity = journal_activity(world)
    log_in_and_land_home(page, world.trainee.email)
    # The editor is built once app.js has run: wait for the load event before typing.
    page.goto(f"/a/journal/new?activity={activity.slug}", wait_until="load")


def toolbar_of(page: Page, editor_label: str):
    editor = page.get_by_role("textbox", name=editor_label, exact=True)
    return editor, page.locator(f"[role=toolbar][aria-controls='{editor.get_attribute('id')}']")


def test_formatting_is_saved_as_html_in_the_draft_and_the_entry(open_page, world):
    ana = open_page()
    open_new_entry(ana, world)
    ana.get_by_label("Title", exact=True).fill("A walk with Family A")
    editor, toolbar = toolbar_of(ana, "What?")
    expect(ana.locator("textarea[name=stage_what]")).to_be_hidden()
    expect(toolbar).to_have_attribute("aria-label", "Text formatting")

    editor.click()
    ana.keyboard.type("We met. ")
    ana.keyboard.press("Control+b")
    expect(toolbar.get_by_role("button", name="Bold")).to_have_attribute("aria-pressed", "true")
    ana.keyboard.type("They chose")
    ana.keyboard.press("Control+b")
    expect(toolbar.get_by_role("button", name="Bold")).to_have_attribute("aria-pressed", "false")
    ana.keyboard.type(" a walk.")
    ana.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Bulleted list").click()
    ana.keyboard.type("first step")
    ana.keyboard.press("Enter")
    ana.keyboard.type("second step")

    expect(ana.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    draft = drafts.get_draft(world.trainee, "journal:new:journal-whole-family")
    assert "<strong>They chose</strong>" in draft.data["stage_what"]
    assert "<ul><li>first step</li><li>second step</li></ul>" in draft.data["stage_what"]
    assert_accessible(ana)

    ana.get_by_role("button", name="Save entry").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("A walk with Family A")
    answer = db.session.scalar(select(Entry)).stage_answers["what"]
    assert "<p>We met. <strong>They chose</strong> a walk.</p>" in answer
    assert "<ul><li>first step</li><li>second step</li></ul>" in answer
    expect(ana.locator("main strong", has_text="They chose")).to_be_visible()
    expect(ana.locator("main ul > li", has_text="second step")).to_be_visible()
    expect(ana.get_by_text("<strong>")).to_have_count(0)
    assert_accessible(ana)


def test_the_privacy_guard_finds_a_bold_phone_number_and_the_form_comes_back_formatted(open_page, world):
    ana = open_page()
    open_new_entry(ana, world)
    ana.get_by_label("Title", exact=True).fill("A call")
    editor, toolbar = toolbar_of(ana, "What?")
    editor.click()
    ana.keyboard.type("I called ")
    toolbar.get_by_role("button", name="Bold").click()
    ana.keyboard.type("070-123 45 67")
    ana.get_by_role("button", name="Save entry").click()

    alert = ana.get_by_role("alert").filter(has_text="Check before saving")
    expect(alert).to_contain_text("070-123 45 67")
    assert db.session.scalar(select(Entry)) is None
    editor, _toolbar = toolbar_of(ana, "What?")
    expect(editor.locator("strong")).to_have_text("070-123 45 67")
    expect(editor).not_to_contain_text("<strong>")
    assert_accessible(ana)


def test_the_toolbar_is_reached_by_tab_and_every_button_has_a_name(open_page, world):
    ana = open_page()
    open_new_entry(ana, world)
    editor, toolbar = toolbar_of(ana, "So what?")
    # From the editor before it, Tab goes through the toolbar's buttons to the text.
    ana.get_by_role("textbox", name="What?", exact=True).click()
    for name in TOOLBAR_BUTTONS:
        ana.keyboard.press("Tab")
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_focused()
    ana.keyboard.press("Tab")
    expect(editor).to_be_focused()
    # Italic from the keyboard alone: Tab back to the toolbar, press the button with Space.
    ana.keyboard.type("plain ")
    for _ in range(5):
        ana.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Italic", exact=True)).to_be_focused()
    ana.keyboard.press("Space")
    expect(editor).to_be_focused()
    ana.keyboard.type("slanted")
    expect(editor.locator("i, em")).to_have_text("slanted")
    expect(ana.locator("textarea[name=stage_so_what]")).to_have_value(re.compile(r"<em>slanted</em>"))


def test_links_take_web_and_mail_addresses_only_and_paste_brings_plain_text(open_page, world):
    ana = open_page()
    open_new_entry(ana, world)
    editor, toolbar = toolbar_of(ana, "What?")
    textarea = ana.locator("textarea[name=stage_what]")
    editor.click()
    ana.keyboard.type("notes")
    ana.keyboard.press("Shift+Home")
    answers = iter(["javascript:alert(1)", "https://example.org/notes"])
    messages = []

    def on_dialog(dialog):
        messages.append(dialog.type)
        dialog.accept(next(answers)) if dialog.type == "prompt" else dialog.accept()

    ana.on("dialog", on_dialog)
    toolbar.get_by_role("button", name="Link", exact=True).click()
    assert messages == ["prompt", "alert"]
    expect(editor.locator("a")).to_have_count(0)
    toolbar.get_by_role("button", name="Link", exact=True).click()
    expect(textarea).to_have_value('<p><a href="https://example.org/notes">notes</a></p>')
    toolbar.get_by_role("button", name="Remove link").click()
    expect(textarea).to_have_value("<p>notes</p>")

    ana.keyboard.press("End")
    editor.evaluate("""(el) => {
      const data = new DataTransfer();
      data.setData("text/html", '<b style="color:red">pasted</b>');
      data.setData("text/plain", " pasted");
      el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""")
    expect(textarea).to_have_value("<p>notes pasted</p>")


def test_lists_links_and_italic_from_the_keyboard_alone(open_page, world):
    ana = open_page()
    open_new_entry(ana, world)
    editor, toolbar = toolbar_of(ana, "What?")
    textarea = ana.locator("textarea[name=stage_what]")
    shortcuts = {name: toolbar.get_by_role("button", name=name, exact=True).get_attribute("aria-keyshortcuts")
                 for name in TOOLBAR_BUTTONS}
    assert shortcuts == {"Bold": "Control+B", "Italic": "Control+I", "Bulleted list": "Control+Shift+8",
                         "Numbered list": "Control+Shift+7", "Link": "Control+K", "Remove link": None}
    ana.on("dialog", lambda dialog: dialog.accept("https://example.org/plan"))

    editor.click()
    ana.keyboard.type("Plan")
    ana.keyboard.press("Enter")
    ana.keyboard.press("Control+Shift+8")
    ana.keyboard.type("ask")
    ana.keyboard.press("Enter")
    ana.keyboard.type("listen")
    expect(textarea).to_have_value(re.compile(r"<ul><li>ask</li><li>listen</li></ul>"))
    ana.keyboard.press("Control+Shift+8")  # the same keys end the list
    expect(textarea).to_have_value(re.compile(r"</ul><p>listen</p>$"))
    ana.keyboard.press("Control+Shift+7")
    expect(textarea).to_have_value(re.compile(r"<ol><li>listen</li></ol>$"))
    ana.keyboard.press("Control+Shift+7")
    ana.keyboard.press("End")
    ana.keyboard.press("Enter")
    ana.keyboard.press("Control+i")
    expect(toolbar.get_by_role("button", name="Italic")).to_have_attribute("aria-pressed", "true")
    ana.keyboard.type("the plan")
    ana.keyboard.press("Shift+Home")
    ana.keyboard.press("Control+k")
    # The link around the italic text or inside it: the same to a reader.
    expect(textarea).to_have_value(re.compile(
        r'<p>(<em><a href="https://example.org/plan">the plan</a></em>'
        r'|<a href="https://example.org/plan"><em>the plan</em></a>)</p>$'))
    # Tab leaves the text, also from inside a list: no keyboard trap.
    ana.keyboard.press("Control+Home")
    ana.keyboard.press("Tab")
    expect(editor).not_to_be_focused()


def test_the_toolbar_makes_a_numbered_list_and_the_editor_sets_no_inline_style(open_page, world):
    ana = open_page()
    ana.add_init_script("""window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective));""")
    open_new_entry(ana, world)
    editor, toolbar = toolbar_of(ana, "What?")
    textarea = ana.locator("textarea[name=stage_what]")
    editor.click()
    toolbar.get_by_role("button", name="Numbered list").click()
    ana.keyboard.type("first")
    toolbar.get_by_role("button", name="Bold").click()
    ana.keyboard.type(" bold")
    toolbar.get_by_role("button", name="Bold").click()
    expect(toolbar.get_by_role("button", name="Bold")).to_have_attribute("aria-pressed", "false")
    ana.keyboard.press("Enter")
    ana.keyboard.type("second")
    expect(textarea).to_have_value("<ol><li>first<strong> bold</strong></li><li>second</li></ol>")
    assert editor.locator("[style]").count() == 0
    assert ana.locator("[style]").count() == 0
    assert ana.evaluate("window.cspViolations") == []
    assert_accessible(ana)


def test_what_arrives_at_the_server_is_sanitized_whatever_the_page_sent(open_page, world):
    ana = open_page()
    open_new_entry(ana, world)
    ana.get_by_label("Title", exact=True).fill("Tampered")
    editor, _toolbar = toolbar_of(ana, "What?")
    editor.click()
    ana.keyboard.type("A visit")
    # A page changed by an extension or an attacker posts markup the editor would never write.
    ana.locator("textarea[name=stage_what]").evaluate("""(el) => { el.value =
      '<p style="color:red" onclick="steal()">A visit <img src=x onerror="steal()"><script>steal()</script>'
      + '<a href="javascript:steal()">here</a> <b class="x">bold</b></p>'; }""")
    ana.get_by_role("button", name="Save entry").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Tampered")
    answer = db.session.scalar(select(Entry)).stage_answers["what"]
    assert answer.startswith("<p>A visit ") and "<b>bold</b>" in answer
    for bad in ("style", "onclick", "onerror", "<img", "<script", "javascript:", "class="):
        assert bad not in answer


def test_without_script_the_editor_is_a_plain_textarea(open_page, world):
    ana = open_page(java_script_enabled=False)
    open_new_entry(ana, world)
    expect(ana.get_by_role("toolbar")).to_have_count(0)
    ana.get_by_label("Title", exact=True).fill("Plain")
    ana.get_by_label("What?", exact=True).fill("First line\n\nSecond paragraph")
    expect(ana.locator("textarea[name=stage_what]")).to_be_visible()
    ana.get_by_role("button", name="Save entry").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Plain")
    answer = db.session.scalar(select(Entry)).stage_answers["what"]
    assert answer == "<p>First line</p><p>Second paragraph</p>"

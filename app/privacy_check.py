"""The privacy guard in forms: before free text is saved, show the trainee what looks like a
family's identity and ask for an explicit confirmation to save anyway.

Usage in a view (every free-text form does the same):

    review = review_fields(form, ["body", "title"])
    if review.blocked:
        return render_template(..., form=form, privacy=review)   # text kept, nothing saved
    ... save ...

and in the template, inside the <form>: {% from "macros/privacy.html" import privacy_review %}
{{ privacy_review(privacy, form) }} (renders nothing when there is nothing to say)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from .privacy_guard import Finding, scan, suggested_family
from .sanitize import plain_lines


@dataclass
class FieldFindings:
    name: str
    label: str
    findings: list[Finding]


@dataclass
class PrivacyReview:
    fields: list[FieldFindings] = field(default_factory=list)
    confirmed: bool = False
    #: The pseudonym to suggest ("A" for "Family A"): the first one no reviewed text uses yet.
    family: str = "A"

    @property
    def found(self) -> bool:
        return any(f.findings for f in self.fields)

    @property
    def blocked(self) -> bool:
        """Saving must wait: something was found and the trainee has not confirmed."""
        return self.found and not self.confirmed


class PrivacyConfirmMixin:
    """Adds the explicit 'save anyway' checkbox to a form."""
    privacy_confirmed = BooleanField(_l("I have checked the text: it does not identify a family. Save it as it is."))


def review_texts(texts: dict[str, tuple[str, str]], *, confirmed: bool) -> PrivacyReview:
    """`texts` maps a field name to (label, text-or-HTML)."""
    plain = {name: (str(label), plain_lines(text)) for name, (label, text) in texts.items() if text}
    fields = [FieldFindings(name, label, scan(text)) for name, (label, text) in plain.items()]
    family = suggested_family("\n".join(text for _label, text in plain.values()))
    return PrivacyReview([f for f in fields if f.findings], confirmed, family)


def review_fields(form, names: list[str]) -> PrivacyReview:
    """Review the named fields of a WTForms form that uses PrivacyConfirmMixin."""
    texts = {name: (form[name].label.text, form[name].data or "") for name in names}
    return review_texts(texts, confirmed=bool(form.privacy_confirmed.data))

"""Form pieces shared by several blueprints."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from .security import MAX_PASSWORD_LENGTH, password_problem


class NewPasswordMixin:
    """A new password typed twice, checked against length and the common-password list."""
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()],
        description=_l("At least 8 characters. A few unrelated words make a strong password."),
        render_kw={"autocomplete": "new-password", "maxlength": MAX_PASSWORD_LENGTH})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})

    def validate_new_password(self, field):
        email = getattr(self, "_email", None)
        problem = password_problem(field.data or "", email=email)
        if problem:
            raise ValidationError(problem)

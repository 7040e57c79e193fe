from flask_wtf import FlaskForm


class MarkDoneForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""

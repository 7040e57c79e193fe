from app.forms import LocalizedForm


class MarkDoneForm(LocalizedForm):
    """Only the CSRF token: the button is the whole form."""

"""What the account page shows of the second factor, and the forms it needs."""
from __future__ import annotations

from ..models import User
from ..services import two_factor
from .forms import DisableTwoFactorForm, PasswordCheckForm


def account_two_factor_forms(user: User, **overrides) -> dict[str, object]:
    forms: dict[str, object] = {
        "two_factor_on": two_factor.has_second_factor(user),
        "totp_on": two_factor.has_totp(user),
        "two_factor_required": two_factor.required_for(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
        "passkeys": list(user.passkeys),
        # Prefixes: several forms on one page each ask for the password; ids must differ.
        "disable_form": DisableTwoFactorForm(prefix="off"),
        "codes_form": PasswordCheckForm(prefix="codes"),
        "passkey_remove_form": PasswordCheckForm(prefix="passkey"),
    }
    forms.update(overrides)
    return forms

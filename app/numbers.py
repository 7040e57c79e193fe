"""Numbers in sentences: localised decimals ("7,5" in pt and sv), percentages ("45 %" in sv),
grouped counts ("10 000" in sv) and the plural form that goes with them ("1 hora", "2 horas").

gettext's plural formulas take whole numbers; a fraction is given as 3, whose form is the one
each of our languages uses for fractions (CLDR: "other" in en, sv, nb, it, pt; "few" in sl, the
form of 3 and 4)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal, format_percent, ngettext

FRACTION_COUNT = 3


def plural_count(value: Decimal | int | float | None) -> int:
    """The whole number to choose a plural form by: the value itself when whole."""
    number = Decimal(str(value or 0))
    return int(number) if number == number.to_integral_value() else FRACTION_COUNT


def hours_label(value: Decimal | int | None) -> str:
    """ "1 hour", "7.5 hours"; "1 hora", "7,5 horas"."""
    return ngettext("%(hours)s hour", "%(hours)s hours", plural_count(value), hours=format_decimal(value or 0))


def percent(points: Decimal | int | float | None) -> str:
    """A percentage given in points (45 for 45 %), in the user's locale: CLDR writes "45 %" with a
    no-break space in sv, nb and sl, "45%" in en, pt and it (format_percent knows each pattern)."""
    return format_percent(Decimal(str(points or 0)) / 100)


def figure(value: Decimal | int | float | None) -> str:
    """A size or limit with as many decimals as it has (10, 0.5; "0,5" in sv and pt)."""
    return format_decimal(value or 0)


def count(value: int | None) -> str:
    """A whole number of people or items, grouped as the locale groups digits ("10 000" in sv,
    "10.000" in pt): counts of a run reach the thousands."""
    if 0 <= (value or 0) < 1000:  # no grouping below a thousand in any of our locales: no babel call
        return str(value or 0)
    return format_decimal(value)

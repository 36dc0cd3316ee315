"""Number formats of the NPS pages: signed scores, margins and p-values, with typographic minus signs."""

import math

from django import template
from django.utils.formats import number_format

register = template.Library()

MINUS = "\u2212"


def _number(value: float, digits: int) -> str:
    text = number_format(round(abs(value), digits), digits)
    return text


@register.filter
def signed(value, digits: int = 0) -> str:
    """+12, −5, 0; an empty string for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    digits = int(digits)
    rounded = round(value, digits)
    if rounded == 0:
        return _number(0, digits)
    return ("+" if rounded > 0 else MINUS) + _number(rounded, digits)


@register.filter
def score(value, digits: int = 0) -> str:
    """A score with a typographic minus and no plus: 34, −12; an em dash for no value."""
    if value is None:
        return "\u2014"
    digits = int(digits)
    rounded = round(value, digits)
    return (MINUS if rounded < 0 else "") + _number(rounded, digits)


@register.filter
def margin(value, digits: int = 0) -> str:
    """±8; an empty string when the margin is unknown."""
    if value is None:
        return ""
    return "±" + _number(value, int(digits))


@register.filter
def p_value(value) -> str:
    """p < 0.001, p = 0.03; an empty string for no value."""
    if value is None:
        return ""
    if value < 0.001:
        return "p < 0.001"
    return "p = " + number_format(round(value, 3), 3)


@register.filter
def percent_of(part, whole) -> float:
    """part as a percentage of whole, for bar widths (0 when whole is 0)."""
    return part * 100 / whole if whole else 0


@register.filter
def nps_hue(value):
    """Hue of a score colour: 0 (red) at NPS −100 to 130 (green) at +100; None for no score."""
    if value is None:
        return None
    return round((max(-100.0, min(100.0, value)) + 100) * 130 / 200)

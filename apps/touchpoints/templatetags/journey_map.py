from django import template

register = template.Library()

MINUS = "\u2212"


@register.filter
def signed(value) -> str:
    """An NPS as people read it: +40, 0, -12 written with a true minus sign (U+2212); an em dash when there is none."""
    if value is None or value == "":
        return "\u2014"
    number = round(float(value))
    if number > 0:
        return f"+{number}"
    return f"{MINUS}{-number}" if number < 0 else "0"

"""{% load feedback_tags %}: the alert badge count for the sidebar or the feedback tabs, and small helpers."""

import re

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from .. import selectors

register = template.Library()


@register.simple_tag
def open_alert_count(workspace) -> int:
    """{% open_alert_count current_workspace as alert_count %}: alerts nobody has acknowledged yet."""
    return selectors.open_alert_count(workspace) if workspace is not None else 0


@register.filter
def highlight(text: str, query: str):
    """The text, escaped, with each occurrence of each search word marked."""
    text = str(text or "")
    words = sorted({word.strip('"') for word in str(query or "").split() if word.strip('"')}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    parts, start = [], 0
    for match in pattern.finditer(text):
        parts.append((text[start:match.start()], match.group()))
        start = match.end()
    if not parts:
        return escape(text)
    return mark_safe(format_html_join("", "{}<mark>{}</mark>", parts) + escape(text[start:]))  # noqa: S308

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def sparkline(values, width=120, height=32):
    """An inline SVG line of the values (None leaves a gap): no script, readable in any theme."""
    points = [(index, value) for index, value in enumerate(values or []) if value is not None]
    if len(points) < 2:
        return mark_safe(f'<svg class="sparkline" width="{width}" height="{height}" aria-hidden="true"></svg>')  # noqa: S308
    low, high = min(v for _i, v in points), max(v for _i, v in points)
    span = (high - low) or 1
    step = width / max(len(values) - 1, 1)
    coordinates = " ".join(f"{index * step:.1f},{height - 3 - (value - low) / span * (height - 6):.1f}"
                           for index, value in points)
    return format_html('<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true">'
                       '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="1.6" '
                       'stroke-linejoin="round" stroke-linecap="round"/></svg>',
                       width, height, width, height, coordinates)


@register.filter
def nps_colour(value):
    """Red (−100) to green (+100) as an HSL hue, for heat-map cells."""
    if value is None:
        return "transparent"
    hue = max(0, min(130, (value + 100) * 0.65))
    return f"hsl({hue:.0f} 70% 88%)"


@register.filter
def signed(value, digits=0):
    if value is None:
        return "—"
    return f"{value:+.{int(digits)}f}"


@register.simple_tag
def regroup_heat(heat_map, stages):
    """Rows of the stage × channel heat map, stages in journey order, one cell per channel (or None)."""
    from django.utils.translation import get_language

    korean = (get_language() or "en").startswith("ko")
    rows = []
    for stage_id, (name_en, name_ko) in stages.items():
        cells = [heat_map["rows"].get((stage_id, channel)) for channel in heat_map["channels"]]
        if any(cells):
            rows.append(((name_ko if korean else name_en) or name_en or name_ko, cells))
    return rows


@register.simple_tag
def trend_data(weekly):
    """Chart.js series: NPS with its 95% band, and the three NPS groups, per bucket."""
    data = {"labels": [], "nps": [], "upper": [], "lower": [], "promoters": [], "passives": [], "detractors": []}
    for start, summary in weekly:
        data["labels"].append(start.isoformat())
        nps, margin = summary.nps, summary.nps_margin
        data["nps"].append(None if nps is None else round(nps, 1))
        data["upper"].append(None if nps is None else round(min(100, nps + margin), 1))
        data["lower"].append(None if nps is None else round(max(-100, nps - margin), 1))
        data["promoters"].append(summary.promoters)
        data["passives"].append(summary.passives)
        data["detractors"].append(summary.detractors)
    return data


@register.filter
def channel_label(value):
    """A channel key (call_centre) as its name in the active language (Call centre)."""
    from apps.touchpoints.models import Channel

    return Channel(value).label if value in Channel.values else value

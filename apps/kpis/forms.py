import json
from datetime import date

from django import forms
from django.core.cache import cache
from django.db.models import F, IntegerField, Value
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Segment
from apps.surveys.models import Survey
from apps.touchpoints.models import Channel, Persona, Touchpoint

from .dashboard import DEFAULT_PERIOD, Period, period_for
from .models import SegmentRollup
from .selectors import KpiFilters
from .services import MAX_ROLLED_UP_SEGMENTS, cache_version_key

PERIOD_CHOICES = [("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days")),
                  ("custom", _("Custom range"))]


def filter_options(workspace) -> dict:
    """Choices for the filter bar; cached per workspace until rollups change (they change with the data)."""
    key = f"kpis:options:{workspace.pk}:{cache.get(cache_version_key(workspace.pk), 0)}"
    options = cache.get(key)
    if options is None:
        touchpoints = list(Touchpoint.objects.for_workspace(workspace).select_related("stage", "journey")
                           .order_by("journey__name", "stage__position", "position"))
        stages = {touchpoint.stage_id: touchpoint.stage for touchpoint in touchpoints}
        options = {
            "touchpoints": [(t.pk, f"{t.journey.name} · {t.name}") for t in touchpoints],
            "stages": [(pk, stage.journey_id, stage.name_en, stage.name_ko) for pk, stage in stages.items()],
            "surveys": list(Survey.objects.for_workspace(workspace).order_by("title").values_list("pk", "title")),
            **_personas_and_saved_segments(workspace),
            "segments": list(SegmentRollup.objects.for_workspace(workspace).order_by("attribute", "value")
                             .values_list("attribute", "value").distinct()[:200]),
        }
        cache.set(key, options, 3600)
    return options


def _personas_and_saved_segments(workspace) -> dict:
    """Personas (pk, name, rule pairs, saved segment id) and saved segments (pk, name, rules as canonical
    JSON, which travel in the filters so no query finds them again), read in one UNION ALL query."""
    personas = (Persona.objects.for_workspace(workspace)
                .annotate(kind=Value("persona"), key=F("pk"), label=F("name"), rule=F("segment_rule"),
                          saved=F("saved_segment_id"))
                .values_list("kind", "key", "label", "rule", "saved").order_by())
    segments = (Segment.objects.for_workspace(workspace)
                .annotate(kind=Value("segment"), key=F("pk"), label=F("name"), rule=F("rules"),
                          saved=Value(None, output_field=IntegerField()))
                .values_list("kind", "key", "label", "rule", "saved").order_by())
    rows = sorted(personas.union(segments, all=True), key=lambda row: (row[0], str(row[2]), row[1]))
    saved = sorted((row for row in rows if row[0] == "segment"), key=lambda row: row[1])[:MAX_ROLLED_UP_SEGMENTS]
    return {
        "personas": [(pk, name, sorted((rule or {}).items()), saved_id)
                     for kind, pk, name, rule, saved_id in rows if kind == "persona"],
        "saved_segments": sorted(((pk, name, json.dumps(rule or {}, sort_keys=True, ensure_ascii=False))
                                  for _kind, pk, name, rule, _saved in saved), key=lambda row: str(row[1])),
    }


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False,
                               initial=str(DEFAULT_PERIOD))
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    touchpoint = forms.TypedChoiceField(label=_("Touchpoint"), coerce=int, required=False, empty_value=None)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int, required=False, empty_value=None)
    segment = forms.ChoiceField(label=_("Persona or segment"), required=False)

    def __init__(self, data, *, workspace, **kwargs):
        super().__init__(data, **kwargs)
        self.workspace = workspace
        options = self.options = filter_options(workspace)
        from django.utils.translation import get_language

        korean = (get_language() or "en").startswith("ko")
        self.fields["touchpoint"].choices = [("", _("All touchpoints")), *options["touchpoints"]]
        self.fields["stage"].choices = [("", _("All stages")), *[
            (pk, (name_ko if korean else name_en) or name_en or name_ko) for pk, _j, name_en, name_ko
            in options["stages"]]]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["survey"].choices = [("", _("All surveys")), *options["surveys"]]
        self.fields["segment"].choices = [
            ("", _("Everyone")),
            (_("Personas"), [(f"persona:{pk}", name) for pk, name, _rule, _saved in options["personas"]]),
            (_("Saved segments"), [(f"saved:{pk}", name) for pk, name, _rules in options["saved_segments"]]),
            (_("Segments"), [(f"{attribute}={value}", f"{attribute} = {value}")
                             for attribute, value in options["segments"]]),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if cleaned.get("period") == "custom" and not (start and end):
            self.add_error("start", _("Choose both dates of a custom range."))
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def _value(self, name):
        """A cleaned value, ignoring fields that did not validate (the page still renders)."""
        if not self.is_bound or not self.is_valid():
            data = getattr(self, "cleaned_data", {})
            return data.get(name) if name not in self.errors else None
        return self.cleaned_data.get(name)

    def period_value(self) -> Period:
        period = self._value("period") or str(DEFAULT_PERIOD)
        if period == "custom":
            start, end = self._value("start"), self._value("end")
            if isinstance(start, date) and isinstance(end, date):
                return period_for(self.workspace, first=start, last=end)
            return period_for(self.workspace)
        return period_for(self.workspace, days=int(period))

    def kpi_filters(self) -> KpiFilters:
        segments: tuple = ()
        saved_segment_id = None
        segment = self._value("segment") or ""
        if segment.startswith("persona:"):
            personas = {str(pk): (rule, saved) for pk, _name, rule, saved in self.options["personas"]}
            rule, saved_segment_id = personas.get(segment.split(":", 1)[1], ([], None))
            if not saved_segment_id:
                segments = tuple(tuple(pair) for pair in rule)
        elif segment.startswith("saved:"):
            saved_segment_id = int(segment.split(":", 1)[1])
        elif "=" in segment:
            segments = (tuple(segment.split("=", 1)),)
        saved_rules = {pk: rules for pk, _name, rules in self.options["saved_segments"]}
        if saved_segment_id not in saved_rules:
            saved_segment_id = None
        return KpiFilters(touchpoint_id=self._value("touchpoint"), stage_id=self._value("stage"),
                          channel=self._value("channel") or "", survey_id=self._value("survey"), segments=segments,
                          saved_segment_id=saved_segment_id,
                          saved_segment_rules=saved_rules.get(saved_segment_id, ""))

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.touchpoints.models import Channel
from apps.workspaces.models import Workspace

from . import selectors

PERIODS = {"30": 30, "90": 90, "365": 365}
DEFAULT_PERIOD = "90"
# A custom range longer than this is refused: weekly points over decades say nothing.
MAX_CUSTOM_DAYS = 5 * 366

PERIOD_CHOICES = [("30", _("30 days")), ("90", _("90 days")), ("365", _("365 days")), ("custom", _("Custom"))]
GRAIN_CHOICES = [("week", _("Weekly")), ("month", _("Monthly"))]
MAIN_DIMENSIONS = [
    ("touchpoint", _("Touchpoint")),
    ("stage", _("Stage")),
    ("channel", _("Channel")),
    ("survey", _("Survey")),
    ("persona", _("Persona")),
]
ATTRIBUTE_DIMENSIONS = [("segment", _("Segment")), ("tier", _("Tier")), ("region", _("Region"))]
DIMENSION_CHOICES = [*MAIN_DIMENSIONS, (_("Customer attribute"), ATTRIBUTE_DIMENSIONS)]
DIMENSION_LABELS = dict(MAIN_DIMENSIONS + ATTRIBUTE_DIMENSIONS)


@dataclass(frozen=True)
class ReportParams:
    period: str
    start: datetime
    end: datetime
    filters: selectors.Filters
    grain: str
    dimension: str


class ReportForm(forms.Form):
    """The report's GET filters. A value that does not validate falls back to its default, so a stale
    or edited link still shows a report; only a wrong custom range is reported as an error."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    touchpoint = forms.TypedChoiceField(label=_("Touchpoint"), coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices],
                                required=False)
    survey = forms.TypedChoiceField(label=_("Survey"), coerce=int, required=False, empty_value=None)
    segment = forms.TypedChoiceField(label=_("Saved segment"), coerce=int, required=False, empty_value=None)
    grain = forms.ChoiceField(label=_("Trend by"), choices=GRAIN_CHOICES, required=False)
    by = forms.ChoiceField(label=_("Break down by"), choices=DIMENSION_CHOICES, required=False)

    def __init__(self, data=None, *, workspace: Workspace, choices: dict, now: datetime | None = None):
        super().__init__(data)
        self.workspace = workspace
        self.now = now or timezone.now()
        self.fields["touchpoint"].choices = [("", _("All touchpoints")), *choices["touchpoints"]]
        self.fields["survey"].choices = [("", _("All surveys")), *choices["surveys"]]
        self.fields["segment"].choices = [("", _("All customers")),
                                          *[(pk, name) for pk, name, _rules in choices["segments"]]]
        self.segment_rules = {pk: rules for pk, _name, rules in choices["segments"]}

    def _local_today(self) -> date:
        return timezone.localtime(self.now, selectors.workspace_zone(self.workspace)).date()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == "custom":
            first, last = cleaned.get("start"), cleaned.get("end")
            if first is None or last is None:
                raise forms.ValidationError(_("Choose both a start and an end date for a custom period."))
            if last < first:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            if (last - first).days >= MAX_CUSTOM_DAYS:
                raise forms.ValidationError(_("Choose a period of at most five years."))
        return cleaned

    def _value(self, name: str, default):
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name) if name not in self.errors else None
        return default if value in (None, "") else value

    def params(self) -> ReportParams:
        period = self._value("period", DEFAULT_PERIOD)
        if period == "custom" and self.is_bound and self.is_valid():
            start = selectors.day_start(self.workspace, self.cleaned_data["start"])
            end = selectors.day_start(self.workspace, self.cleaned_data["end"] + timedelta(days=1))
        else:
            period = period if period in PERIODS else DEFAULT_PERIOD
            end = self.now
            start = end - timedelta(days=PERIODS[period])
        segment_id = self._value("segment", None)
        filters = selectors.Filters(touchpoint_id=self._value("touchpoint", None), channel=self._value("channel", ""),
                                    survey_id=self._value("survey", None), segment_id=segment_id,
                                    segment_rules=self.segment_rules.get(segment_id, ""))
        return ReportParams(period=period, start=start, end=end, filters=filters, grain=self._value("grain", "week"),
                            dimension=self._value("by", "touchpoint"))

    def shown_dates(self, params: ReportParams) -> tuple[str, str]:
        """The dates the custom-range inputs show: what was typed for a custom period, else the bounds of
        the period on screen, so switching to "Custom" starts from the range being looked at."""
        if self.is_bound and self.data.get("period") == "custom":
            return self.data.get("start", ""), self.data.get("end", "")
        zone = selectors.workspace_zone(self.workspace)
        return (timezone.localtime(params.start, zone).date().isoformat(),
                timezone.localtime(params.end - timedelta(microseconds=1), zone).date().isoformat())

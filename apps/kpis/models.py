"""Rollup tables: per-day aggregates that the dashboard, journey map and NPS report read instead of
raw responses, so their cost grows with days × slices, not with responses. Every row is recomputed
from source rows and replaced; nothing is ever incremented."""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import WorkspaceOwned, WorkspaceQuerySet, workspace_key


class ScoreCounts(models.Model):
    """The counts behind NPS, CSAT and CES; ScoreSummary takes them as they are."""

    responses = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    csat_satisfied = models.PositiveIntegerField(default=0)
    csat_answers = models.PositiveIntegerField(default=0)
    ces_total = models.PositiveIntegerField(default=0)
    ces_answers = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


SCORE_FIELDS = ["responses", "promoters", "passives", "detractors", "csat_satisfied", "csat_answers", "ces_total",
                "ces_answers"]


class DaySlice(ScoreCounts):
    """The counts of one day (in the workspace's time zone) × survey × touchpoint × channel."""

    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    channel = models.CharField(max_length=24, blank=True)

    class Meta:
        abstract = True


class DailyRollup(WorkspaceOwned, DaySlice):
    """workspace × day × survey × touchpoint × channel."""

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            # Coalesce: a survey without a touchpoint is one slice, not one per NULL.
            models.UniqueConstraint("workspace", "day", "survey", Coalesce("touchpoint", 0), "channel",
                                    name="dailyrollup_unique_slice"),
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="dailyrollup_ws_day")]

    def __str__(self) -> str:
        return f"{self.day} · survey {self.survey_id} · touchpoint {self.touchpoint_id} · {self.channel}"


class SegmentRollup(WorkspaceOwned, ScoreCounts):
    """workspace × day × touchpoint × one customer attribute (segment, tier or region) and its value:
    what the segment filters and single-attribute personas read."""

    ATTRIBUTES = ("segment", "tier", "region")

    day = models.DateField(_("day"))
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    attribute = models.CharField(max_length=16)
    value = models.CharField(max_length=120)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("segment rollup")
        verbose_name_plural = _("segment rollups")
        constraints = [
            models.UniqueConstraint("workspace", "day", Coalesce("touchpoint", 0), "attribute", "value",
                                    name="segmentrollup_unique_slice"),
        ]
        indexes = [models.Index(fields=["workspace", "attribute", "value", "day"], name="segmentrollup_ws_attr")]

    def __str__(self) -> str:
        return f"{self.day} · {self.attribute}={self.value} · touchpoint {self.touchpoint_id}"


class SavedSegmentRollup(WorkspaceOwned, DaySlice):
    """workspace × saved segment × day × survey × touchpoint × channel: the daily rollup of the responses of
    the customers a saved segment selects, so the dashboard and the NPS report filter by it without reading
    responses. Membership is evaluated when the slice is recomputed (the day of a new response, every
    night, and all days when the segment is saved)."""

    segment = models.ForeignKey("customers.Segment", on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved segment rollup")
        verbose_name_plural = _("saved segment rollups")
        constraints = [
            models.UniqueConstraint("workspace", "segment", "day", "survey", Coalesce("touchpoint", 0), "channel",
                                    name="savedsegmentrollup_unique_slice"),
        ]
        indexes = [models.Index(fields=["workspace", "segment", "day"], name="savedsegmentrollup_ws_seg_day")]

    def __str__(self) -> str:
        return f"{self.day} · segment {self.segment_id} · survey {self.survey_id} · touchpoint {self.touchpoint_id}"


class InvitationRollup(WorkspaceOwned):
    """workspace × day × survey: personal invitations sent and answered that day."""

    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    sent = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation rollup")
        verbose_name_plural = _("invitation rollups")
        constraints = [models.UniqueConstraint(fields=["workspace", "day", "survey"],
                                               name="invitationrollup_unique_slice")]

    def __str__(self) -> str:
        return f"{self.day} · survey {self.survey_id}: {self.sent} sent, {self.answered} answered"


class DirtySlice(WorkspaceOwned):
    """A day whose rollups are stale. Written in the same transaction as the response, so a lost
    Celery message (Redis down) only delays the tiles: the beat job finds the mark and recomputes."""

    workspace = workspace_key(db_index=False)  # dirtyslice_unique_day leads with it
    day = models.DateField(_("day"))
    marked_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("dirty slice")
        verbose_name_plural = _("dirty slices")
        constraints = [models.UniqueConstraint(fields=["workspace", "day"], name="dirtyslice_unique_day")]

    def __str__(self) -> str:
        return f"{self.day} (marked {self.marked_at:%H:%M:%S})"

"""Surveys and their responses. The raw response is the source of truth every score is computed
from; the builder, distribution and public pages extend these models."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import Language, WorkspaceOwned, WorkspaceQuerySet


def survey_token() -> str:
    return secrets.token_urlsafe(16)


class Survey(WorkspaceOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="surveys")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Public links carry a random token, never the sequential id.
    token = models.CharField(max_length=32, default=survey_token, editable=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["workspace", "token"], name="survey_unique_token")]

    def __str__(self) -> str:
        return self.title


class ResponseQuerySet(WorkspaceQuerySet):
    def in_period(self, start: datetime | None, end: datetime | None):
        """Responses submitted in [start, end); either bound may be open."""
        queryset = self
        if start is not None:
            queryset = queryset.filter(submitted_at__gte=start)
        if end is not None:
            queryset = queryset.filter(submitted_at__lt=end)
        return queryset

    def score_aggregates(self) -> dict:
        """The counts behind NPS, CSAT and CES, as keyword arguments of nps.scores.ScoreSummary."""
        return {
            "responses": Count("pk"),
            "promoters": Count("pk", filter=Q(nps_score__gte=9)),
            "passives": Count("pk", filter=Q(nps_score__in=(7, 8))),
            "detractors": Count("pk", filter=Q(nps_score__lte=6)),
            "csat_satisfied": Count("pk", filter=Q(csat_score__gte=4)),
            "csat_answers": Count("csat_score"),
            "ces_total": Sum("ces_score", default=0),
            "ces_answers": Count("ces_score"),
        }


class Response(WorkspaceOwned):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Erasing a customer keeps the answers, anonymously, so the scores stay true.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=24, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    nps_score = models.PositiveSmallIntegerField(_("NPS answer"), null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(_("CSAT answer"), null=True, blank=True)
    ces_score = models.PositiveSmallIntegerField(_("CES answer"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["workspace", "submitted_at"], name="response_ws_time"),
            models.Index(fields=["workspace", "touchpoint", "submitted_at"], name="response_ws_tp_time"),
            models.Index(fields=["workspace", "customer"], name="response_ws_customer"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nps_score__isnull=True) | Q(nps_score__lte=10),
                                   name="response_nps_0_10"),
            models.CheckConstraint(condition=Q(csat_score__isnull=True) | Q(csat_score__range=(1, 5)),
                                   name="response_csat_1_5"),
            models.CheckConstraint(condition=Q(ces_score__isnull=True) | Q(ces_score__range=(1, 7)),
                                   name="response_ces_1_7"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def nps_group(self) -> str | None:
        if self.nps_score is None:
            return None
        return "promoter" if self.nps_score >= 9 else "passive" if self.nps_score >= 7 else "detractor"

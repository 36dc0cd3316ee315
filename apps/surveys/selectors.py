"""Reads for the survey pages that combine several models."""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, IntegerField, Min, OuterRef, Prefetch, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer
from apps.nps.scores import NO_CHANGE, Change, ScoreSummary, nps, nps_change
from apps.touchpoints.selectors import period_from
from apps.workspaces.models import Workspace

from .models import (
    Answer,
    Choice,
    Distribution,
    PartialResponse,
    Question,
    Response,
    Survey,
    SurveyInvitation,
    WaveSchedule,
)


def survey_unavailable_reason(survey: Survey) -> str | None:
    """Why the public page takes no answers: "draft", "paused", "closed", "full", or None when open.
    The count runs only for a survey with a response limit (one indexed COUNT)."""
    reason = survey.closed_reason(timezone.now())
    if reason is None and survey.response_cap is not None:
        answered = Response.objects.for_workspace(survey.workspace_id).filter(survey=survey).count()
        # A few answers may pass the limit when many arrive at the same moment; the cap is a guide, not a quota.
        if answered >= survey.response_cap:
            reason = "full"
    return reason


def survey_questions(survey: Survey) -> list[Question]:
    """The questions a customer is asked, in order, with their choices (two queries)."""
    choices = Choice.objects.for_workspace(survey.workspace_id).order_by("position", "pk")
    return list(Question.objects.for_workspace(survey.workspace_id)
                .filter(survey=survey, is_hidden=False)
                .order_by("position", "pk")
                .prefetch_related(Prefetch("choices", queryset=choices)))


def survey_list(workspace: Workspace):
    """The workspace's surveys with their touchpoint and response count, newest first, in one query."""
    responses = (Response.objects.for_workspace(workspace).filter(survey=OuterRef("pk"))
                 .order_by().values("survey").annotate(n=Count("pk")).values("n"))
    return (Survey.objects.for_workspace(workspace).select_related("touchpoint")
            .annotate(response_count=Coalesce(Subquery(responses, output_field=IntegerField()), Value(0)))
            .order_by("-created_at", "-pk"))


def distribution_list(survey: Survey):
    return (Distribution.objects.for_workspace(survey.workspace_id).filter(survey=survey)
            .select_related("created_by").order_by("-created_at", "-pk"))


def distribution_log(distribution: Distribution) -> dict:
    """The send log's figures, from one aggregate over the invitations: recipients, sent, opened,
    answered, skipped by reason, failed, and the response rate (answered per sent, in percent)."""
    counts = SurveyInvitation.objects.for_workspace(distribution.workspace_id).filter(
        distribution=distribution).counts()
    sent = counts["sent_count"]
    counts["response_rate"] = counts["answered_count"] * 100 / sent if sent else None
    counts["open_rate"] = counts["opened_count"] * 100 / sent if sent else None
    counts["skipped_by_reason"] = [
        (label, counts[f"skipped_{reason}"]) for reason, label in SurveyInvitation.SkipReason.choices]
    return counts


def distribution_invitations(distribution: Distribution, status: str = ""):
    invitations = (SurveyInvitation.objects.for_workspace(distribution.workspace_id)
                   .filter(distribution=distribution).select_related("customer")
                   .defer("email__body_text", "email__body_html").select_related("email").order_by("pk"))
    if status in SurveyInvitation.Status.values:
        invitations = invitations.filter(status=status)
    return invitations


def distribution_filter_values(workspace: Workspace, keys: Iterable[str] = ("segment", "tier", "region"),
                               limit: int = 100) -> dict[str, list[str]]:
    """Values customers have for each selection key, to suggest in the form (one query per key)."""
    values = {}
    for key in keys:
        found = (Customer.objects.for_workspace(workspace).exclude(**{f"attributes__{key}__isnull": True})
                 .values_list(f"attributes__{key}", flat=True).distinct().order_by()[:limit])
        values[key] = sorted({str(value) for value in found if value not in (None, "")})
    return values


# Results ---------------------------------------------------------------------------------------

NPS_GROUPS = {
    "promoter": Q(nps_score__gte=9),
    "passive": Q(nps_score__in=(7, 8)),
    "detractor": Q(nps_score__lte=6),
}
TEXT_ANSWERS_SHOWN = 5


def workspace_zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def survey_responses(survey: Survey, filters: dict[str, str] | None = None, now: datetime | None = None):
    """The survey's responses that pass the filters of the results page (ResponseFilterForm.filters()):
    period (a key of touchpoints.selectors.PERIODS, 90 days by default), NPS group, channel, language and
    comment ("yes"/"no"). The same queryset feeds the charts, the list and the exports."""
    filters = filters or {}
    responses = (Response.objects.for_workspace(survey.workspace_id).filter(survey=survey)
                 .in_period(period_from(filters.get("period")).start(now), None))
    if filters.get("group") in NPS_GROUPS:
        responses = responses.filter(NPS_GROUPS[filters["group"]])
    if filters.get("channel"):
        responses = responses.filter(channel=filters["channel"])
    if filters.get("language"):
        responses = responses.filter(language=filters["language"])
    if filters.get("comment") == "yes":
        responses = responses.exclude(comment="")
    elif filters.get("comment") == "no":
        responses = responses.filter(comment="")
    return responses


def survey_all_questions(survey: Survey) -> list[Question]:
    """Every question, hidden ones too (their answers are still results), in order, with choices and the
    targets of their rules (3 queries)."""
    choices = Choice.objects.for_workspace(survey.workspace_id).order_by("position", "pk")
    return list(Question.objects.for_workspace(survey.workspace_id).filter(survey=survey)
                .select_related("condition_question", "condition_choice", "end_choice")
                .order_by("position", "pk").prefetch_related(Prefetch("choices", queryset=choices)))


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0
    # Scales: one row per value; choices: one row per option. Each row: label, count, share (percent).
    rows: list[dict] = field(default_factory=list)
    mean: float | None = None
    # NPS only: promoters, passives, detractors as rows, and the score.
    groups: list[dict] = field(default_factory=list)
    nps: float | None = None
    texts: list[dict] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"question-chart-{self.question.pk}"

    @property
    def chart_data_id(self) -> str:
        return f"question-chart-{self.question.pk}-data"

    @property
    def chart(self) -> dict:
        return {"labels": [row["label"] for row in self.rows], "counts": [row["count"] for row in self.rows],
                "kind": self.question.kind, "horizontal": self.question.is_choice}


@dataclass
class SurveyResults:
    summary: ScoreSummary
    granularity: str
    timeline: dict
    questions: list[QuestionResult]


def _granularity(start: datetime | None, first: datetime | None, now: datetime) -> str:
    since = start or first or now
    days = (now - since).days
    return "day" if days <= 92 else "week" if days <= 731 else "month"


def survey_results(survey: Survey, questions: list[Question], responses, *, start: datetime | None,
                   now: datetime | None = None) -> SurveyResults:
    """The results page's figures, all aggregated in SQL: one query for the scores, one for the timeline,
    two for the answer distributions and one for the latest text answers, whatever the number of
    responses or questions."""
    now = now or timezone.now()
    zone = workspace_zone(survey.workspace)
    aggregates = Response.objects.score_aggregates()
    summary_row = responses.aggregate(**aggregates, first=Min("submitted_at"))
    first = summary_row.pop("first")
    summary = ScoreSummary(**summary_row)
    granularity = _granularity(start, first, now)
    trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[granularity]
    buckets = (responses.annotate(bucket=trunc("submitted_at", tzinfo=zone)).values("bucket")
               .annotate(n=Count("pk"), promoters=aggregates["promoters"], passives=aggregates["passives"],
                         detractors=aggregates["detractors"]).order_by("bucket"))
    timeline = {"labels": [], "responses": [], "nps": []}
    for row in buckets:
        bucket = row["bucket"]
        label = bucket.strftime("%Y-%m") if granularity == "month" else bucket.strftime("%Y-%m-%d")
        timeline["labels"].append(label)
        timeline["responses"].append(row["n"])
        score = nps(row["promoters"], row["passives"], row["detractors"])
        timeline["nps"].append(round(score, 1) if score is not None else None)

    ids = [question.pk for question in questions]
    answers = Answer.objects.for_workspace(survey.workspace_id).filter(question_id__in=ids, response__in=responses)
    counts = list(answers.values("question_id", "number", "choice_id").annotate(n=Count("pk")).order_by())
    respondents = dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True))
                       .order_by())
    text_ids = [question.pk for question in questions if question.is_text]
    latest = []
    if text_ids:
        latest = list(answers.filter(question_id__in=text_ids)
                      .annotate(rank=Window(RowNumber(), partition_by=[F("question_id")],
                                            order_by=[F("response__submitted_at").desc(), F("pk").desc()]))
                      .filter(rank__lte=TEXT_ANSWERS_SHOWN)
                      .values("question_id", "text", "response_id", "response__submitted_at")
                      .order_by("question_id", "rank"))

    results = []
    for question in questions:
        result = QuestionResult(question=question, respondents=respondents.get(question.pk, 0))
        mine = [row for row in counts if row["question_id"] == question.pk]
        if question.is_scale:
            by_value = {row["number"]: row["n"] for row in mine}
            total = sum(by_value.values())
            low, high, *_labels = question.scale
            for value in range(low, high + 1):
                count = by_value.get(value, 0)
                result.rows.append({"label": str(value), "count": count,
                                    "share": count * 100 / total if total else 0})
            result.mean = sum(value * count for value, count in by_value.items()) / total if total else None
            if question.kind == Question.Kind.NPS:
                promoters = sum(count for value, count in by_value.items() if value >= 9)
                passives = sum(count for value, count in by_value.items() if value in (7, 8))
                detractors = total - promoters - passives
                result.nps = nps(promoters, passives, detractors)
                result.groups = [
                    {"key": key, "label": label, "count": count, "share": count * 100 / total if total else 0}
                    for key, label, count in (("promoter", _("Promoters"), promoters),
                                              ("passive", _("Passives"), passives),
                                              ("detractor", _("Detractors"), detractors))]
        elif question.is_choice:
            by_choice = {row["choice_id"]: row["n"] for row in mine}
            base = result.respondents
            for choice in question.choices.all():
                count = by_choice.get(choice.pk, 0)
                result.rows.append({"label": choice.text, "count": count,
                                    "share": count * 100 / base if base else 0})
        else:
            result.texts = [{"text": row["text"], "response_id": row["response_id"],
                             "submitted_at": row["response__submitted_at"]}
                            for row in latest if row["question_id"] == question.pk]
        results.append(result)
    return SurveyResults(summary=summary, granularity=granularity, timeline=timeline, questions=results)


def response_answers(response: Response) -> list[Answer]:
    """A response's answers in question order, with the question and the chosen option (one query)."""
    return list(Answer.objects.for_workspace(response.workspace_id).filter(response=response)
                .select_related("question", "choice").order_by("question__position", "question_id", "choice__position"))


def builder_questions(survey: Survey) -> list[Question]:
    """Every question of the survey, hidden ones too, with its choices and whether it has answers (an
    EXISTS per question on the answer index: cheap even with millions of answers). Two queries."""
    choices = Choice.objects.for_workspace(survey.workspace_id).order_by("position", "pk")
    answers = Answer.objects.for_workspace(survey.workspace_id).filter(question=OuterRef("pk"))
    return list(Question.objects.for_workspace(survey.workspace_id).filter(survey=survey)
                .annotate(has_answers=Exists(answers))
                .select_related("condition_question", "condition_choice", "end_choice")
                .order_by("position", "pk").prefetch_related(Prefetch("choices", queryset=choices)))


# Relationship NPS waves -------------------------------------------------------------------------

@dataclass
class WaveRow:
    number: int
    distribution_id: int
    survey_id: int
    name: str
    sent_at: datetime
    sent: int
    scores: ScoreSummary
    change: Change = NO_CHANGE

    @property
    def response_rate(self) -> float | None:
        return self.scores.responses * 100 / self.sent if self.sent else None


@dataclass
class WaveComparison:
    schedule: WaveSchedule
    waves: list[WaveRow]

    @property
    def latest(self) -> WaveRow | None:
        return self.waves[-1] if self.waves else None


def wave_comparisons(workspace: Workspace, *, survey: Survey | None = None, schedule_ids: list[int] | None = None,
                     limit: int = 10) -> list[WaveComparison]:
    """Each wave schedule's waves in order, with NPS ± margin, n and the change against the wave before it
    (two-proportion z test, nps.scores.nps_change). Three queries whatever the number of responses: the
    schedules, their distributions, and one aggregate of the responses grouped by wave (a response belongs
    to a wave through its invitation)."""
    schedules = WaveSchedule.objects.for_workspace(workspace).select_related("survey", "segment").order_by("name", "pk")
    if survey is not None:
        schedules = schedules.filter(survey=survey)
    if schedule_ids is not None:
        schedules = schedules.filter(pk__in=schedule_ids)
    schedules = list(schedules[:limit])
    if not schedules:
        return []
    distributions = list(Distribution.objects.for_workspace(workspace).filter(wave_schedule__in=schedules)
                         .exclude(wave_number=None).order_by("wave_schedule_id", "wave_number")
                         .values("pk", "wave_schedule_id", "wave_number", "survey_id", "name", "created_at",
                                 "sent_count"))
    scores = {row.pop("invitation__distribution_id"): ScoreSummary(**row) for row in (
        Response.objects.for_workspace(workspace)
        .filter(invitation__distribution_id__in=[row["pk"] for row in distributions])
        .values("invitation__distribution_id").annotate(**Response.objects.score_aggregates()).order_by())}
    waves: dict[int, list[WaveRow]] = {schedule.pk: [] for schedule in schedules}
    for row in distributions:
        rows = waves[row["wave_schedule_id"]]
        wave = WaveRow(number=row["wave_number"], distribution_id=row["pk"], survey_id=row["survey_id"],
                       name=row["name"], sent_at=row["created_at"], sent=row["sent_count"],
                       scores=scores.get(row["pk"], ScoreSummary()))
        if rows and rows[-1].scores.nps_answers:
            wave.change = nps_change(rows[-1].scores, wave.scores)
        rows.append(wave)
    return [WaveComparison(schedule=schedule, waves=waves[schedule.pk]) for schedule in schedules]


# Drop-off --------------------------------------------------------------------------------------

@dataclass
class Funnel:
    started: int
    completed: int
    in_progress: int
    expired: int
    # One row per question: label, reached (customers who got to its page), share of those who started.
    rows: list[dict]

    @property
    def completion_rate(self) -> float | None:
        return self.completed * 100 / self.started if self.started else None


def survey_unfinished(survey: Survey, status: str = ""):
    """The survey's partial responses not (yet) recorded, newest first, all or only those in `status`
    (in progress or expired; any other value means all)."""
    partials = (PartialResponse.objects.for_workspace(survey.workspace_id).filter(survey=survey).unfinished()
                .select_related("invitation__customer").order_by("-updated_at", "-pk"))
    if status in (PartialResponse.Status.IN_PROGRESS, PartialResponse.Status.EXPIRED):
        partials = partials.filter(status=status)
    return partials


def survey_funnel(survey: Survey) -> Funnel:
    """How far customers got, from two aggregates whatever the number of responses: every response
    reached every question (it was completed); an unfinished partial response reached the questions up
    to its `reached_position`. A response recorded from an expired partial counts as unfinished."""
    questions = survey_questions(survey)
    unfinished = PartialResponse.objects.for_workspace(survey.workspace_id).filter(survey=survey).unfinished()
    counts = unfinished.aggregate(
        total=Count("pk"),
        in_progress=Count("pk", filter=Q(status=PartialResponse.Status.IN_PROGRESS)),
        expired=Count("pk", filter=Q(status=PartialResponse.Status.EXPIRED)),
        **{f"q{question.pk}": Count("pk", filter=Q(reached_position__gte=question.position)) for question in questions})
    completed = (Response.objects.for_workspace(survey.workspace_id).filter(survey=survey)
                 .exclude(partials__status=PartialResponse.Status.EXPIRED).count())
    started = completed + counts["total"]
    rows = []
    for number, question in enumerate(questions, start=1):
        reached = completed + counts[f"q{question.pk}"]
        rows.append({"question": question, "label": f"{number}. {question.text[:60]}", "reached": reached,
                     "share": reached * 100 / started if started else None})
    return Funnel(started=started, completed=completed, in_progress=counts["in_progress"],
                  expired=counts["expired"], rows=rows)

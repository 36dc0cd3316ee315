"""Surveys and their responses. The raw response is the source of truth every score is computed
from; the builder, distribution and public pages extend these models."""

import calendar
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from apps.workspaces.models import Language, WorkspaceOwned, WorkspaceQuerySet, workspace_key

HIDDEN_FIELD_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}")
# A personal survey link stays usable this long after it is created.
INVITATION_VALID_DAYS = getattr(settings, "SURVEY_INVITATION_VALID_DAYS", 30)


def survey_token() -> str:
    return secrets.token_urlsafe(16)


def invitation_token() -> str:
    return secrets.token_urlsafe(24)


def new_submission_key() -> str:
    return secrets.token_urlsafe(16)


def invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=INVITATION_VALID_DAYS)


class Survey(WorkspaceOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    class Template(models.TextChoices):
        """The question set a survey started from; the builder offers these."""

        CUSTOM = "custom", _("Blank survey")
        NPS = "nps", _("NPS with a follow-up question")
        CSAT = "csat", _("Customer satisfaction (CSAT)")
        CES = "ces", _("Customer effort (CES)")
        TOUCHPOINT = "touchpoint", _("Touchpoint check: NPS, CSAT, CES and a comment")

    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="surveys")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    template = models.CharField(_("template"), max_length=24, choices=Template.choices, default=Template.CUSTOM)
    intro = models.TextField(_("introduction"), blank=True,
                             help_text=_("Shown above the first question."))
    thank_you_message = models.TextField(_("thank-you message"), blank=True,
                                         help_text=_("Shown after the answers are sent."))
    close_at = models.DateTimeField(_("closes at"), null=True, blank=True,
                                    help_text=_("After this moment the survey takes no more answers."))
    response_cap = models.PositiveIntegerField(_("response limit"), null=True, blank=True,
                                               help_text=_("Stop taking answers after this many responses."))
    # Query-string keys a link may carry into the response (?channel=store&order=A123): only these are saved.
    allowed_hidden_fields = models.JSONField(_("hidden fields"), default=list, blank=True,
                                             help_text=_('Query-string keys saved with each response, e.g. '
                                                         '["channel", "order"].'))
    # Bilingual: the texts in the other language live in `translations` ({"en": {"title": …}}); the
    # fields above hold the survey's own language, so a one-language survey needs nothing more.
    bilingual = models.BooleanField(_("in Korean and English"), default=False)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    # Multi-page surveys keep unfinished answers this long after the customer's last page.
    partial_valid_days = models.PositiveSmallIntegerField(_("keep unfinished answers for (days)"), default=7)
    count_partial_responses = models.BooleanField(
        _("count unfinished responses"), default=False,
        help_text=_("When an unfinished response expires, record the answers it has so they count in the "
                    "scores."))
    # Kept by the quota services, so a survey without quotas costs no query on submission.
    has_quotas = models.BooleanField(default=False, editable=False)
    # Public links carry a random token, never the sequential id.
    token = models.CharField(max_length=32, default=survey_token, editable=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Goes up whenever a question or choice changes (signals.py, and the builder's bulk writes): the public
    # page caches the questions and its rendered HTML under this number (page_cache.py).
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["workspace", "token"], name="survey_unique_token")]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        fields = self.allowed_hidden_fields
        if not isinstance(fields, list) or not all(isinstance(key, str) and HIDDEN_FIELD_KEY.fullmatch(key)
                                                   for key in fields):
            raise ValidationError({"allowed_hidden_fields": _(
                'Give a list of short keys made of letters, digits, "_", "-" or ".", e.g. ["channel", "order"].')})

    @property
    def other_language(self) -> str:
        return Language.ENGLISH if self.language == Language.KOREAN else Language.KOREAN

    @property
    def languages(self) -> list[str]:
        """The languages the page can be shown in, the survey's own first."""
        return [self.language, self.other_language] if self.bilingual else [self.language]

    def get_public_url(self) -> str:
        """The absolute public link, as printed on posters and QR codes."""
        return settings.SITE_URL + reverse("public_survey", kwargs={"token": self.token})

    def closed_reason(self, now: datetime | None = None) -> str | None:
        """Why the survey takes no answers judging by its own fields ("draft", "paused", "closed"), or None.
        The response cap needs a count, so selectors.survey_unavailable_reason() adds it."""
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status == self.Status.PAUSED:
            return "paused"
        if self.status == self.Status.CLOSED:
            return "closed"
        if self.close_at is not None and self.close_at <= (now or timezone.now()):
            return "closed"
        return None


class Question(WorkspaceOwned):
    class Kind(models.TextChoices):
        NPS = "nps", _("Likelihood to recommend (NPS, 0-10)")
        CSAT = "csat", _("Satisfaction (CSAT, 1-5)")
        CES = "ces", _("Effort (CES, 1-7)")
        RATING = "rating", _("Rating (1-5)")
        SINGLE_CHOICE = "single_choice", _("One choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    # (lowest, highest, label of the lowest, label of the highest) for the kinds answered on a scale.
    class Operator(models.TextChoices):
        SCORE_BETWEEN = "score_between", _("score is between")
        CHOICE_IS = "choice_is", _("answer is")
        CHOICE_IS_NOT = "choice_is_not", _("answer is not")
        ANSWERED = "answered", _("is answered")

    SCALES = {
        Kind.NPS: (0, 10, _("Not at all likely"), _("Extremely likely")),
        Kind.CSAT: (1, 5, _("Very dissatisfied"), _("Very satisfied")),
        Kind.CES: (1, 7, _("Very difficult"), _("Very easy")),
        Kind.RATING: (1, 5, pgettext_lazy("rating", "Poor"), pgettext_lazy("rating", "Excellent")),
    }
    CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    # A display condition on an earlier answer (apps/surveys/logic.py evaluates it): asked only when
    # `condition_question`'s answer is in [min, max], is or is not `condition_choice`, or is given.
    condition_question = models.ForeignKey("self", verbose_name=_("shown depending on"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="dependents")
    condition_operator = models.CharField(_("condition"), max_length=16, choices=Operator.choices, blank=True)
    condition_min = models.PositiveSmallIntegerField(_("from score"), null=True, blank=True)
    condition_max = models.PositiveSmallIntegerField(_("to score"), null=True, blank=True)
    condition_choice = models.ForeignKey("Choice", verbose_name=_("answer"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    # "End the survey" rule on this question's own answer: nothing after it is asked.
    end_operator = models.CharField(_("end the survey when"), max_length=16, choices=Operator.choices, blank=True)
    end_min = models.PositiveSmallIntegerField(_("from score"), null=True, blank=True)
    end_max = models.PositiveSmallIntegerField(_("to score"), null=True, blank=True)
    end_choice = models.ForeignKey("Choice", verbose_name=_("answer"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # The question opens a new page: the server evaluates the conditions between pages.
    page_break = models.BooleanField(_("starts a new page"), default=False)
    # The texts in the survey's other language: {"en": {"text": …, "help_text": …}}.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    # An answered question is hidden rather than deleted, so its answers keep their meaning.
    is_hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey_id", "position", "pk"]
        indexes = [models.Index(fields=["workspace", "survey", "position"], name="question_ws_survey_pos")]
    def __str__(self) -> str:
        return self.text

    @property
    def scale(self) -> tuple | None:
        return self.SCALES.get(self.kind)

    @property
    def scale_values(self) -> list[int]:
        low, high, *_labels = self.scale
        return list(range(low, high + 1))

    @property
    def is_scale(self) -> bool:
        return self.kind in self.SCALES

    @property
    def is_choice(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in self.TEXT_KINDS

    @property
    def is_follow_up(self) -> bool:
        """Asked only when an earlier answer says so."""
        return bool(self.condition_operator) and self.condition_question_id is not None


class Choice(WorkspaceOwned):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE,
                                 related_name="choices")
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=300)
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question_id", "position", "pk"]
        indexes = [models.Index(fields=["workspace", "question", "position"], name="choice_ws_question_pos")]

    def __str__(self) -> str:
        return self.text


class Distribution(WorkspaceOwned):
    """One send of a survey to a selection of customers; each recipient gets a SurveyInvitation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        FAILED = "failed", _("Failed")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE,
                               related_name="distributions")
    name = models.CharField(_("name"), max_length=160)
    # The selection, as attribute equals value pairs ({"segment": "vip"}); empty means every customer.
    filters = models.JSONField(_("selection"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # A saved segment the recipients come from, besides `filters`. Its rules are copied at creation, so a
    # re-run of the job reaches the same definition even if the segment is edited or deleted since.
    segment = models.ForeignKey("customers.Segment", verbose_name=_("saved segment"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    segment_rules = models.JSONField(_("segment rules"), default=dict, blank=True)
    # The relationship NPS wave this send is, when a wave schedule created it.
    wave_schedule = models.ForeignKey("WaveSchedule", verbose_name=_("wave schedule"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="distributions")
    wave_number = models.PositiveIntegerField(_("wave"), null=True, blank=True)
    # Recomputed from the invitations by the jobs (never incremented), so a re-run converges.
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    opened_count = models.PositiveIntegerField(_("opened"), default=0)
    answered_count = models.PositiveIntegerField(_("answered"), default=0)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "survey", "created_at"], name="distribution_ws_survey_time")]
        constraints = [
            # A beat job that runs twice finds the wave instead of sending it again.
            models.UniqueConstraint(fields=["workspace", "wave_schedule", "wave_number"],
                                    name="distribution_unique_wave"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def response_rate(self) -> float | None:
        """Answered invitations per sent invitation, in percent."""
        return self.answered_count * 100 / self.sent_count if self.sent_count else None


def add_interval(moment: datetime, every: int, unit: str) -> datetime:
    """`moment` plus `every` weeks or months; a month step keeps the day, or the month's last day."""
    if unit == WaveSchedule.Unit.WEEKS:
        return moment + timedelta(weeks=every)
    month_index = moment.month - 1 + every
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


class WaveScheduleQuerySet(WorkspaceQuerySet):
    def due(self, now: datetime):
        return self.filter(status=WaveSchedule.Status.ACTIVE, next_wave_at__lte=now)


class WaveSchedule(WorkspaceOwned):
    """Relationship NPS in waves: the survey sent to a saved segment every N weeks or months. A beat job
    creates each wave's Distribution when it is due, through the usual batch sender."""

    class Unit(models.TextChoices):
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=120)
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE,
                               related_name="wave_schedules")
    # PROTECT: without its segment a schedule would not know whom to send to.
    segment = models.ForeignKey("customers.Segment", verbose_name=_("saved segment"), on_delete=models.PROTECT,
                                related_name="wave_schedules")
    every = models.PositiveSmallIntegerField(_("every"), validators=[MinValueValidator(1), MaxValueValidator(52)])
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.MONTHS)
    next_wave_at = models.DateTimeField(_("next wave at"))
    waves_created = models.PositiveIntegerField(_("waves sent"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WaveScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("wave schedule")
        verbose_name_plural = _("wave schedules")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["status", "next_wave_at"], name="waveschedule_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def interval_text(self) -> str:
        if self.unit == self.Unit.WEEKS:
            return ngettext("every week", "every %(n)s weeks", self.every) % {"n": self.every}
        return ngettext("every month", "every %(n)s months", self.every) % {"n": self.every}

    def following(self, moment: datetime) -> datetime:
        return add_interval(moment, self.every, self.unit)


class InvitationQuerySet(WorkspaceQuerySet):
    def counts(self) -> dict[str, int]:
        """Recipients, sent, skipped (by reason), failed, opened and answered, in one query."""
        Status, Skip = SurveyInvitation.Status, SurveyInvitation.SkipReason
        return self.aggregate(
            recipient_count=Count("pk"),
            sent_count=Count("pk", filter=Q(status=Status.SENT)),
            skipped_count=Count("pk", filter=Q(status=Status.SKIPPED)),
            failed_count=Count("pk", filter=Q(status=Status.FAILED)),
            pending_count=Count("pk", filter=Q(status=Status.PENDING)),
            # Waiting because the mail server refused or timed out: the outbound log retries them.
            retrying_count=Count("pk", filter=Q(status=Status.PENDING, email__status="retrying")),
            opened_count=Count("pk", filter=Q(status=Status.SENT, opened_at__isnull=False)),
            answered_count=Count("pk", filter=Q(status=Status.SENT, answered_at__isnull=False)),
            **{f"skipped_{reason}": Count("pk", filter=Q(status=Status.SKIPPED, skip_reason=reason))
               for reason in Skip.values},
        )


class SurveyInvitation(WorkspaceOwned):
    """A personal survey link (/r/<token>/) for one customer: at most one response."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    class SkipReason(models.TextChoices):
        NO_CONSENT = "no_consent", _("No consent to be surveyed")
        FATIGUE = "fatigue", _("Surveyed recently (contact fatigue)")
        NO_EMAIL = "no_email", _("No e-mail address")

    distribution = models.ForeignKey(Distribution, verbose_name=_("distribution"), on_delete=models.CASCADE,
                                     related_name="invitations")
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="+")
    # Random: the link is the only credential the customer has.
    token = models.CharField(max_length=48, default=invitation_token, editable=False, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    skip_reason = models.CharField(_("skipped because"), max_length=16, choices=SkipReason.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    # The invitation's e-mail in the outbound log (attempts, last error); pending until that one is settled.
    email = models.ForeignKey("outbox.OutboundEmail", verbose_name=_("e-mail"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "token"], name="survey_invitation_unique_token"),
            # A re-run of the same distribution finds the invitation instead of sending a second one.
            models.UniqueConstraint(fields=["workspace", "distribution", "customer"],
                                    name="survey_invitation_unique_customer"),
        ]
        indexes = [models.Index(fields=["workspace", "distribution", "status"], name="survey_inv_ws_dist_status")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer_id}"

    def get_absolute_url(self) -> str:
        """The personal link in the e-mail; absolute, because Celery sends it without a request."""
        return settings.SITE_URL + reverse("personal_survey", kwargs={"token": self.token})

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ResponseQuerySet(WorkspaceQuerySet):
    def with_expiry_mark(self):
        """Each response with `recorded_on_expiry`: it was recorded from unfinished answers when they expired."""
        expired = PartialResponse.objects.filter(workspace=OuterRef("workspace"), response=OuterRef("pk"),
                                                 status=PartialResponse.Status.EXPIRED)
        return self.annotate(recorded_on_expiry=Exists(expired))

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
    workspace = workspace_key(db_index=False)  # the response_ws_* indexes lead with it
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Erasing a customer keeps the answers, anonymously, so the scores stay true.
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    invitation = models.ForeignKey(SurveyInvitation, verbose_name=_("invitation"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=24, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    nps_score = models.PositiveSmallIntegerField(_("NPS answer"), null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(_("CSAT answer"), null=True, blank=True)
    ces_score = models.PositiveSmallIntegerField(_("CES answer"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Allowed query-string values the link carried (?order=A123), truncated.
    hidden_fields = models.JSONField(_("hidden fields"), default=dict, blank=True)
    # Rendered into the form when it is shown: a double click or a reload posts the same key twice, and
    # SubmissionKey's unique constraint turns the second post into "already recorded". (Not a unique
    # constraint here: on PostgreSQL the table is partitioned by month, and a partitioned table's unique keys
    # must contain submitted_at, which differs between the two posts.)
    submission_key = models.CharField(max_length=32, default=new_submission_key, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["workspace", "submitted_at"], name="response_ws_time"),
            models.Index(fields=["workspace", "touchpoint", "submitted_at"], name="response_ws_tp_time"),
            # With the time, a customer's latest answer is one index step (Customer.last_nps_score, the
            # profile timeline) instead of a sort of all their responses.
            models.Index(fields=["workspace", "customer", "submitted_at"], name="response_ws_customer_time"),
            models.Index(fields=["workspace", "survey", "submitted_at"], name="response_ws_survey_time"),
            models.Index(fields=["workspace", "submission_key"], name="response_ws_submission_key"),
            models.Index(fields=["workspace", "invitation"], name="response_ws_invitation"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nps_score__isnull=True) | Q(nps_score__lte=10),
                                   name="response_nps_0_10"),
            models.CheckConstraint(condition=Q(csat_score__isnull=True) | Q(csat_score__range=(1, 5)),
                                   name="response_csat_1_5"),
            models.CheckConstraint(condition=Q(ces_score__isnull=True) | Q(ces_score__range=(1, 7)),
                                   name="response_ces_1_7"),
            # One response per personal link: response_record holds the invitation's row lock and checks
            # answered_at (a unique key here would have to contain submitted_at, see submission_key).
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def nps_group(self) -> str | None:
        if self.nps_score is None:
            return None
        return "promoter" if self.nps_score >= 9 else "passive" if self.nps_score >= 7 else "detractor"

    @property
    def channel_name(self) -> str:
        from apps.touchpoints.models import Channel

        return Channel(self.channel).label if self.channel in Channel.values else self.channel


# The constraint a repeated submission key breaks (services.response_record tells its IntegrityError by it).
SUBMISSION_KEY_UNIQUE = "submission_key_unique"


class SubmissionKey(WorkspaceOwned):
    """The double-post guard of the public form: one row per submission key, unique per workspace, written
    in the response's transaction. Kept only as long as a form token lives (a day, form_tokens.MAX_AGE) plus
    a margin: an older form is refused anyway."""

    workspace = workspace_key(db_index=False)  # submission_key_unique leads with it
    key = models.CharField(max_length=32)
    response_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name=SUBMISSION_KEY_UNIQUE)]

    def __str__(self) -> str:
        return self.key


class Answer(WorkspaceOwned):
    """One answer to one question. A multiple-choice answer is one row per chosen option, so
    "how many picked X" is a plain COUNT ... GROUP BY choice_id."""

    workspace = workspace_key(db_index=False)  # the answer_ws_* indexes lead with it
    # No database constraint: on PostgreSQL responses are partitioned by month, and a foreign key to a
    # partitioned table needs its partition key (submitted_at) too. Written in the response's transaction
    # and deleted with it by the ORM; `manage.py response_partitions check` counts strays.
    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.CASCADE,
                                 related_name="answers", db_constraint=False)
    # PROTECT: an answered question is hidden, not deleted.
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    number = models.SmallIntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    choice = models.ForeignKey(Choice, verbose_name=_("choice"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["workspace", "question", "number"], name="answer_ws_question_number"),
            models.Index(fields=["workspace", "question", "choice"], name="answer_ws_question_choice"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "response", "question"], condition=Q(choice__isnull=True),
                                    name="answer_unique_question"),
            models.UniqueConstraint(fields=["workspace", "response", "question", "choice"],
                                    condition=Q(choice__isnull=False), name="answer_unique_choice"),
        ]

    def __str__(self) -> str:
        if self.choice_id:
            return str(self.choice)
        return str(self.number) if self.number is not None else self.text


def resume_token() -> str:
    return secrets.token_urlsafe(24)


class PartialResponseQuerySet(WorkspaceQuerySet):
    def unfinished(self):
        """Started and never completed: still resumable, or expired."""
        return self.exclude(status=PartialResponse.Status.COMPLETED)


class PartialResponse(WorkspaceOwned):
    """The answers of a multi-page survey kept page by page until the last page is sent. It is not a
    Response: scores, rollups and feedback read responses only, so an unfinished answer never counts
    until it is completed (or, if the survey says so, recorded when it expires)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+")
    # A personal link resumes through its invitation; a public link through this token in the URL
    # (never a cookie: the page works in a cookie-less iframe).
    invitation = models.ForeignKey(SurveyInvitation, verbose_name=_("invitation"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    resume_token = models.CharField(max_length=48, default=resume_token, editable=False)
    # Becomes the response's submission key, so completing twice records one response.
    submission_key = models.CharField(max_length=32, default=new_submission_key, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    hidden_fields = models.JSONField(_("hidden fields"), default=dict, blank=True)
    # {"<question id>": value} with plain values: a number, a choice id, a list of choice ids or text.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # The page to show next (0 is the first) and the position of the furthest question shown so far.
    page = models.PositiveSmallIntegerField(_("page"), default=0)
    reached_position = models.PositiveIntegerField(_("reached question position"), default=0)
    nps_score = models.PositiveSmallIntegerField(_("NPS answer"), null=True, blank=True)
    # One partial response per response (the constraint below, led by the workspace like every unique key);
    # no database constraint: responses are partitioned by month (partitions.py), the ORM keeps the link.
    response = models.ForeignKey(Response, verbose_name=_("response"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="partials", db_constraint=False)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last answer at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    objects = PartialResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("unfinished response")
        verbose_name_plural = _("unfinished responses")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "resume_token"], name="partial_unique_resume_token"),
            models.UniqueConstraint(fields=["workspace", "response"], condition=Q(response__isnull=False),
                                    name="partial_unique_response"),
            # A double click on the first page finds the partial response it already made.
            models.UniqueConstraint(fields=["workspace", "submission_key"], name="partial_unique_submission_key"),
            models.UniqueConstraint(fields=["workspace", "invitation"], condition=Q(status="in_progress"),
                                    name="partial_unique_open_invitation"),
        ]
        indexes = [
            models.Index(fields=["workspace", "survey", "status"], name="partial_ws_survey_status"),
            models.Index(fields=["status", "expires_at"], name="partial_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_status_display()}"


class Quota(WorkspaceOwned):
    """Stop a survey, or one cell of it (a hidden field or customer attribute equal to a value, or the
    channel), at `limit` complete responses. `completed` is claimed by a conditional UPDATE in the
    submission's own transaction (quotas.py), so concurrent submissions cannot pass the limit."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="quotas")
    # Empty: the whole survey. Otherwise "channel", a hidden field or a customer attribute key.
    field = models.CharField(_("field"), max_length=40, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    limit = models.PositiveIntegerField(_("complete responses"))
    completed = models.PositiveIntegerField(_("completed so far"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["field", "value", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "survey", "field", "value"], name="quota_unique_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.value}: {self.limit}" if self.field else str(self.limit)

    @property
    def is_full(self) -> bool:
        return self.completed >= self.limit

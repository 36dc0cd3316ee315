"""Feedback in the customer's own words (comments, reviews, call notes), its tags, themes and sentiment;
the follow-up cases that close the loop with unhappy customers; and the alert rules that watch the scores."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import Language, WorkspaceOwned, WorkspaceQuerySet, hex_colour, workspace_key


class ScoreGroup(models.TextChoices):
    PROMOTER = "promoter", _("Promoter")
    PASSIVE = "passive", _("Passive")
    DETRACTOR = "detractor", _("Detractor")

    @classmethod
    def of(cls, score: int | None) -> str:
        """The NPS group of a 0–10 answer; "" without one."""
        if score is None:
            return ""
        return cls.PROMOTER if score >= 9 else cls.PASSIVE if score >= 7 else cls.DETRACTOR


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Source(models.TextChoices):
    SURVEY = "survey", _("Survey")
    APP_REVIEW = "app_review", _("App review")
    CALL_CENTRE = "call_centre", _("Call centre")
    CSV = "csv", _("CSV import")
    API = "api", _("API")


# Tags ------------------------------------------------------------------------------------------

class Tag(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=60)
    colour = models.CharField(_("colour"), max_length=7, default="#64748B", validators=[hex_colour])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="feedback_tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class TagRule(WorkspaceOwned):
    """Auto-tagging: a feedback item whose text contains one of the keywords gets the tag.
    One rule per tag; its keywords are written in Korean and English, one per line or comma-separated."""

    tag = models.ForeignKey(Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="+")
    keywords = models.TextField(_("keywords"), help_text=_(
        "One per line or separated by commas, in Korean and English, e.g. 배송, 택배, delivery, shipping."))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tag rule")
        verbose_name_plural = _("tag rules")
        ordering = ["tag__name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "tag"], name="feedback_tagrule_unique_tag")]

    def __str__(self) -> str:
        return f"{self.tag} ← {self.keywords[:60]}"

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    def matches(self, text: str) -> bool:
        folded = (text or "").casefold()
        return any(keyword in folded for keyword in self.keyword_list)


def split_keywords(text: str) -> list[str]:
    """Keywords as matched: case-folded, stripped, without duplicates, in the order written."""
    seen: dict[str, None] = {}
    for part in (text or "").replace("\n", ",").split(","):
        keyword = part.strip().casefold()
        if keyword:
            seen.setdefault(keyword[:60], None)
    return list(seen)


# Themes ----------------------------------------------------------------------------------------

class ThemeQuerySet(WorkspaceQuerySet):
    def shown(self):
        """The themes reports show: found in the data (or kept by a marketer), not hidden, not merged."""
        return self.filter(Q(found=True) | Q(pinned=True), hidden=False, merged_into__isnull=True)


class Theme(WorkspaceOwned):
    """What feedback is about: a normalised key noun or phrase ("배송", "app"), with a label per language."""

    key = models.CharField(_("key"), max_length=80)
    label_ko = models.CharField(_("label (Korean)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=80)
    # A marketer's edits, which the analysis keeps to: a hidden theme is still found but never shown; a
    # theme merged into another is counted as that one, in existing feedback and in what comes.
    hidden = models.BooleanField(_("hidden"), default=False)
    # Found in the data: frequent in this workspace's comments against general Korean, with enough of them
    # (apps.feedback.theme_discovery, a periodic job). Until that job has looked, a new theme counts as found.
    found = models.BooleanField(_("found in the data"), default=True)
    # Renamed, shown or merged into by a marketer: shown whatever the discovery says.
    pinned = models.BooleanField(_("kept by hand"), default=False)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="merged")

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="feedback_theme_unique_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "en").startswith("ko"):
            return self.label_ko or self.label_en
        return self.label_en or self.label_ko


# Feedback items ---------------------------------------------------------------------------------

class FeedbackImport(WorkspaceOwned):
    """One CSV upload of feedback from other channels. The file is kept in the row, so any worker can
    process it and a re-run replaces the items it created before."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"line": 7, "code": "…", "params": {…}}]: codes, so each reader sees them in their own language.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_params = models.JSONField(_("failure parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback import")
        verbose_name_plural = _("feedback imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def failure_message(self) -> str:
        from .csv_feedback import failure_message

        return failure_message(self.failure_code, self.failure_params) if self.failure_code else ""

    def error_messages(self, limit: int | None = None) -> list[dict]:
        from .csv_feedback import row_error_message

        entries = self.errors[:limit] if limit else self.errors
        return [{"line": entry.get("line"), "reason": row_error_message(entry)} for entry in entries]


class FeedbackItemQuerySet(WorkspaceQuerySet):
    def search(self, text: str):
        """Items whose text matches `text`. PostgreSQL full-text search ('simple' configuration, so no
        language's stemming hides a word) finds the words in any order; a Korean word is usually glued to
        its particle ("배송이"), which no full-text token equals, so a substring match is OR-ed in."""
        from django.db import connection

        text = (text or "").strip()[:200]
        if not text:
            return self
        # Every word somewhere in the text, in any order: "late delivery" finds "the delivery was late".
        substrings = Q()
        for word in text.split()[:8]:
            substrings &= Q(text__icontains=word.strip('"'))
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            return (self.annotate(search_document=SearchVector("text", config="simple"))
                    .filter(Q(search_document=SearchQuery(text, config="simple", search_type="websearch"))
                            | substrings))
        return self.filter(substrings)

    def with_case_status(self, status: str):
        """"open": the response behind the item has a follow-up case still open; "closed": its case is
        closed; "none": no case."""
        cases = FollowUpCase.objects.filter(workspace=OuterRef("workspace"), response=OuterRef("response"))
        if status == "open":
            return self.filter(Exists(cases.exclude(status=FollowUpCase.Status.CLOSED)))
        if status == "closed":
            return self.filter(Exists(cases.filter(status=FollowUpCase.Status.CLOSED)))
        if status == "none":
            return self.filter(~Exists(cases))
        return self


class FeedbackItem(WorkspaceOwned):
    """One piece of feedback in the customer's words: a survey comment, an app review, a call note."""

    workspace = workspace_key(db_index=False)  # the feedback_item_ws_* indexes lead with it
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    survey = models.ForeignKey("surveys.Survey", verbose_name=_("survey"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    # No database constraint: responses are partitioned by month on PostgreSQL (see surveys.Answer.response).
    response = models.ForeignKey("surveys.Response", verbose_name=_("response"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+", db_constraint=False)
    answer = models.ForeignKey("surveys.Answer", verbose_name=_("answer"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    feedback_import = models.ForeignKey(FeedbackImport, verbose_name=_("import"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(_("NPS answer"), null=True, blank=True)
    score_group = models.CharField(_("NPS group"), max_length=10, choices=ScoreGroup.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.SURVEY)
    # The sender's own id (an app-store review id, a call id): sending it again updates nothing twice.
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sentiment_score = models.FloatField(_("sentiment score"), null=True, blank=True)
    sentiment_label = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    # How sure the model was (0 at a coin toss, 1 at certainty); a neutral label with 0 means "no opinion".
    sentiment_confidence = models.FloatField(_("sentiment confidence"), null=True, blank=True)
    # Some clause wishes for something or misses something ("…있었으면 좋겠어요", "I wish…").
    unmet_need = models.BooleanField(_("unmet need"), default=False)
    # Which models labelled it ("ko-nblr1-20f6c878", "vader-3.3.2", "ws7-…"): reports and exports say it.
    analysis_version = models.CharField(_("analysis version"), max_length=40, blank=True)
    # Why the analysis of this item failed, when it did (it then stays neutral, without themes).
    analysis_error = models.CharField(_("analysis error"), max_length=200, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, through="FeedbackTag", related_name="+", blank=True)
    themes = models.ManyToManyField(Theme, through="FeedbackTheme", related_name="+", blank=True)

    objects = FeedbackItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="feedback_item_ws_time"),
            models.Index(fields=["workspace", "touchpoint", "created_at"], name="feedback_item_ws_tp_time"),
            models.Index(fields=["workspace", "response"], name="feedback_item_ws_response"),
            models.Index(fields=["workspace", "analysed_at"], name="feedback_item_ws_analysed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=10), name="feedback_item_score_0_10"),
            models.CheckConstraint(condition=Q(sentiment_score__isnull=True) | Q(sentiment_score__range=(-1, 1)),
                                   name="feedback_item_sentiment_range"),
            # One item per text answer, and one per response whose comment has no text answer behind it:
            # the backfill and a re-sent submission find the item instead of adding another.
            models.UniqueConstraint(fields=["workspace", "answer"], condition=Q(answer__isnull=False),
                                    name="feedback_item_unique_answer"),
            models.UniqueConstraint(fields=["workspace", "response"],
                                    condition=Q(answer__isnull=True, response__isnull=False),
                                    name="feedback_item_unique_response_comment"),
            models.UniqueConstraint(fields=["workspace", "source", "external_id"], condition=~Q(external_id=""),
                                    name="feedback_item_unique_external_id"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class FeedbackTag(WorkspaceOwned):
    item = models.ForeignKey(FeedbackItem, verbose_name=_("feedback item"), on_delete=models.CASCADE,
                             related_name="+")
    tag = models.ForeignKey(Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="+")
    # Set by a tag rule (and taken away again when the rule stops matching); manual tags stay.
    auto = models.BooleanField(_("set by a rule"), default=False)

    class Meta:
        verbose_name = _("feedback tag")
        verbose_name_plural = _("feedback tags")
        constraints = [models.UniqueConstraint(fields=["workspace", "item", "tag"], name="feedback_tag_unique_item")]
        indexes = [models.Index(fields=["workspace", "tag"], name="feedback_tag_ws_tag")]

    def __str__(self) -> str:
        return f"{self.tag_id} · {self.item_id}"


class FeedbackThemeQuerySet(WorkspaceQuerySet):
    def shown(self):
        """Mentions of the themes reports show (see ThemeQuerySet.shown; the others' are kept, and left out)."""
        return self.filter(Q(theme__found=True) | Q(theme__pinned=True), theme__hidden=False)


class FeedbackTheme(WorkspaceOwned):
    item = models.ForeignKey(FeedbackItem, verbose_name=_("feedback item"), on_delete=models.CASCADE,
                             related_name="mentions")
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="+")
    # The sentiment of the clause the theme is mentioned in ("배송은 빠른데 품질이 영 아니네요": delivery
    # positive, quality negative), which theme counts use instead of the whole comment's.
    sentiment_label = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(_("sentiment score"), null=True, blank=True)
    unmet_need = models.BooleanField(_("unmet need"), default=False)

    objects = FeedbackThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback theme")
        verbose_name_plural = _("feedback themes")
        constraints = [models.UniqueConstraint(fields=["workspace", "item", "theme"],
                                               name="feedback_theme_unique_item")]
        indexes = [models.Index(fields=["workspace", "theme"], name="feedback_theme_ws_theme")]

    def __str__(self) -> str:
        return f"{self.theme_id} · {self.item_id}"


# Text analysis: each workspace's adapted sentiment model and the re-analysis runs ----------------------

class WorkspaceTextModel(WorkspaceOwned):
    """The workspace's own sentiment model for Korean: the base model blended with what its customers'
    scored comments teach (a promoter's comment is positive, a detractor's negative). Refitted by a job
    once enough new scored comments exist; judged on comments held out of its fit, beside the base model."""

    enabled = models.BooleanField(_("learn this workspace's words"), default=True)
    version = models.CharField(_("version"), max_length=40, blank=True)
    generation = models.PositiveIntegerField(_("fits"), default=0)
    # Sparse: only what differs from the base model (apps.feedback.adaptation).
    weights = models.BinaryField(_("weights"), null=True, blank=True, editable=False)
    trained_on = models.PositiveIntegerField(_("trained on"), default=0)
    held_out = models.PositiveIntegerField(_("held-out comments"), default=0)
    held_out_accuracy = models.FloatField(_("held-out accuracy"), null=True, blank=True)
    base_held_out_accuracy = models.FloatField(_("base model's held-out accuracy"), null=True, blank=True)
    # Scored comments there were at the last fit: the next fit waits until there are enough new ones.
    labelled_at_fit = models.PositiveIntegerField(default=0, editable=False)
    trained_at = models.DateTimeField(_("trained at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("workspace text model")
        verbose_name_plural = _("workspace text models")
        constraints = [models.UniqueConstraint(fields=["workspace"], name="feedback_textmodel_unique_workspace")]

    def __str__(self) -> str:
        return self.version or "—"

    @property
    def helps(self) -> bool:
        """Fitted, and at least as right as the base model on the held-out comments."""
        return (self.weights is not None and self.held_out_accuracy is not None
                and self.held_out_accuracy >= (self.base_held_out_accuracy or 0))


class Reanalysis(WorkspaceOwned):
    """One pass of the analysis over every feedback item of a workspace, after its model or its themes
    changed. The job takes the items analysed before the run began, a batch at a time, so running it again
    goes on where it stopped."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Re-analysing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        MODEL = "model", _("The model changed")
        THEMES = "themes", _("The themes changed")
        MANUAL = "manual", _("Asked for")

    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, default=Reason.MANUAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("items"), default=0)
    done = models.PositiveIntegerField(_("re-analysed"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("re-analysis")
        verbose_name_plural = _("re-analyses")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="feedback_reanalysis_ws_time")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return min(100, round(self.done * 100 / self.total)) if self.total else 100

    @property
    def active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


# Alert rules -------------------------------------------------------------------------------------

class AlertRule(WorkspaceOwned):
    class Kind(models.TextChoices):
        TOUCHPOINT_NPS_BELOW = "touchpoint_nps_below", _("A touchpoint's 7-day NPS falls below the threshold")
        DETRACTOR_SHARE_ABOVE = "detractor_share_above", _(
            "Detractors rise above the threshold (%) of the day's responses")
        COMMENT_KEYWORDS = "comment_keywords", _("A comment contains one of the keywords (opens a follow-up case)")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+",
                                   help_text=_("Leave empty to watch every touchpoint."))
    threshold = models.FloatField(_("threshold"), default=0, help_text=_(
        "An NPS from −100 to 100, or a share of detractors in percent."))
    min_responses = models.PositiveIntegerField(_("minimum responses"), default=10, help_text=_(
        "Fewer responses than this say too little: the rule waits for more."))
    keywords = models.TextField(_("keywords"), blank=True, help_text=_(
        "For comment rules: one per line or comma-separated, e.g. 해지, 환불, cancel, refund."))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_metric(self) -> bool:
        return self.kind in (self.Kind.TOUCHPOINT_NPS_BELOW, self.Kind.DETRACTOR_SHARE_ABOVE)

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    def matches_comment(self, text: str) -> bool:
        folded = (text or "").casefold()
        return any(keyword in folded for keyword in self.keyword_list)


class AlertState(WorkspaceOwned):
    """Where a metric rule stands for one scope (a touchpoint, or the whole workspace): breached or not.
    An alert fires when the state flips to breached, and the rule re-arms when the metric recovers."""

    rule = models.ForeignKey(AlertRule, verbose_name=_("alert rule"), on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    # The touchpoint id, or 0 for the whole workspace: NULLs would not collide in the unique constraint.
    scope_key = models.BigIntegerField(_("scope"), default=0)
    # The period the state belongs to (the day, for a daily rule): a new period starts armed.
    period_key = models.CharField(_("period"), max_length=16, blank=True)
    is_breached = models.BooleanField(_("breached"), default=False)
    value = models.FloatField(_("last value"), null=True, blank=True)
    sample_size = models.PositiveIntegerField(_("responses"), default=0)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert state")
        verbose_name_plural = _("alert states")
        constraints = [models.UniqueConstraint(fields=["workspace", "rule", "scope_key"],
                                               name="feedback_alertstate_unique_scope")]

    def __str__(self) -> str:
        return f"{self.rule} · {self.scope_key}"


class AlertQuerySet(WorkspaceQuerySet):
    def open(self):
        return self.filter(status=Alert.Status.OPEN)


class Alert(WorkspaceOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    rule = models.ForeignKey(AlertRule, verbose_name=_("alert rule"), on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(_("value"))
    threshold = models.FloatField(_("threshold"))
    sample_size = models.PositiveIntegerField(_("responses"))
    fired_at = models.DateTimeField(_("fired at"), default=timezone.now)
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-fired_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "status"], name="feedback_alert_ws_status")]

    def __str__(self) -> str:
        return f"{self.rule} · {self.fired_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return settings.SITE_URL + reverse("feedback:alert_list", kwargs={"workspace_slug": self.workspace.slug})


# Follow-up cases -----------------------------------------------------------------------------------

class FollowUpCaseQuerySet(WorkspaceQuerySet):
    def open(self):
        return self.exclude(status=FollowUpCase.Status.CLOSED)

    def overdue(self, now: datetime | None = None):
        """Open cases past their due time; resolved ones wait only for closing, so they are not late."""
        return self.filter(status__in=FollowUpCase.WORKING_STATUSES, due_at__lt=now or timezone.now())


class FollowUpCase(WorkspaceOwned):
    """The closed loop: an unhappy customer's response, assigned to someone who contacts them."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Reason(models.TextChoices):
        DETRACTOR = "detractor", _("Detractor")
        ALERT_RULE = "alert_rule", _("Alert rule")

    # Allowed moves; "reopen" is resolved → contacted. A closed case stays closed.
    TRANSITIONS = {
        Status.NEW: (Status.CONTACTED, Status.RESOLVED, Status.CLOSED),
        Status.CONTACTED: (Status.RESOLVED, Status.CLOSED),
        Status.RESOLVED: (Status.CLOSED, Status.CONTACTED),
        Status.CLOSED: (),
    }
    WORKING_STATUSES = (Status.NEW, Status.CONTACTED)

    # No database constraint: responses are partitioned by month on PostgreSQL (see surveys.Answer.response).
    response = models.ForeignKey("surveys.Response", verbose_name=_("response"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+", db_constraint=False)
    feedback_item = models.ForeignKey(FeedbackItem, verbose_name=_("feedback"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    survey = models.ForeignKey("surveys.Survey", verbose_name=_("survey"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    nps_score = models.PositiveSmallIntegerField(_("NPS answer"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, default=Reason.DETRACTOR)
    alert_rule = models.ForeignKey(AlertRule, verbose_name=_("alert rule"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    contacted_at = models.DateTimeField(_("first contacted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    time_to_close = models.DurationField(_("time to close"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FollowUpCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="case_ws_status_due"),
            models.Index(fields=["workspace", "assignee", "status"], name="case_ws_assignee_status"),
            models.Index(fields=["workspace", "customer"], name="case_ws_customer"),
            models.Index(fields=["workspace", "created_at"], name="case_ws_time"),
        ]
        constraints = [
            # One case per response: the backfill and a repeated submission find it instead of opening another.
            models.UniqueConstraint(fields=["workspace", "response"], condition=Q(response__isnull=False),
                                    name="case_unique_response"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:case_detail", kwargs={"workspace_slug": self.workspace.slug, "case_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.status in self.WORKING_STATUSES and self.due_at < timezone.now()

    @property
    def nps_group(self) -> str:
        return ScoreGroup.of(self.nps_score)

    @property
    def next_statuses(self) -> tuple:
        return self.TRANSITIONS[self.status]

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    @staticmethod
    def due_from(opened_at: datetime, sla_hours: int) -> datetime:
        return opened_at + timedelta(hours=sla_hours)


class CaseEvent(WorkspaceOwned):
    """The case's timeline: its opening, notes, status changes and reassignments."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        NOTE = "note", _("Note")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")

    case = models.ForeignKey(FollowUpCase, verbose_name=_("follow-up case"), on_delete=models.CASCADE,
                             related_name="events")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(_("from"), max_length=16, choices=FollowUpCase.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=FollowUpCase.Status.choices, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "case", "created_at"], name="case_event_ws_case_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · #{self.case_id}"

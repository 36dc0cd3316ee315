"""ERRC boards: the Blue Ocean four actions (Eliminate, Reduce, Raise, Create) applied to the customer
experience. A board holds items; an item holds the evidence that justified it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import WorkspaceOwned, WorkspaceQuerySet


class Quadrant(models.TextChoices):
    ELIMINATE = "eliminate", _("Eliminate")
    REDUCE = "reduce", _("Reduce")
    RAISE = "raise", _("Raise")
    CREATE = "create", _("Create")

    @classmethod
    def explain(cls, quadrant: str) -> str:
        return {
            cls.ELIMINATE: _("Steps customers put up with that add no value: remove them."),
            cls.REDUCE: _("Necessary steps that cost too much effort or frustration: cut them down."),
            cls.RAISE: _("Steps that drive loyalty but score below the journey: lift them."),
            cls.CREATE: _("Needs customers voice that no touchpoint serves yet: add them."),
        }[quadrant]


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DISMISSED = "dismissed", _("Dismissed")


class ErrcBoard(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    journey = models.ForeignKey("touchpoints.Journey", verbose_name=_("journey"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ERRC board")
        verbose_name_plural = _("ERRC boards")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="errc_board_unique_name")]

    def __str__(self) -> str:
        return self.name


class ErrcItemQuerySet(WorkspaceQuerySet):
    def open(self):
        return self.exclude(status__in=(Status.DONE, Status.DISMISSED))


class ErrcItem(WorkspaceOwned):
    board = models.ForeignKey(ErrcBoard, verbose_name=_("board"), on_delete=models.CASCADE, related_name="items")
    quadrant = models.CharField(_("quadrant"), max_length=16, choices=Quadrant.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Through a tenant table of its own: an automatic one would have no workspace_id (docs/scaling.md).
    touchpoints = models.ManyToManyField("touchpoints.Touchpoint", verbose_name=_("touchpoints"), blank=True,
                                         related_name="+", through="ErrcItemTouchpoint")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    expected_impact = models.TextField(_("expected impact"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ErrcItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("ERRC item")
        verbose_name_plural = _("ERRC items")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["workspace", "board", "quadrant"], name="errc_item_ws_board_quadrant")]
        constraints = [
            # done_at is the start of the "after" period of impact tracking: a done item must have one.
            models.CheckConstraint(condition=~Q(status="done") | Q(done_at__isnull=False),
                                   name="errc_item_done_has_date"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def quadrant_explanation(self) -> str:
        return Quadrant.explain(self.quadrant)


class ErrcItemTouchpoint(WorkspaceOwned):
    """An item concerns a touchpoint (the evidence the item's KPIs are read from)."""

    item = models.ForeignKey(ErrcItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), on_delete=models.CASCADE,
                                   related_name="+")

    class Meta:
        verbose_name = _("ERRC item touchpoint")
        verbose_name_plural = _("ERRC item touchpoints")
        constraints = [models.UniqueConstraint(fields=["workspace", "item", "touchpoint"],
                                               name="errc_item_touchpoint_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.touchpoint_id}"


class ItemEvidence(WorkspaceOwned):
    item = models.ForeignKey(ErrcItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="evidence")
    feedback_item = models.ForeignKey("feedback.FeedbackItem", verbose_name=_("feedback item"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    # NPS, CSAT, CES and n of the item's touchpoints when the evidence was linked: what the team saw then.
    kpi_snapshot = models.JSONField(_("KPI snapshot"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(feedback_item__isnull=False) | ~Q(note=""),
                                   name="errc_evidence_has_content"),
            models.UniqueConstraint(fields=["workspace", "item", "feedback_item"],
                                    condition=Q(feedback_item__isnull=False), name="errc_evidence_unique_feedback"),
        ]

    def __str__(self) -> str:
        return self.note[:80] or f"#{self.feedback_item_id}"


class ErrcProposal(WorkspaceOwned):
    """An item the data suggests (apps/errc/proposals.py). One row per (board, quadrant, key), where the key
    names what it is about ("tp:12", "theme:7", "need:7"): re-running the job updates it in place."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    board = models.ForeignKey(ErrcBoard, verbose_name=_("board"), on_delete=models.CASCADE,
                              related_name="proposals")
    quadrant = models.CharField(_("quadrant"), max_length=16, choices=Quadrant.choices)
    key = models.CharField(_("key"), max_length=64)
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", verbose_name=_("touchpoint"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey("feedback.Theme", verbose_name=_("theme"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    rule = models.TextField(_("why"), blank=True)
    # Figures ({"nps": …, "n": …}) and example comments ([{"id", "text"}]) behind the proposal.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    score = models.FloatField(_("score"), default=0)
    # A hash of the evidence rounded to what matters: a dismissed proposal comes back only when it changes.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    dismissed_fingerprint = models.CharField(_("fingerprint when dismissed"), max_length=64, blank=True)
    item = models.ForeignKey(ErrcItem, verbose_name=_("item"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ERRC proposal")
        verbose_name_plural = _("ERRC proposals")
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "board", "quadrant", "key"],
                                               name="errc_proposal_unique_key")]

    @property
    def headline(self) -> str:
        """The title in the reader's language (apps/errc/proposals.py words it from the rule)."""
        from .proposals import describe

        return describe(self)[0]

    @property
    def reason(self) -> str:
        from .proposals import describe

        return describe(self)[1]

    @property
    def rising_themes(self) -> list[dict]:
        """A Reduce proposal's rising negative themes, each with its label in the reader's language."""
        from .proposals import label_in_language

        return [{**row, "label": label_in_language(row["label_ko"], row["label_en"])}
                for row in (self.evidence or {}).get("themes", [])]

    @property
    def figure_rows(self) -> list[tuple[str, object]]:
        """The evidence figures with their names in the active language, for the board page."""
        from .proposals import FIGURE_LABELS

        figures = (self.evidence or {}).get("figures", {})
        return [(FIGURE_LABELS.get(key, key), value) for key, value in figures.items() if value is not None]

    def __str__(self) -> str:
        return self.title

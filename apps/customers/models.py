from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import Language, WorkspaceOwned, WorkspaceQuerySet

from .segments import SegmentRules


class CustomerQuerySet(WorkspaceQuerySet):
    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
                           | Q(external_id__icontains=text))

    def with_consent(self, consent: bool | None):
        """Customers who agreed (True) or did not agree (False) to be surveyed; None keeps everyone."""
        if consent is None:
            return self
        return self.filter(consent=consent)

    def with_email(self, emails):
        """Customers whose e-mail address, compared case-insensitively, is one of `emails` (lower-case)."""
        return self.annotate(email_lower=Lower("email")).filter(email_lower__in=list(emails))

    def with_attributes(self, **attributes):
        """Customers whose attributes match every given key=value (empty values are ignored)."""
        queryset = self
        for key, value in attributes.items():
            if value not in (None, ""):
                queryset = queryset.filter(**{f"attributes__{key}": value})
        return queryset

    def in_segment(self, rules: "SegmentRules | dict"):
        """Customers a saved segment's rules select: one WHERE clause, no loop."""
        rules = rules if isinstance(rules, SegmentRules) else SegmentRules.from_json(rules)
        return self.filter(rules.q())


class Customer(WorkspaceOwned):
    """The unified customer profile: one row per customer, which responses and cases link to."""

    external_id = models.CharField(_("external id"), max_length=120)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=160, blank=True)
    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    consent = models.BooleanField(_("consent to be surveyed"), default=False)
    last_surveyed_at = models.DateTimeField(_("last surveyed at"), null=True, blank=True)
    # The customer's latest NPS answer, copied from the responses by the rollup jobs
    # (services.customer_last_nps_refresh) so a segment on the NPS group is a plain column filter.
    last_nps_score = models.PositiveSmallIntegerField(_("last NPS answer"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "external_id"], name="customer_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["workspace", "email"], name="customer_ws_email"),
            models.Index(fields=["workspace", "name"], name="customer_ws_name"),
            # Imports find rows without an external id by e-mail, ignoring case, one batch at a time.
            models.Index(F("workspace"), Lower("email"), name="customer_ws_email_ci"),
            # Segment counts filter on these; attributes have a GIN index on PostgreSQL (migration 0004).
            models.Index(fields=["workspace", "last_nps_score"], name="customer_ws_last_nps"),
            models.Index(fields=["workspace", "last_surveyed_at"], name="customer_ws_last_surveyed"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class CustomerImport(WorkspaceOwned):
    """One CSV upload. The file is kept in the row itself, so any worker can process it and a
    failed job can be run again."""

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
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"line": 7, "reason": "…"}], capped so a file of garbage cannot bloat the row.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    # The failure as a message code and its parameters, so each reader sees it in their own language;
    # `failure` keeps the English text for operators and logs.
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_params = models.JSONField(_("failure parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The upload holds personal data: it is deleted after the retention period (and cannot be re-run).
    file_purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def failure_message(self) -> str:
        """Why the import failed, in the active language."""
        from .csv_import import failure_message

        return failure_message(self.failure_code, self.failure_params) if self.failure_code else self.failure

    def error_messages(self, limit: int | None = None) -> list[dict]:
        """The rejected rows as [{"line": 7, "reason": "…"}], the reason in the active language."""
        from .csv_import import row_error_message

        entries = self.errors[:limit] if limit else self.errors
        return [{"line": entry.get("line"), "reason": row_error_message(entry)} for entry in entries]


def segment_counts(segments: list, workspace) -> list:
    """Set `customer_count` on each segment, counted in one aggregate over the workspace's customers."""
    if not segments:
        return segments
    counts = Customer.objects.for_workspace(workspace).aggregate(**{
        f"segment_{segment.pk}": Count("pk", filter=segment.rules_object.q() or Q(pk__isnull=False))
        for segment in segments})
    for segment in segments:
        segment.customer_count = counts[f"segment_{segment.pk}"]
    return segments


class Segment(WorkspaceOwned):
    """A saved filter over the workspace's customers: recipients of a distribution or a wave schedule, a
    dashboard and NPS report filter, a persona's rule."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # A segments.SegmentRules as JSON.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="segment_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def rules_object(self) -> SegmentRules:
        return SegmentRules.from_json(self.rules)

    @property
    def rules_text(self) -> str:
        return " · ".join(self.rules_object.describe())

    def customers(self):
        return Customer.objects.for_workspace(self.workspace_id).in_segment(self.rules_object)

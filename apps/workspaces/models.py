import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #2563EB."))


class Language(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class Role(models.TextChoices):
    """Ordered from most to least powerful; see Role.rank."""

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")

    @classmethod
    def rank(cls, role: str) -> int:
        return {cls.VIEWER: 1, cls.ANALYST: 2, cls.ADMIN: 3, cls.OWNER: 4}[role]

    @classmethod
    def describe(cls, role: str) -> str:
        return {
            cls.OWNER: _("Everything, including workspace deletion and ownership."),
            cls.ADMIN: _("Edits surveys, touchpoints, settings and members."),
            cls.ANALYST: _("Works follow-up cases and ERRC boards."),
            cls.VIEWER: _("Reads dashboards and reports."),
        }[role]


class Workspace(models.Model):
    """One brand: the tenant. Everything a marketer sees belongs to exactly one workspace."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, allow_unicode=False,
        help_text=_("Used in addresses, as in /w/hanbit-telecom/. Lower-case letters, digits and hyphens."))
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#2563EB", validators=[hex_colour])
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    default_language = models.CharField(_("default language"), max_length=2, choices=Language.choices,
                                        default=Language.KOREAN)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Seoul")
    contact_fatigue_days = models.PositiveSmallIntegerField(
        _("contact-fatigue window (days)"), default=30,
        help_text=_("A customer surveyed within this many days is not invited again."))
    embed_allowed_origins = models.TextField(
        _("sites allowed to embed surveys"), blank=True,
        help_text=_("One origin per line, e.g. https://www.example.co.kr. Leave empty to forbid embedding."))
    follow_up_sla_hours = models.PositiveSmallIntegerField(
        _("follow-up SLA (hours)"), default=48,
        help_text=_("A follow-up case is due this many hours after the response that opened it."))
    follow_up_nps_threshold = models.PositiveSmallIntegerField(
        _("open a case at NPS answers up to"), default=6, validators=[MaxValueValidator(10)],
        help_text=_("0–6 are detractors; lower it to follow up only the most unhappy customers."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The events some active webhook endpoint listens to, kept by apps.webhooks.services: the survey
    # submission reads it from the row it already has, so a workspace without webhooks costs no query.
    webhook_events = models.JSONField(default=list, blank=True, editable=False)
    # Deletion with a grace period: the workspace is hidden and read-only until deletion_due_at, when a
    # periodic job deletes its rows; until then an owner can restore it (apps.workspaces.services).
    deletion_requested_at = models.DateTimeField(_("deletion requested at"), null=True, blank=True, editable=False)
    deletion_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deletion requested by"),
                                              null=True, blank=True, editable=False, on_delete=models.SET_NULL,
                                              related_name="+")
    deletion_due_at = models.DateTimeField(_("to be deleted at"), null=True, blank=True, editable=False,
                                           db_index=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("kpis:dashboard", kwargs={"workspace_slug": self.slug})

    @property
    def pending_deletion(self) -> bool:
        return self.deletion_due_at is not None

    @property
    def embed_origins(self) -> list[str]:
        """The origins allowed to frame this workspace's surveys (CSP frame-ancestors)."""
        return [line.strip().rstrip("/") for line in self.embed_allowed_origins.splitlines() if line.strip()]


class WorkspaceQuerySet(models.QuerySet):
    # Every tenant-owned model carries its own workspace FK, even when a parent also has one:
    # one filter shape everywhere, and rows that can be distributed by workspace later.
    def for_workspace(self, workspace: Workspace):
        return self.filter(workspace=workspace)


def workspace_key(*, db_index: bool = True) -> models.ForeignKey:
    """The workspace FK of a tenant-owned model. A model whose own indexes all lead with workspace_id passes
    db_index=False: they serve every lookup by workspace, and an index of its own would only be one more to
    write with each row (the tables a survey submission writes)."""
    return models.ForeignKey(Workspace, verbose_name=_("workspace"), on_delete=models.CASCADE, db_index=db_index,
                             related_name="+")


class WorkspaceOwned(models.Model):
    """Abstract base of every tenant-owned model: a non-null, indexed workspace FK and a manager
    whose for_workspace() is the only door views and tasks use."""

    workspace = workspace_key()

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


class MembershipQuerySet(WorkspaceQuerySet):
    def owners(self):
        return self.filter(role=Role.OWNER)


class Membership(WorkspaceOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.workspace} ({self.get_role_display()})"

    def has_role(self, role: str) -> bool:
        """True when this member's role is `role` or more powerful."""
        return Role.rank(self.role) >= Role.rank(role)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(WorkspaceQuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(WorkspaceOwned):
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    # Random, never sequential: the link is the only credential a new person has.
    token = models.CharField(max_length=64, default=new_token, db_index=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "token"], name="invitation_unique_token"),
            # One open invitation per address: re-inviting resends it instead of piling up links.
            models.UniqueConstraint(fields=["workspace", "email"], name="invitation_unique_pending_email",
                                    condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_usable(self) -> bool:
        return self.is_pending and not self.is_expired and not self.workspace.pending_deletion

    def get_accept_url(self) -> str:
        from django.urls import reverse

        return settings.SITE_URL + reverse("accept_invitation", kwargs={"token": self.token})


class ApiKeyQuerySet(WorkspaceQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(WorkspaceOwned):
    """A key for /api/v1/. Only a hash is stored; the key itself is shown once, when created."""

    name = models.CharField(_("name"), max_length=120)
    # The first characters after "cxm_", shown in lists and used to find the row before comparing hashes.
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["workspace", "prefix"], name="apikey_unique_prefix")]

    def __str__(self) -> str:
        return f"{self.name} (cxm_{self.prefix}…)"

    @staticmethod
    def hash(raw_key: str) -> str:
        # Keys carry 190+ bits of randomness: a fast hash is enough, no password stretching needed.
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate(cls, *, workspace: Workspace, name: str, created_by=None) -> tuple["ApiKey", str]:
        """Create a key; returns the row and the raw key, which is never stored."""
        prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        raw_key = f"cxm_{prefix}_{secret}"
        key = cls.objects.create(workspace=workspace, name=name, prefix=prefix, key_hash=cls.hash(raw_key),
                                 created_by=created_by)
        return key, raw_key

    @classmethod
    def authenticate(cls, raw_key: str) -> "ApiKey | None":
        """The active key matching `raw_key`, or None; constant-time comparison of the hashes."""
        parts = (raw_key or "").split("_")
        if len(parts) < 3 or parts[0] != "cxm":
            return None
        digest = cls.hash(raw_key)
        # A workspace waiting for its deletion is read-only: its keys stop working until it is restored.
        keys = cls.objects.active().select_related("workspace").filter(prefix=parts[1],
                                                                       workspace__deletion_due_at__isnull=True)
        for key in keys:
            if hmac.compare_digest(key.key_hash, digest):
                return key
        return None


class AuditEntry(WorkspaceOwned):
    """A sensitive action, kept for the workspace's owners: who did what, to what, when."""

    class Action(models.TextChoices):
        MEMBER_INVITED = "member.invited", _("Member invited")
        MEMBER_ROLE_CHANGED = "member.role_changed", _("Member role changed")
        MEMBER_REMOVED = "member.removed", _("Member removed")
        API_KEY_CREATED = "api_key.created", _("API key created")
        API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
        RESPONSES_EXPORTED = "responses.exported", _("Responses exported")
        WORKSPACE_EXPORTED = "workspace.exported", _("Workspace data exported")
        WORKSPACE_DELETION = "workspace.deletion", _("Workspace deletion requested")
        WORKSPACE_RESTORED = "workspace.restored", _("Workspace deletion cancelled")
        INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
        MEMBER_JOINED = "member.joined", _("Member joined")
        CUSTOMERS_IMPORTED = "customers.imported", _("Customers imported")
        CUSTOMERS_EXPORTED = "customers.exported", _("Customers exported")
        CUSTOMER_ERASED = "customer.erased", _("Customer erased")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    # A description, never the personal data itself: an erased customer must not live on here.
    target = models.CharField(_("target"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.target}"


def audit(*, workspace: Workspace, actor, action: str, target: str = "", **details) -> AuditEntry:
    return AuditEntry.objects.create(workspace=workspace, actor=actor, action=action, target=target,
                                     details=details)


def export_expiry():
    return timezone.now() + timedelta(hours=settings.WORKSPACE_EXPORT_RETENTION_HOURS)


class WorkspaceExport(WorkspaceOwned):
    """Everything of one workspace as a ZIP of CSV files, written by a Celery job into
    WORKSPACE_EXPORT_ROOT (outside MEDIA_ROOT: never served directly) and downloadable by owners until
    it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total_tables = models.PositiveSmallIntegerField(_("tables"), default=0)
    done_tables = models.PositiveSmallIntegerField(_("tables written"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    failure = models.TextField(_("failure"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=export_expiry)

    class Meta:
        verbose_name = _("workspace export")
        verbose_name_plural = _("workspace exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.workspace} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and self.expires_at > timezone.now()

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done_tables * 100 / self.total_tables) if self.total_tables else 0

    @property
    def path(self):
        from pathlib import Path

        return Path(settings.WORKSPACE_EXPORT_ROOT) / self.file_name

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.workspaces.models import WorkspaceOwned, WorkspaceQuerySet


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE_APP = "mobile_app", _("Mobile app")
    STORE = "store", _("Store")
    CALL_CENTRE = "call_centre", _("Call centre")
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Social")
    CHAT = "chat", _("Chat")
    DELIVERY = "delivery", _("Delivery / installation")
    OTHER = "other", _("Other")


class PersonaQuerySet(WorkspaceQuerySet):
    def with_journey_count(self):
        journeys = (Journey.objects.filter(persona=OuterRef("pk")).order_by().values("persona")
                    .annotate(count=Count("pk")).values("count"))
        return self.annotate(journey_count=Coalesce(Subquery(journeys), 0))


class Persona(WorkspaceOwned):
    """A customer archetype whose journey is mapped. The segment rule picks the customers it
    stands for, as attribute equals value pairs: {"tier": "gold"}."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    segment_rule = models.JSONField(_("segment rule"), default=dict, blank=True)
    # When set, the persona stands for this saved segment's customers and segment_rule is not used.
    # PROTECT: deleting the segment would silently widen the persona to every customer.
    saved_segment = models.ForeignKey("customers.Segment", verbose_name=_("saved segment"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="personas")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PersonaQuerySet.as_manager()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def segment_rule_text(self) -> str:
        """The rule as a person writes it: "tier=gold, region=서울", or the saved segment's name."""
        if self.saved_segment_id:
            return self.saved_segment.name
        return ", ".join(f"{key}={value}" for key, value in (self.segment_rule or {}).items())


class JourneyQuerySet(WorkspaceQuerySet):
    def with_counts(self):
        """Annotate stage_count and touchpoint_count (active touchpoints) in the same query."""
        # Stage and Touchpoint have no reverse accessor (related_name="+"), hence counted subqueries.
        stages = (Stage.objects.filter(journey=OuterRef("pk")).order_by().values("journey")
                  .annotate(count=Count("pk")).values("count"))
        touchpoints = (Touchpoint.objects.active().filter(journey=OuterRef("pk")).order_by().values("journey")
                       .annotate(count=Count("pk")).values("count"))
        return self.annotate(stage_count=Coalesce(Subquery(stages), 0),
                             touchpoint_count=Coalesce(Subquery(touchpoints), 0))


class Journey(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    persona = models.ForeignKey(Persona, verbose_name=_("persona"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    template = models.CharField(_("template"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = JourneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StageQuerySet(WorkspaceQuerySet):
    def of_journey(self, journey: Journey):
        return self.filter(journey=journey).order_by("position", "pk")


class Stage(WorkspaceOwned):
    journey = models.ForeignKey(Journey, verbose_name=_("journey"), on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    # One of the two may be empty: Stage.name falls back to the other language.
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=120, blank=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["journey", "position", "pk"]
        indexes = [models.Index(fields=["workspace", "journey", "position"], name="stage_ws_journey_pos")]
        constraints = [models.CheckConstraint(condition=~models.Q(name_en="", name_ko=""), name="stage_has_a_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The stage name in the active language, falling back to the other one."""
        if (get_language() or "en").startswith("ko"):
            return self.name_ko or self.name_en
        return self.name_en or self.name_ko

    @property
    def other_name(self) -> str:
        """The name in the other language, when it has one that differs: shown as a subtitle."""
        other = self.name_en if (get_language() or "en").startswith("ko") else self.name_ko
        return other if other and other != self.name else ""


class TouchpointQuerySet(WorkspaceQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_response_flag(self):
        """Annotate has_responses: whether any survey response points at the touchpoint. Such a
        touchpoint is evidence behind reported scores, so it is archived, never deleted."""
        from apps.surveys.models import Response

        responses = Response.objects.filter(workspace=OuterRef("workspace"), touchpoint=OuterRef("pk"))
        return self.annotate(has_responses=Exists(responses))

    def in_stage(self, stage_id):
        return self.filter(stage_id=stage_id) if stage_id else self


class Touchpoint(WorkspaceOwned):
    """A place where the customer meets the brand, in one stage of a journey, on one channel."""

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    journey = models.ForeignKey(Journey, verbose_name=_("journey"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=160)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices, default=Channel.WEB)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TouchpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["stage__position", "position", "pk"]
        indexes = [models.Index(fields=["workspace", "journey", "stage"], name="touchpoint_ws_journey_stage")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.is_active = False

    def restore(self) -> None:
        self.archived_at = None
        self.is_active = True

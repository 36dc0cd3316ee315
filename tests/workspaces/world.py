"""A workspace with rows in (nearly) every tenant table, built from the factories the tenancy walk
already keeps complete (OBJECT_FACTORIES in test_tenancy.py) and a few direct rows for the tables no URL
takes an id of (answers, rollups, join tables, logs)."""

from django.utils import timezone

from apps.api.models import IdempotencyRecord
from apps.errc.models import ErrcItem
from apps.feedback.models import AlertRule, CaseEvent, FeedbackTag, FeedbackTheme, FollowUpCase, Tag
from apps.kpis import services as kpi_services
from apps.surveys.models import Question, SubmissionKey, Survey
from apps.touchpoints.models import Touchpoint
from apps.webhooks.models import WebhookAttempt, WebhookDelivery
from apps.workspaces.data_export import tenant_models
from apps.workspaces.models import AuditEntry, audit
from tests.factories import CustomerFactory
from tests.feedback.factories import FeedbackItemFactory, TagRuleFactory, ThemeFactory
from tests.surveys.answers import respond
from tests.surveys.factories import PartialResponseFactory, QuestionFactory, SurveyInvitationFactory
from tests.workspaces.test_tenancy import OBJECT_FACTORIES


def populate(workspace) -> None:
    for factory in OBJECT_FACTORIES.values():
        factory(workspace)
    survey = Survey.objects.for_workspace(workspace).latest("pk")
    question = QuestionFactory(survey=survey, kind=Question.Kind.NPS)
    # A customer whose attributes the segment rollups and the saved segment (tier: gold) group by.
    customer = CustomerFactory(workspace=workspace, attributes={"segment": "vip", "tier": "gold", "region": "seoul"})
    response = respond(survey, {question: 3}, comment="slow delivery", customer=customer)
    SubmissionKey.objects.create(workspace=workspace, key="world-key", response_id=response.pk,
                                 created_at=response.submitted_at)
    SurveyInvitationFactory(distribution__survey=survey, sent_at=response.submitted_at)  # the invitation rollup's
    PartialResponseFactory(survey=survey)
    item = FeedbackItemFactory(workspace=workspace)
    tag = Tag.objects.for_workspace(workspace).first()
    TagRuleFactory(tag=tag)
    FeedbackTag.objects.create(workspace=workspace, item=item, tag=tag)
    FeedbackTheme.objects.create(workspace=workspace, item=item, theme=ThemeFactory(workspace=workspace))
    case = FollowUpCase.objects.for_workspace(workspace).first()
    CaseEvent.objects.create(workspace=workspace, case=case, kind="note", text="called back")
    item = ErrcItem.objects.for_workspace(workspace).first()
    item.touchpoints.add(Touchpoint.objects.for_workspace(workspace).first(), through_defaults={"workspace": workspace})
    from apps.feedback.models import AlertState, Reanalysis, WorkspaceTextModel

    AlertState.objects.create(workspace=workspace, rule=AlertRule.objects.for_workspace(workspace).first())
    WorkspaceTextModel.objects.create(workspace=workspace, enabled=False)
    Reanalysis.objects.create(workspace=workspace, status=Reanalysis.Status.DONE, total=1, done=1)
    IdempotencyRecord.objects.create(workspace=workspace, key="k-1", endpoint="responses", request_hash="h",
                                     status_code=201)
    WebhookAttempt.objects.create(workspace=workspace, number=1,
                                  delivery=WebhookDelivery.objects.for_workspace(workspace).first())
    audit(workspace=workspace, actor=None, action=AuditEntry.Action.CUSTOMER_ERASED, target="customer #1")
    kpi_services.rollups_rebuild(workspace=workspace)
    kpi_services.slice_mark_dirty(workspace=workspace, moment=timezone.now())


# Tables this world leaves empty (none: every tenant table has a row, so every admin route has an object).
EMPTY_TABLES: set[str] = set()


def row_counts(workspace_id: int) -> dict[str, int]:
    return {model._meta.label_lower: model.objects.filter(workspace_id=workspace_id).count()
            for model in tenant_models()}

"""Every route under /w/<slug>/ answers 404 to people who are not members of that workspace,
even when they hold the right object ids. The routes come from the URL resolver, so a new view is
covered the day it is added; a view whose URL takes an id this test cannot create fails here."""

import re
from collections.abc import Callable, Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.surveys.models import Question, Survey
from apps.webhooks.models import WebhookEndpoint
from apps.workspaces.models import ApiKey, Role, WorkspaceExport
from tests.errc.factories import ErrcBoardFactory, ErrcItemFactory, ErrcProposalFactory, ItemEvidenceFactory
from tests.factories import (
    CustomerFactory,
    CustomerImportFactory,
    InvitationFactory,
    JourneyFactory,
    MembershipFactory,
    PersonaFactory,
    ResponseFactory,
    SegmentFactory,
    StageFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.feedback.factories import (
    AlertFactory,
    AlertRuleFactory,
    FeedbackImportFactory,
    FollowUpCaseFactory,
    TagFactory,
    ThemeFactory,
)
from tests.outbox.factories import OutboundEmailFactory
from tests.surveys.factories import (
    ChoiceFactory,
    DistributionFactory,
    QuestionFactory,
    QuotaFactory,
    WaveScheduleFactory,
)
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

WORKSPACE_PREFIX = "w/<slug:workspace_slug>/"

def _latest_survey(workspace):
    return Survey.objects.filter(workspace=workspace).order_by("-pk").first() or SurveyFactory(workspace=workspace)


# How to make an object of the victim workspace for each id a /w/ URL can take. A later app adds
# its ids here (touchpoint_id, survey_id, …); the walk below fails until it does.
OBJECT_FACTORIES: dict[str, Callable] = {
    "member_id": lambda workspace: MembershipFactory(workspace=workspace, role=Role.ANALYST).pk,
    "invitation_id": lambda workspace: InvitationFactory(workspace=workspace).pk,
    "persona_id": lambda workspace: PersonaFactory(workspace=workspace).pk,
    "journey_id": lambda workspace: JourneyFactory(workspace=workspace).pk,
    "stage_id": lambda workspace: StageFactory(journey__workspace=workspace).pk,
    "touchpoint_id": lambda workspace: TouchpointFactory(stage__journey__workspace=workspace).pk,
    "customer_id": lambda workspace: CustomerFactory(workspace=workspace).pk,
    "import_id": lambda workspace: CustomerImportFactory(workspace=workspace).pk,
    "survey_id": lambda workspace: SurveyFactory(workspace=workspace).pk,
    "distribution_id": lambda workspace: DistributionFactory(survey__workspace=workspace).pk,
    # Nested survey ids: the question, choice or response of the survey the same URL just made.
    "question_id": lambda workspace: QuestionFactory(survey=_latest_survey(workspace)).pk,
    "choice_id": lambda workspace: ChoiceFactory(
        question=Question.objects.filter(workspace=workspace).order_by("-pk").first()
        or QuestionFactory(survey=_latest_survey(workspace))).pk,
    "response_id": lambda workspace: ResponseFactory(survey=_latest_survey(workspace)).pk,
    "segment_id": lambda workspace: SegmentFactory(workspace=workspace).pk,
    # The schedule of the survey the same URL just made.
    "schedule_id": lambda workspace: WaveScheduleFactory(survey=_latest_survey(workspace)).pk,
    "quota_id": lambda workspace: QuotaFactory(survey=_latest_survey(workspace)).pk,
    "export_id": lambda workspace: WorkspaceExport.objects.create(workspace=workspace).pk,
    "api_key_id": lambda workspace: ApiKey.generate(workspace=workspace, name="Integration")[0].pk,
    "feedback_import_id": lambda workspace: FeedbackImportFactory(workspace=workspace).pk,
    "tag_id": lambda workspace: TagFactory(workspace=workspace).pk,
    "theme_id": lambda workspace: ThemeFactory(workspace=workspace).pk,
    "case_id": lambda workspace: FollowUpCaseFactory(workspace=workspace).pk,
    "alert_id": lambda workspace: AlertFactory(rule__workspace=workspace).pk,
    "rule_id": lambda workspace: AlertRuleFactory(workspace=workspace).pk,
    "board_id": lambda workspace: ErrcBoardFactory(workspace=workspace).pk,
    "item_id": lambda workspace: ErrcItemFactory(board__workspace=workspace).pk,
    "evidence_id": lambda workspace: ItemEvidenceFactory(item__board__workspace=workspace).pk,
    "proposal_id": lambda workspace: ErrcProposalFactory(board__workspace=workspace).pk,
    "endpoint_id": lambda workspace: WebhookEndpointFactory(workspace=workspace).pk,
    # The delivery of the endpoint the same URL just made.
    "delivery_id": lambda workspace: WebhookDeliveryFactory(
        endpoint=WebhookEndpoint.objects.filter(workspace=workspace).order_by("-pk").first()).pk,
    "email_id": lambda workspace: OutboundEmailFactory(workspace=workspace).pk,
}

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def iter_named_routes(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(route, namespaced name or "", pattern) for every URL pattern, e.g. ("w/<slug:…>/members/",
    "workspaces:members", …)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from iter_named_routes(pattern.url_patterns, route, inner)
        else:
            name = ":".join(part for part in (namespace, pattern.name) if part) if pattern.name else ""
            yield route, name, pattern


def iter_routes(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for route, _name, pattern in iter_named_routes(patterns, prefix):
        yield route, pattern


def workspace_routes() -> list[str]:
    return sorted({route for route, _ in iter_routes(get_resolver().url_patterns)
                   if route.startswith(WORKSPACE_PREFIX)})


def fill(route: str, workspace, factories: dict[str, Callable] | None = None) -> str:
    """The route with its parameters filled from objects made in `workspace`; `factories` adds or
    overrides makers for parameter names (another test's routes outside /w/)."""
    makers = {**OBJECT_FACTORIES, **(factories or {})}

    def value(match: re.Match) -> str:
        name = match.group("name")
        if name == "workspace_slug":
            return workspace.slug
        if name not in makers:
            pytest.fail(f"/{route} takes <{name}>: add a factory for it to OBJECT_FACTORIES in {__file__}")
        return str(makers[name](workspace))

    return "/" + PARAMETER.sub(value, route)


def test_the_walk_finds_the_workspace_routes():
    routes = workspace_routes()
    assert WORKSPACE_PREFIX in routes
    assert len(routes) >= 8


@pytest.mark.parametrize("route", workspace_routes())
def test_route_is_not_found_for_non_members(client, route):
    victim = WorkspaceFactory(slug="victim")
    MembershipFactory(workspace=victim, role=Role.OWNER)
    url = fill(route, victim)
    outsider = UserFactory()
    member_elsewhere = MembershipFactory(role=Role.OWNER).user
    for intruder in (outsider, member_elsewhere):
        client.force_login(intruder)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, f"{method.__name__.upper()} {url} as {intruder}"


@pytest.mark.parametrize("route", workspace_routes())
def test_route_resolves_for_a_member(client, route):
    """The control for the test above: the filled-in URL is real, so its 404 meant 'not yours'."""
    victim = WorkspaceFactory(slug="victim")
    owner = MembershipFactory(workspace=victim, role=Role.OWNER).user
    MembershipFactory(workspace=victim, role=Role.OWNER)
    url = fill(route, victim)
    client.force_login(owner)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert response.status_code != 404, url


@pytest.mark.parametrize("route", workspace_routes())
def test_route_asks_anonymous_visitors_to_sign_in(client, route):
    url = fill(route, WorkspaceFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

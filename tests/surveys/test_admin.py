import pytest

from apps.surveys.models import Answer, Response
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

from .factories import ChoiceFactory, PartialResponseFactory, QuestionFactory, QuotaFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db

MODELS = ["survey", "question", "choice", "response", "answer", "distribution", "surveyinvitation", "partialresponse",
          "quota"]


@pytest.fixture
def rows(workspace):
    invitation = SurveyInvitationFactory(distribution__survey__workspace=workspace)
    question = QuestionFactory(survey=invitation.survey)
    ChoiceFactory(question__survey=invitation.survey)
    response = Response.objects.create(workspace=workspace, survey=invitation.survey, submitted_at="2026-01-01T00:00Z")
    Answer.objects.create(workspace=workspace, response=response, question=question, number=9)
    PartialResponseFactory(survey=invitation.survey, submission_key="a-partial")
    QuotaFactory(survey=invitation.survey, field="channel", value="store")
    QuotaFactory(survey=invitation.survey, field="", value="")  # the whole survey
    return invitation


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_search_and_filter(client, rows, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/surveys/{model}/", {"q": "a"})
    assert page.status_code == 200
    assert b'id="changelist-search"' in page.content
    assert b'id="changelist-filter"' in page.content


@pytest.mark.parametrize("model", MODELS)
def test_staff_operators_see_only_their_workspaces(client, rows, model):
    from django.contrib.auth.models import Permission

    operator = UserFactory(is_staff=True)
    operator.user_permissions.set(Permission.objects.filter(content_type__app_label="surveys"))
    MembershipFactory(workspace=WorkspaceFactory(), user=operator)
    client.force_login(operator)
    page = client.get(f"/admin/surveys/{model}/")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0


def test_questions_added_inline_take_the_survey_workspace(client, rows):
    survey = rows.survey
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    prefix = "questions"
    page = client.post(f"/admin/surveys/survey/{survey.pk}/change/", {
        "workspace": survey.workspace_id, "title": survey.title, "language": "en", "status": "live",
        "template": "custom", "allowed_hidden_fields": "[]",
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-position": "5", f"{prefix}-0-kind": "csat", f"{prefix}-0-text": "Added inline",
        f"{prefix}-0-required": "on",
    })
    assert page.status_code == 302, page.context["adminform"].form.errors or page.context["inline_admin_formsets"]
    question = survey.questions.get(text="Added inline")
    assert question.workspace_id == survey.workspace_id

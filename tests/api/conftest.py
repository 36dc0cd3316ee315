import pytest

from apps.surveys.models import Question
from apps.workspaces.models import ApiKey
from tests.factories import SurveyFactory, TouchpointFactory
from tests.surveys.factories import ChoiceFactory, QuestionFactory


class ApiClient:
    """The test client with an API key in the Authorization header, JSON in and out."""

    def __init__(self, client, raw_key: str | None):
        self.client, self.raw_key = client, raw_key

    def headers(self, extra=None) -> dict:
        headers = {"Authorization": f"Bearer {self.raw_key}"} if self.raw_key else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, params=None, headers=None):
        return self.client.get(f"/api/v1/{path}", params or {}, headers=self.headers(headers))

    def post(self, path: str, body, headers=None):
        return self.client.post(f"/api/v1/{path}", body, content_type="application/json",
                                headers=self.headers(headers))


@pytest.fixture
def key_and_raw(workspace):
    return ApiKey.generate(workspace=workspace, name="CRM sync")


@pytest.fixture
def api(client, key_and_raw):
    return ApiClient(client, key_and_raw[1])


@pytest.fixture
def survey(workspace):
    """A live survey on a delivery touchpoint: NPS, a required follow-up for detractors, CSAT, an
    optional CES, several choices and a comment."""
    survey = SurveyFactory(workspace=workspace, title="Delivery check", language="en", status="live",
                           touchpoint=TouchpointFactory(stage__journey__workspace=workspace, channel="delivery",
                                                        name="Delivery"),
                           allowed_hidden_fields=["order"])
    survey.nps = QuestionFactory(survey=survey, position=1, kind=Question.Kind.NPS)
    survey.follow_up = QuestionFactory(survey=survey, position=2, kind=Question.Kind.SINGLE_CHOICE,
                                       condition_question=survey.nps, condition_operator="score_between",
                                       condition_min=0, condition_max=6)
    survey.price = ChoiceFactory(question=survey.follow_up, text="Price")
    survey.csat = QuestionFactory(survey=survey, position=3, kind=Question.Kind.CSAT)
    survey.ces = QuestionFactory(survey=survey, position=4, kind=Question.Kind.CES, required=False)
    survey.several = QuestionFactory(survey=survey, position=5, kind=Question.Kind.MULTIPLE_CHOICE, required=False)
    survey.speed = ChoiceFactory(question=survey.several, text="Speed")
    survey.politeness = ChoiceFactory(question=survey.several, text="Politeness")
    survey.comment = QuestionFactory(survey=survey, position=6, kind=Question.Kind.LONG_TEXT, required=False)
    return survey


def errors_by_field(response) -> dict[str, str]:
    body = response.json()
    return {error["field"]: error["message"] for error in body["errors"]}

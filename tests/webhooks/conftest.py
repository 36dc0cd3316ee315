import pytest

from apps.surveys import selectors as survey_selectors
from apps.surveys import services as survey_services
from apps.surveys.models import Question
from apps.workspaces.models import Role
from tests.factories import CustomerFactory, MembershipFactory, SurveyFactory, TouchpointFactory, UserFactory
from tests.surveys.factories import QuestionFactory

from .receiver import serving


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The receivers below listen on 127.0.0.1, which production refuses."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver():
    with serving() as receiver:
        yield receiver


@pytest.fixture
def admin_user(workspace):
    return MembershipFactory(workspace=workspace, user=UserFactory(username="minji", language="ko"),
                             role=Role.ADMIN).user


@pytest.fixture
def touchpoint(workspace):
    return TouchpointFactory(stage__journey__workspace=workspace, name="Store visit", channel="store")


@pytest.fixture
def survey(workspace, touchpoint):
    survey = SurveyFactory(workspace=workspace, status="live", language="en", touchpoint=touchpoint,
                           title="After your visit")
    QuestionFactory(survey=survey, position=1, kind=Question.Kind.NPS, text="Recommend?")
    QuestionFactory(survey=survey, position=2, kind=Question.Kind.CSAT, text="Satisfied?", required=False)
    QuestionFactory(survey=survey, position=3, kind=Question.Kind.LONG_TEXT, text="Why?", required=False)
    return survey


@pytest.fixture
def record(survey):
    """record(nps, comment) submits through surveys.services.response_record, as the public page does."""
    keys = iter(range(1_000_000))

    def run(nps: int, comment: str = "", csat: int | None = None, customer=None):
        questions = survey_selectors.survey_questions(survey)
        by_kind = {question.kind: question for question in questions}
        answers = {by_kind[Question.Kind.NPS].pk: nps}
        if csat is not None:
            answers[by_kind[Question.Kind.CSAT].pk] = csat
        if comment:
            answers[by_kind[Question.Kind.LONG_TEXT].pk] = comment
        return survey_services.response_record(survey=survey, questions=questions, answers=answers,
                                               submission_key=f"key-{next(keys)}", customer=customer)

    return run


@pytest.fixture
def customer(workspace):
    return CustomerFactory(workspace=workspace, external_id="C-0042", email="jisu@example.com", phone="010-1234-5678")

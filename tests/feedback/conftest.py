
import pytest

from apps.surveys import selectors as survey_selectors
from apps.surveys import services as survey_services
from apps.surveys.models import Question
from tests.factories import SurveyFactory, TouchpointFactory
from tests.surveys.factories import QuestionFactory


@pytest.fixture
def touchpoint(workspace):
    return TouchpointFactory(stage__journey__workspace=workspace, name="Delivery")


@pytest.fixture
def survey(workspace, touchpoint):
    """A live survey on the delivery touchpoint: NPS, a short text and a comment (long text)."""
    survey = SurveyFactory(workspace=workspace, status="live", language="ko", touchpoint=touchpoint)
    QuestionFactory(survey=survey, position=1, kind=Question.Kind.NPS, text="Recommend?")
    QuestionFactory(survey=survey, position=2, kind=Question.Kind.SHORT_TEXT, text="Order number", required=False)
    QuestionFactory(survey=survey, position=3, kind=Question.Kind.LONG_TEXT, text="Why?", required=False)
    return survey


@pytest.fixture
def submit(survey):
    """Record a submission through the survey service, as the public page does."""
    counter = iter(range(1_000_000))

    def run(nps: int | None = None, comment: str = "", *, target=None, invitation=None, answers=None):
        """`comment` answers the first long-text question; `answers` adds others by question id."""
        target = target or survey
        questions = survey_selectors.survey_questions(target)
        answers = dict(answers or {})
        nps_question = next((q for q in questions if q.kind == Question.Kind.NPS), None)
        comment_question = next((q for q in questions if q.kind == Question.Kind.LONG_TEXT), None)
        if nps is not None and nps_question is not None:
            answers[nps_question.pk] = nps
        if comment and comment_question is not None:
            answers[comment_question.pk] = comment
        return survey_services.response_record(survey=target, questions=questions, answers=answers,
                                               submission_key=f"key-{next(counter)}", invitation=invitation)

    return run

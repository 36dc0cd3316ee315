import pytest

from apps.surveys.models import Question
from tests.client import Client
from tests.factories import SurveyFactory, TouchpointFactory

from .factories import ChoiceFactory, QuestionFactory


@pytest.fixture
def visitor():
    """A customer's browser in a cross-site iframe: no cookies at all, and CSRF checks enforced as in
    production, so a page that leaned on a CSRF cookie or a session would fail here."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def survey(workspace):
    """A live English survey on a web touchpoint: NPS, a follow-up for detractors (0–6) that is
    required, CSAT, CES, a rating, one- and several-choice questions and two texts."""
    survey = SurveyFactory(workspace=workspace, title="How did we do?", language="en", status="live",
                           touchpoint=TouchpointFactory(stage__journey__workspace=workspace, channel="delivery"),
                           thank_you_message="Thanks a lot!", allowed_hidden_fields=["order", "channel"])
    nps = QuestionFactory(survey=survey, position=1, kind=Question.Kind.NPS,
                          text="How likely are you to recommend us?")
    follow_up = QuestionFactory(survey=survey, position=2, kind=Question.Kind.SINGLE_CHOICE,
                                text="What went wrong?", condition_question=nps,
                                condition_operator="score_between", condition_min=0, condition_max=6)
    for position, text in enumerate(["Price", "Delivery", "Service"]):
        ChoiceFactory(question=follow_up, position=position, text=text)
    QuestionFactory(survey=survey, position=3, kind=Question.Kind.CSAT, text="How satisfied are you?")
    QuestionFactory(survey=survey, position=4, kind=Question.Kind.CES, text="How easy was it?", required=False)
    QuestionFactory(survey=survey, position=5, kind=Question.Kind.RATING, text="Rate the driver", required=False)
    several = QuestionFactory(survey=survey, position=6, kind=Question.Kind.MULTIPLE_CHOICE,
                              text="What did you like?", required=False)
    for position, text in enumerate(["Speed", "Politeness", "Packaging"]):
        ChoiceFactory(question=several, position=position, text=text)
    QuestionFactory(survey=survey, position=7, kind=Question.Kind.SHORT_TEXT, text="Your order number",
                    required=False)
    QuestionFactory(survey=survey, position=8, kind=Question.Kind.LONG_TEXT, text="Anything else?",
                    required=False)
    return survey

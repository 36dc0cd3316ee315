"""The demo's bilingual survey with logic, unfinished responses and quotas (cxm/demo_logic.py)."""

import pytest

from apps.surveys import languages, selectors
from apps.surveys.models import PartialResponse, Question, Quota, Response, Survey
from cxm.demo_logic import TITLE, seed_logic
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def test_the_demo_survey_has_logic_languages_partials_and_quotas(workspace):
    TouchpointFactory(stage__journey__workspace=workspace, channel="installation")
    assert seed_logic(workspace, complete=60, unfinished=20) == 60
    survey = Survey.objects.for_workspace(workspace).get(title=TITLE)
    questions = selectors.survey_questions(survey)
    assert survey.bilingual and languages.missing_translations(survey, questions) == []
    follow_up = next(question for question in questions if question.is_follow_up)
    assert (follow_up.condition_question.kind, follow_up.condition_min, follow_up.condition_max) == ("nps", 0, 6)
    assert any(question.end_operator for question in questions)
    assert sum(question.page_break for question in questions) == 2
    # Only detractors answered the follow-up.
    assert not Response.objects.filter(survey=survey, nps_score__gte=7,
                                       answers__question=follow_up).exists()
    assert PartialResponse.objects.for_workspace(workspace).filter(survey=survey).count() == 20
    gold = Quota.objects.get(survey=survey, field="tier")
    assert gold.completed == Response.objects.filter(survey=survey, hidden_fields__tier="gold").count()
    assert set(Response.objects.filter(survey=survey).values_list("language", flat=True)) == {"ko", "en"}
    assert selectors.survey_funnel(survey).started == 80


def test_running_it_again_adds_nothing(workspace):
    TouchpointFactory(stage__journey__workspace=workspace)
    seed_logic(workspace, complete=5, unfinished=2)
    assert seed_logic(workspace, complete=5, unfinished=2) == 0
    assert Question.objects.for_workspace(workspace).filter(survey__title=TITLE).count() == 6

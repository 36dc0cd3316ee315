from datetime import timedelta

import pytest
from django.utils import timezone

from apps.kpis.services import rollups_rebuild
from apps.nps.scores import ScoreSummary
from apps.touchpoints.selectors import PERIODS, combine, journey_map, journey_scores, nps_hue, period_from
from tests.factories import JourneyFactory, ResponseFactory, StageFactory, SurveyFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(workspace):
    return SurveyFactory(workspace=workspace)


def answer(survey, touchpoint, *nps_scores, days_ago=1, **extra):
    for score in nps_scores:
        ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=score,
                        submitted_at=timezone.now() - timedelta(days=days_ago), **extra)


def rolled_up(journey):
    """Scores are read from the KPI rollups; in production the on-commit job keeps them current."""
    rollups_rebuild(workspace=journey.workspace)
    return journey


def test_three_promoters_a_passive_and_a_detractor_make_nps_40(journey, stages, survey):
    touchpoint = TouchpointFactory(stage=stages[0])
    answer(survey, touchpoint, 9, 10, 9, 7, 3)
    summary = journey_scores(rolled_up(journey), None, None).for_touchpoint(touchpoint.pk)
    assert (summary.promoters, summary.passives, summary.detractors) == (3, 1, 1)
    assert summary.nps_answers == 5
    assert summary.nps == 40


def test_csat_is_the_share_of_four_and_five(journey, stages, survey):
    touchpoint = TouchpointFactory(stage=stages[0])
    for csat in (5, 4, 4, 2):
        ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=None, csat_score=csat)
    ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=8, csat_score=None)
    summary = journey_scores(rolled_up(journey), None, None).for_touchpoint(touchpoint.pk)
    assert (summary.csat_satisfied, summary.csat_answers, summary.csat) == (3, 4, 75)
    assert (summary.responses, summary.nps_answers) == (5, 1)


def test_stage_scores_pool_the_touchpoints_of_the_stage(journey, stages, survey):
    store, web = TouchpointFactory(stage=stages[1]), TouchpointFactory(stage=stages[1])
    other = TouchpointFactory(stage=stages[2])
    answer(survey, store, 10, 10)
    answer(survey, web, 0, 8)
    answer(survey, other, 0)
    scores = journey_scores(rolled_up(journey), None, None)
    assert scores.for_stage(stages[1].pk).nps == 25  # 2 promoters, 1 passive, 1 detractor
    assert scores.for_stage(stages[1].pk).nps_answers == 4
    assert scores.for_stage(stages[2].pk).nps == -100
    assert scores.for_stage(stages[0].pk) == ScoreSummary()
    assert scores.journey.nps_answers == 5
    assert scores.journey.nps == 0


def test_archived_touchpoints_still_count_for_their_stage(journey, stages, survey):
    touchpoint = TouchpointFactory(stage=stages[0])
    answer(survey, touchpoint, 10)
    touchpoint.archive()
    touchpoint.save()
    assert journey_scores(rolled_up(journey), None, None).for_stage(stages[0].pk).promoters == 1


def test_the_period_excludes_older_and_later_responses(journey, stages, survey):
    touchpoint = TouchpointFactory(stage=stages[0])
    answer(survey, touchpoint, 10, days_ago=10)
    answer(survey, touchpoint, 0, 0, days_ago=100)
    answer(survey, touchpoint, 0, days_ago=400)
    now = timezone.now()
    assert journey_scores(rolled_up(journey), now - timedelta(days=30), None).for_touchpoint(touchpoint.pk).nps == 100
    year = journey_scores(rolled_up(journey), now - timedelta(days=365), None)
    assert year.for_touchpoint(touchpoint.pk).nps_answers == 3
    assert journey_scores(rolled_up(journey), None, None).for_touchpoint(touchpoint.pk).nps_answers == 4
    before = journey_scores(rolled_up(journey), None, now - timedelta(days=30))
    assert before.for_touchpoint(touchpoint.pk).detractors == 3


def test_only_this_journey_and_workspace_count(journey, stages, survey):
    touchpoint = TouchpointFactory(stage=stages[0])
    answer(survey, touchpoint, 10)
    other_journey = JourneyFactory(workspace=journey.workspace)
    other_journey_touchpoint = TouchpointFactory(stage=StageFactory(journey=other_journey))
    answer(survey, other_journey_touchpoint, 0)
    foreign = TouchpointFactory()
    ResponseFactory(touchpoint=foreign, nps_score=0)
    scores = journey_scores(rolled_up(journey), None, None)
    assert set(scores.touchpoints) == {touchpoint.pk}
    assert scores.journey.nps == 100


def test_scores_take_two_queries_whatever_the_data(journey, stages, survey, django_assert_num_queries):
    for stage in stages:
        for touchpoint in TouchpointFactory.create_batch(3, stage=stage):
            answer(survey, touchpoint, 10, 8, 2)
    rolled_up(journey)
    with django_assert_num_queries(2):
        scores = journey_scores(journey, None, None)
    assert len(scores.touchpoints) == 15 and len(scores.stages) == 5


def test_journey_map_puts_cards_in_their_columns(journey, stages, survey):
    first = TouchpointFactory(stage=stages[0], position=1)
    second = TouchpointFactory(stage=stages[0], position=0)
    archived = TouchpointFactory(stage=stages[1])
    archived.archive()
    archived.save()
    answer(survey, first, 10)
    result = journey_map(rolled_up(journey), period_from("all"))
    assert [card.touchpoint for card in result.columns[0].cards] == [second, first]
    assert result.columns[0].cards[1].scores.nps == 100
    assert result.columns[1].cards == [] and result.archived == [archived]
    assert result.columns[0].has_responses and not result.columns[1].has_responses
    assert (result.columns[0].previous, result.columns[0].next) == (None, stages[1])
    assert result.has_surveys
    assert result.chart_data()["nps"] == [100.0, None, None, None, None]


def test_period_parameter_defaults_to_90_days():
    assert period_from(None).days == 90
    assert period_from("nonsense").days == 90
    assert [period.key for period in PERIODS] == ["30", "90", "365", "all"]
    assert period_from("all").start() is None


def test_hue_runs_from_red_to_green():
    assert (nps_hue(-100), nps_hue(0), nps_hue(100), nps_hue(None)) == (0, 65, 130, None)


def test_combine_adds_counts():
    total = combine([ScoreSummary(responses=2, promoters=2), ScoreSummary(responses=1, detractors=1)])
    assert (total.responses, total.promoters, total.detractors) == (3, 2, 1)

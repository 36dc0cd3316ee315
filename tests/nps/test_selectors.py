"""The NPS report's reads, on constructed data with known answers."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.kpis.models import DailyRollup, SegmentRollup
from apps.nps import selectors
from apps.nps.selectors import Filters
from apps.surveys.models import Question
from tests.factories import (
    CustomerFactory,
    PersonaFactory,
    SurveyFactory,
    TouchpointFactory,
    WorkspaceFactory,
)
from tests.nps.factories import AnswerFactory, mix, responses, rolled_up
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return WorkspaceFactory(time_zone="Asia/Seoul")


def period(days: int = 30) -> tuple[datetime, datetime]:
    end = timezone.now()
    return end - timedelta(days=days), end


def test_summary_counts_the_period_only(workspace):
    responses(workspace, mix(3, 1, 1))
    responses(workspace, mix(5, 0, 0), days_ago=45)
    responses(WorkspaceFactory(), mix(9, 0, 0))  # another brand's answers never count
    scores = selectors.summary(workspace, *period(30))
    assert (scores.promoters, scores.passives, scores.detractors) == (3, 1, 1)
    assert scores.nps == 40


def test_summary_adds_up_the_ces_squares(workspace):
    for ces_score in (1, 3, 5, 7):
        responses(workspace, [None], ces_score=ces_score, csat_score=5)
    scores = selectors.summary(workspace, *period())
    assert (scores.ces_total, scores.ces_squares, scores.ces_answers) == (16, 84, 4)
    assert scores.ces_margin == pytest.approx(2.5303, abs=1e-4)
    assert scores.csat == 100


def test_summary_with_previous_splits_the_two_periods(workspace):
    responses(workspace, mix(4, 0, 0), days_ago=10)
    responses(workspace, mix(0, 0, 2), days_ago=40)
    responses(workspace, mix(9, 0, 0), days_ago=70)  # before both periods
    comparison = selectors.summary_with_previous(rolled_up(workspace), *period(30))
    assert comparison.current.promoters == 4
    assert comparison.previous.detractors == 2
    assert comparison.previous.promoters == 0
    assert comparison.change.delta == 200


def test_filters(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    survey = SurveyFactory(workspace=workspace)
    responses(workspace, mix(1, 0, 0), touchpoint=touchpoint, channel="store")
    responses(workspace, mix(0, 1, 0), survey=survey, channel="web")
    responses(workspace, mix(0, 0, 1), channel="web")
    start, end = period()
    assert selectors.summary(workspace, start, end, Filters(touchpoint_id=touchpoint.pk)).promoters == 1
    assert selectors.summary(workspace, start, end, Filters(channel="web")).nps_answers == 2
    assert selectors.summary(workspace, start, end, Filters(survey_id=survey.pk)).passives == 1
    assert selectors.summary(workspace, start, end, Filters(channel="web", survey_id=survey.pk)).nps_answers == 1


def test_the_report_reads_the_daily_rollups(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Delivery")
    responses(workspace, mix(3, 0, 1), touchpoint=touchpoint)
    responses(workspace, mix(1, 0, 0), touchpoint=touchpoint, days_ago=40)
    rolled_up(workspace)
    # Promoters and detractors swapped in the rollups only: the report shows what the rollups say.
    DailyRollup.objects.for_workspace(workspace).update(promoters=F("detractors"), detractors=F("promoters"))
    with CaptureQueriesContext(connection) as captured:
        report = selectors.nps_report(workspace, *period(30), dimension="touchpoint")
    assert report.scores.nps == -50  # the responses say +50
    assert report.comparison.previous.nps == -100
    assert [point.scores.nps for point in report.trend if point.scores.nps_answers] == [-50]
    [row] = report.rows
    assert (row.current.nps, row.previous.nps) == (-50, -100)
    assert report.touchpoint_drivers[0].scores.nps == -50
    assert "kpis_dailyrollup" in captured.captured_queries[0]["sql"]
    # Only the question drivers read responses (with their answers).
    assert [query["sql"] for query in captured.captured_queries
            if "surveys_response" in query["sql"] and "surveys_answer" not in query["sql"]] == []


def test_the_report_counts_whole_local_days(workspace):
    zone = selectors.workspace_zone(workspace)
    end = datetime(2025, 3, 31, 15, tzinfo=zone)
    start = end - timedelta(days=7)  # 24 March, 15:00
    responses(workspace, mix(1, 0, 0), submitted_at=datetime(2025, 3, 24, 0, 30, tzinfo=zone))
    responses(workspace, mix(0, 0, 1), submitted_at=datetime(2025, 3, 31, 23, 30, tzinfo=zone))
    responses(workspace, mix(0, 1, 0), submitted_at=datetime(2025, 3, 23, 23, 30, tzinfo=zone))
    rolled_up(workspace)
    report = selectors.nps_report(workspace, start, end)
    assert (report.period.first, report.period.last) == (date(2025, 3, 24), date(2025, 3, 31))
    assert (report.period.previous.first, report.period.previous.last) == (date(2025, 3, 16), date(2025, 3, 23))
    assert (report.scores.promoters, report.scores.detractors) == (1, 1)
    assert report.comparison.previous.passives == 1
    # The API's summary counts the exact instants it states.
    assert selectors.summary(workspace, start, end).nps_answers == 0


def test_the_ces_margin_takes_the_squares_from_the_responses(workspace):
    for ces_score in (1, 3, 5, 7):
        responses(workspace, [None], ces_score=ces_score, csat_score=5)
    rolled_up(workspace)
    scores = selectors.summary_with_previous(workspace, *period()).current
    assert (scores.ces_total, scores.ces_squares, scores.ces_answers) == (16, 84, 4)
    assert scores.ces_margin == pytest.approx(2.5303, abs=1e-4)
    # A response the rollups have not counted yet: no margin from other answers than those behind the mean.
    responses(workspace, [None], ces_score=7)
    scores = selectors.summary_with_previous(workspace, *period()).current
    assert (scores.ces_total, scores.ces_answers) == (16, 4)
    assert scores.ces_margin is None


def test_weekly_trend_has_every_week_of_the_period(workspace):
    zone = selectors.workspace_zone(workspace)
    end = datetime(2025, 3, 31, 12, tzinfo=zone)  # a Monday
    start = end - timedelta(days=28)  # Monday 3 March
    for day, scores in ((datetime(2025, 3, 4, 9, tzinfo=zone), mix(2, 0, 0)),
                        (datetime(2025, 3, 20, 9, tzinfo=zone), mix(0, 0, 1)),
                        # Sunday 23:30 in Seoul is still the week of 17 March there, though Monday in UTC+14.
                        (datetime(2025, 3, 23, 23, 30, tzinfo=zone), mix(1, 0, 0))):
        for score in scores:
            responses(workspace, [score], submitted_at=day)
    points = selectors.trend(rolled_up(workspace), start, end, grain="week")
    assert [point.start.isoformat() for point in points] == [
        "2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31"]
    assert [point.scores.nps_answers for point in points] == [2, 0, 2, 0, 0]
    assert points[0].scores.nps == 100
    assert points[1].scores.nps is None and points[1].lower is None
    assert points[2].scores.nps == 0
    # The band: 0 ± 1.96·√(1/2)·100 = ±138.6, clipped to the scale.
    assert (points[2].lower, points[2].upper) == (-100, 100)


def test_monthly_trend(workspace):
    zone = selectors.workspace_zone(workspace)
    start, end = datetime(2025, 1, 15, tzinfo=zone), datetime(2025, 4, 2, tzinfo=zone)
    responses(workspace, mix(3, 1, 0), submitted_at=datetime(2025, 2, 10, tzinfo=zone))
    points = selectors.trend(rolled_up(workspace), start, end, grain="month")
    assert [point.start.isoformat() for point in points] == ["2025-01-01", "2025-02-01", "2025-03-01",
                                                             "2025-04-01"]
    assert points[1].scores.nps == 75
    assert points[1].lower == pytest.approx(75 - points[1].scores.nps_margin)


def test_breakdown_by_touchpoint_with_the_previous_period(workspace):
    delivery = TouchpointFactory(stage__journey__workspace=workspace, name="Delivery")
    checkout = TouchpointFactory(stage__journey__workspace=workspace, name="Checkout")
    responses(workspace, mix(1, 1, 2), touchpoint=delivery)
    responses(workspace, mix(3, 0, 0), touchpoint=delivery, days_ago=40)
    responses(workspace, mix(2, 0, 0), touchpoint=checkout)
    responses(workspace, mix(0, 0, 1))
    rows = selectors.breakdown(rolled_up(workspace), *period(30), dimension="touchpoint")
    assert [row.label for row in rows] == ["Delivery", "Checkout", "No touchpoint"]
    delivery_row = rows[0]
    assert delivery_row.detail == delivery.journey.name
    assert delivery_row.current.nps == -25
    assert delivery_row.previous.nps == 100
    assert delivery_row.change.delta == -125
    assert rows[-1].is_other


def test_breakdown_by_stage_channel_and_survey(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, stage__name_en="Service",
                                   stage__name_ko="서비스")
    survey = SurveyFactory(workspace=workspace, title="Install survey")
    responses(workspace, mix(2, 0, 0), touchpoint=touchpoint, survey=survey, channel="call_centre")
    rolled_up(workspace)
    start, end = period()
    [stage] = selectors.breakdown(workspace, start, end, dimension="stage")
    assert stage.label == "Service"
    [channel] = selectors.breakdown(workspace, start, end, dimension="channel")
    assert channel.label == "Call centre"
    [survey_row] = selectors.breakdown(workspace, start, end, dimension="survey")
    assert survey_row.label == "Install survey"
    assert survey_row.current.promoters == 2


def test_breakdown_by_customer_attribute(workspace):
    gold = CustomerFactory(workspace=workspace, attributes={"tier": "gold"})
    silver = CustomerFactory(workspace=workspace, attributes={"tier": "silver", "segment": "b2b"})
    responses(workspace, mix(2, 0, 0), customer=gold)
    responses(workspace, mix(0, 0, 1), customer=silver)
    responses(workspace, mix(0, 1, 0))
    rows = {row.label: row for row in selectors.breakdown(rolled_up(workspace), *period(), dimension="tier")}
    assert rows["gold"].current.promoters == 2
    assert rows["silver"].current.detractors == 1
    assert rows["Not set"].current.passives == 1 and rows["Not set"].is_other


def test_breakdown_by_persona_matches_every_pair_of_the_rule(workspace):
    PersonaFactory(workspace=workspace, name="Gold families", segment_rule={"tier": "gold", "segment": "family"})
    PersonaFactory(workspace=workspace, name="Gold", segment_rule={"tier": "gold"})
    PersonaFactory(workspace=workspace, name="Broken", segment_rule={"tier__contains": "g"})
    family = CustomerFactory(workspace=workspace, attributes={"tier": "gold", "segment": "family"})
    single = CustomerFactory(workspace=workspace, attributes={"tier": "gold", "segment": "single"})
    responses(workspace, mix(1, 0, 0), customer=family)
    responses(workspace, mix(0, 0, 1), customer=single)
    responses(workspace, mix(0, 0, 1), customer=single, days_ago=40)
    responses(workspace, mix(0, 1, 0))  # no customer: no persona
    rows = {row.label: row for row in selectors.breakdown(rolled_up(workspace), *period(30), dimension="persona")}
    assert rows["Gold families"].current.nps_answers == 1
    assert rows["Gold families"].current.promoters == 1
    # Personas overlap: a response counts for every persona its customer matches.
    assert rows["Gold"].current.nps_answers == 2
    assert rows["Gold"].previous.detractors == 1
    assert rows["Gold"].detail == "tier=gold"
    # A rule that cannot be looked up safely matches nothing rather than failing.
    assert rows["Broken"].current.nps_answers == 0


def test_attribute_breakdowns_read_the_segment_rollups_unless_a_filter_needs_the_responses(workspace):
    gold = CustomerFactory(workspace=workspace, attributes={"tier": "gold"})
    responses(workspace, mix(2, 0, 0), customer=gold, channel="web")
    responses(workspace, mix(0, 0, 1), channel="web")
    responses(workspace, mix(0, 0, 1), customer=gold, channel="web", days_ago=40)
    rolled_up(workspace)
    SegmentRollup.objects.for_workspace(workspace).filter(attribute="tier").update(value="platinum")
    rows = {row.label: row for row in selectors.breakdown(workspace, *period(30), dimension="tier")}
    assert set(rows) == {"platinum", "Not set"}
    assert rows["platinum"].current.promoters == 2 and rows["platinum"].previous.detractors == 1
    # Not set: what the daily rollups count beyond the values.
    assert rows["Not set"].current.nps_answers == 1 and rows["Not set"].previous.nps_answers == 0
    # Segment rollups keep no channel: under a channel filter the responses answer.
    rows = {row.label: row for row in selectors.breakdown(workspace, *period(30), Filters(channel="web"),
                                                          dimension="tier")}
    assert set(rows) == {"gold", "Not set"}
    assert rows["gold"].current.promoters == 2 and rows["gold"].previous.detractors == 1


def test_single_pair_personas_read_the_segment_rollups(workspace):
    PersonaFactory(workspace=workspace, name="Gold", segment_rule={"tier": "gold"})
    PersonaFactory(workspace=workspace, name="Gold families", segment_rule={"tier": "gold", "segment": "family"})
    customer = CustomerFactory(workspace=workspace, attributes={"tier": "gold", "segment": "family"})
    responses(workspace, mix(1, 0, 0), customer=customer, channel="web")
    rolled_up(workspace)
    SegmentRollup.objects.for_workspace(workspace).update(promoters=0, detractors=F("promoters"))
    rows = {row.label: row for row in selectors.breakdown(workspace, *period(), dimension="persona")}
    assert rows["Gold"].current.nps == -100  # the (altered) segment rollups
    assert rows["Gold families"].current.nps == 100  # two pairs: the responses
    rows = {row.label: row for row in selectors.breakdown(workspace, *period(), Filters(channel="web"),
                                                          dimension="persona")}
    assert rows["Gold"].current.nps == 100


def test_breakdown_rejects_an_unknown_dimension(workspace):
    with pytest.raises(ValueError, match="Unknown dimension"):
        selectors.breakdown(workspace, *period(), dimension="password")


def test_significance_on_breakdown_rows(workspace):
    big = TouchpointFactory(stage__journey__workspace=workspace, name="Big")
    small = TouchpointFactory(stage__journey__workspace=workspace, name="Small")
    # 40/30/30 → 60/20/20 over 100 answers each: z = 2.60, significant.
    responses(workspace, mix(40, 30, 30), touchpoint=big, days_ago=40)
    responses(workspace, mix(60, 20, 20), touchpoint=big)
    # The same shift over 10 answers: not enough evidence.
    responses(workspace, mix(4, 3, 3), touchpoint=small, days_ago=40)
    responses(workspace, mix(6, 2, 2), touchpoint=small)
    rows = {row.label: row for row in selectors.breakdown(rolled_up(workspace), *period(30), dimension="touchpoint")}
    assert rows["Big"].change.significant
    assert rows["Big"].change.delta == pytest.approx(30)
    assert not rows["Small"].change.significant
    assert rows["Small"].change.delta == pytest.approx(30)


def _rated(workspace, survey, question, pairs):
    """Responses with an NPS answer and an answer to `question`, from (nps, answer) pairs."""
    for nps_score, number in pairs:
        [response] = responses(workspace, [nps_score], survey=survey)
        AnswerFactory(response=response, question=question, number=number)


def test_question_drivers_rank_the_question_that_moves_nps(workspace):
    survey = SurveyFactory(workspace=workspace)
    csat = QuestionFactory(survey=survey, kind=Question.Kind.CSAT, text="Delivery on time?")
    rating = QuestionFactory(survey=survey, kind=Question.Kind.RATING, text="Packaging?")
    ces = QuestionFactory(survey=survey, kind=Question.Kind.CES, text="Easy to order?")
    text = QuestionFactory(survey=survey, kind=Question.Kind.SHORT_TEXT)
    # Every NPS answer meets every rating equally often (r = 0 for the rating); CSAT follows NPS closely;
    # CES is answered only three times.
    for nps_score, number in [(nps_score, number) for nps_score in (0, 2, 4, 6, 8, 10) for number in (1, 3, 5)] * 2:
        [response] = responses(workspace, [nps_score], survey=survey)
        AnswerFactory(response=response, question=csat, number=min(5, 1 + nps_score // 2))
        AnswerFactory(response=response, question=rating, number=number)
        AnswerFactory(response=response, question=text, text="fine")
    _rated(workspace, survey, ces, [(10, 7), (0, 1), (5, 4)])
    drivers = selectors.question_drivers(workspace, *period())
    assert [driver.text for driver in drivers] == ["Delivery on time?", "Packaging?", "Easy to order?"]
    top, noise, few = drivers
    assert top.n == 36 and top.r > 0.9 and top.significant and top.kind_label == "CSAT"
    assert noise.r == pytest.approx(0, abs=1e-9) and noise.is_ranked and not noise.significant
    assert few.n == 3 and not few.is_ranked and not few.significant


def test_question_drivers_are_pearson_from_the_sums(workspace):
    survey = SurveyFactory(workspace=workspace)
    question = QuestionFactory(survey=survey, kind=Question.Kind.RATING)
    # NPS 1, 3, 2 against ratings 1, 2, 3: r = .5 (see test_scores)
    _rated(workspace, survey, question, [(1, 1), (3, 2), (2, 3)])
    [driver] = selectors.question_drivers(workspace, *period())
    assert driver.r == pytest.approx(0.5)
    assert driver.n == 3


def test_question_drivers_follow_the_filters_and_period(workspace):
    survey = SurveyFactory(workspace=workspace)
    question = QuestionFactory(survey=survey, kind=Question.Kind.CSAT)
    [old] = responses(workspace, [10], survey=survey, days_ago=60)
    AnswerFactory(response=old, question=question, number=5)
    [web] = responses(workspace, [10], survey=survey, channel="web")
    AnswerFactory(response=web, question=question, number=5)
    start, end = period(30)
    assert selectors.question_drivers(workspace, start, end)[0].n == 1
    assert selectors.question_drivers(workspace, start, end, Filters(channel="store")) == []


def test_touchpoint_drivers_weigh_the_gap_by_volume(workspace):
    delivery = TouchpointFactory(stage__journey__workspace=workspace, name="Delivery")
    checkout = TouchpointFactory(stage__journey__workspace=workspace, name="Checkout")
    app = TouchpointFactory(stage__journey__workspace=workspace, name="App")
    responses(workspace, mix(10, 10, 40), touchpoint=delivery)   # NPS −50, many answers
    responses(workspace, mix(20, 10, 10), touchpoint=checkout)   # NPS +25
    responses(workspace, mix(0, 0, 2), touchpoint=app)           # NPS −100, but only two answers
    rolled_up(workspace)
    start, end = period()
    rows = selectors.breakdown(workspace, start, end, dimension="touchpoint")
    drivers = selectors.touchpoint_drivers(rows, selectors.summary(workspace, start, end))
    assert [driver.label for driver in drivers] == ["Delivery", "Checkout", "App"]
    delivery_driver = drivers[0]
    # Delivery −50 against the rest 20/10/12 (NPS 8/42·100 = 19.05): gap −69.05, share 60/102.
    assert delivery_driver.gap.gap == pytest.approx(-50 - 800 / 42)
    assert delivery_driver.gap.impact == pytest.approx((-50 - 800 / 42) * 60 / 102)
    assert delivery_driver.bar_percent == 50
    assert drivers[2].gap.impact > delivery_driver.gap.impact


def _add_report_data(workspace, survey, questions, indexes):
    """A touchpoint per index with four responses (each with a CES answer and every question answered)
    from a customer of one of six tiers, on one of the last 50 days."""
    for index in indexes:
        touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
        customer = CustomerFactory(workspace=workspace, attributes={"tier": f"t{index % 6}", "segment": "family"})
        for response in responses(workspace, mix(2, 1, 1), survey=survey, touchpoint=touchpoint, customer=customer,
                                  ces_score=1 + index % 7, days_ago=index % 50):
            for question in questions:
                AnswerFactory(response=response, question=question, number=3)


def test_report_query_count_does_not_grow_with_the_data(workspace, django_assert_max_num_queries):
    survey = SurveyFactory(workspace=workspace)
    questions = [QuestionFactory(survey=survey, kind=Question.Kind.RATING) for _ in range(5)]
    for index in range(6):
        PersonaFactory(workspace=workspace, segment_rule={"tier": f"t{index}"})
    # Two pairs: read from the responses, so every kind of read below runs.
    PersonaFactory(workspace=workspace, segment_rule={"tier": "t0", "segment": "family"})
    start, end = period(90)

    def queries_per_dimension(touchpoints: int) -> dict[str, int]:
        rolled_up(workspace)
        counts = {}
        for dimension in selectors.DIMENSIONS:
            # The daily rollups, Σ CES², the breakdown (two; personas three), the touchpoint rollups for the
            # drivers, the question drivers and the names (two with the survey breakdown).
            with django_assert_max_num_queries(8) as captured:
                report = selectors.nps_report(workspace, start, end, dimension=dimension, grain="week")
            counts[dimension] = len(captured)
            assert report.scores.nps_answers == 4 * touchpoints
            assert report.scores.ces_margin is not None
            assert len(report.touchpoint_drivers) == touchpoints
            assert len(report.question_drivers) == 5
        return counts

    _add_report_data(workspace, survey, questions, range(25))
    few = queries_per_dimension(25)
    _add_report_data(workspace, survey, questions, range(25, 75))
    assert queries_per_dimension(75) == few


def test_empty_report_says_whether_any_response_exists(workspace):
    start, end = period(30)
    report = selectors.nps_report(workspace, start, end)
    assert report.is_empty and not report.has_any_response
    responses(workspace, mix(1, 0, 0), days_ago=100)
    report = selectors.nps_report(workspace, start, end)
    assert report.is_empty and report.has_any_response
    assert report.change.delta is None


def test_chart_data(workspace):
    responses(workspace, mix(1, 0, 1), days_ago=2)
    report = selectors.nps_report(rolled_up(workspace), *period(30), grain="week")
    data = report.chart_data()
    assert len(data["labels"]) == len(data["nps"]) == len(data["lower"]) == len(data["upper"]) == len(data["n"])
    assert 4 <= len(data["labels"]) <= 6
    assert sum(data["n"]) == 2
    assert data["nps"].count(None) == len(data["nps"]) - 1


def test_filter_choices(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Store", stage__journey__name="Retail")
    archived = TouchpointFactory(stage__journey__workspace=workspace, name="Kiosk", journey=touchpoint.journey,
                                 stage=touchpoint.stage, archived_at=timezone.now())
    survey = SurveyFactory(workspace=workspace, title="Store visit")
    SurveyFactory()
    choices = selectors.filter_choices(workspace)
    assert choices["touchpoints"] == [(archived.pk, "Retail · Kiosk (archived)"), (touchpoint.pk, "Retail · Store")]
    assert choices["surveys"] == [(survey.pk, "Store visit")]

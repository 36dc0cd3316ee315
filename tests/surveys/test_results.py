"""The results page: scores with margin of error, CSAT, CES, the timeline and each question's
distribution, from constructed data; filters; and a query count that does not grow with the data."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from apps.nps.scores import nps_margin
from apps.surveys import selectors
from apps.surveys.models import Question
from tests.factories import SurveyFactory

from .answers import respond
from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(workspace):
    survey = SurveyFactory(workspace=workspace, title="Delivery check", language="en", status="live")
    QuestionFactory(survey=survey, position=1, kind="nps", text="Recommend?")
    QuestionFactory(survey=survey, position=2, kind="csat", text="Satisfied?")
    QuestionFactory(survey=survey, position=3, kind="ces", text="Easy?")
    reason = QuestionFactory(survey=survey, position=4, kind="multiple_choice", text="What went wrong?")
    ChoiceFactory(question=reason, position=1, text="Late")
    ChoiceFactory(question=reason, position=2, text="Rude driver")
    ChoiceFactory(question=reason, position=3, text="Broken box")
    QuestionFactory(survey=survey, position=5, kind="long_text", text="Tell us more", required=False)
    return survey


def q(survey, kind):
    return Question.objects.get(survey=survey, kind=kind)


@pytest.fixture
def answered(survey):
    """Seven NPS answers (3 promoters, 2 passives, 2 detractors), three CSAT (two satisfied), four CES
    (mean 4.25), and one response older than 90 days."""
    nps, csat, ces, reason, text = (q(survey, kind) for kind in ("nps", "csat", "ces", "multiple_choice",
                                                                 "long_text"))
    late, rude, _box = reason.choices.order_by("position")
    now = timezone.now()
    respond(survey, {nps: 10, csat: 5, ces: 7}, when=now - timedelta(days=1), channel="web", comment="")
    respond(survey, {nps: 10, csat: 4, ces: 5}, when=now - timedelta(days=2), channel="web")
    respond(survey, {nps: 9, csat: 2, ces: 3, text: "Fine overall"}, when=now - timedelta(days=3),
            channel="store", comment="Fine overall", language="ko")
    respond(survey, {nps: 8, ces: 2}, when=now - timedelta(days=10), channel="store")
    respond(survey, {nps: 7}, when=now - timedelta(days=20), channel="web")
    respond(survey, {nps: 6, reason: [late, rude]}, when=now - timedelta(days=30), channel="web")
    respond(survey, {nps: 3, reason: [late], text: "Two days late"}, when=now - timedelta(days=40),
            channel="web", comment="Two days late")
    respond(survey, {nps: 0, reason: [rude]}, when=now - timedelta(days=200), channel="web")
    return survey


def url(survey, page="results"):
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/{page}/"


def test_the_scores(client, vera, answered):
    client.force_login(vera)
    page = client.get(url(answered))
    summary = page.context["summary"]
    assert (summary.responses, summary.promoters, summary.passives, summary.detractors) == (7, 3, 2, 2)
    assert summary.nps == pytest.approx(100 / 7)
    assert summary.nps_margin == pytest.approx(nps_margin(3, 2, 2))
    assert summary.nps_margin == pytest.approx(1.96 * ((5 / 7 - (1 / 7) ** 2) / 7) ** .5 * 100)
    assert summary.csat == pytest.approx(200 / 3)
    assert summary.ces == pytest.approx(17 / 4)
    html = page.content.decode()
    assert '<p class="kpi-value" data-kpi="nps">14<span class="kpi-margin" data-kpi="nps-margin">± 61.7</span>' in html
    assert "n = 7" in html
    assert 'data-kpi="csat">67<small>' in html
    assert 'data-kpi="ces">4.25<small>' in html


def test_each_question_distribution(answered):
    questions = selectors.survey_all_questions(answered)
    results = selectors.survey_results(answered, questions, selectors.survey_responses(answered, {"period": "all"}),
                                       start=None)
    by_kind = {result.question.kind: result for result in results.questions}
    nps = by_kind["nps"]
    assert nps.respondents == 8
    assert [row["count"] for row in nps.rows] == [1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 2]
    assert [(group["key"], group["count"]) for group in nps.groups] == [("promoter", 3), ("passive", 2),
                                                                        ("detractor", 3)]
    assert nps.nps == pytest.approx(0)
    assert [row["count"] for row in by_kind["csat"].rows] == [0, 1, 0, 1, 1]
    assert by_kind["csat"].mean == pytest.approx(11 / 3)
    assert by_kind["ces"].mean == pytest.approx(17 / 4)
    choices = by_kind["multiple_choice"]
    assert choices.respondents == 3  # people, not ticks: one person chose two options
    assert [(row["label"], row["count"]) for row in choices.rows] == [("Late", 2), ("Rude driver", 2),
                                                                      ("Broken box", 0)]
    assert choices.rows[0]["share"] == pytest.approx(200 / 3)
    assert [answer["text"] for answer in by_kind["long_text"].texts] == ["Fine overall", "Two days late"]
    assert sum(results.timeline["responses"]) == 8
    assert results.granularity == "week"  # 200 days of answers


def test_the_period_filter_and_the_timeline(client, vera, answered):
    client.force_login(vera)
    page = client.get(url(answered), {"period": "30"})
    assert page.context["summary"].responses == 5
    chart = page.context["timeline_chart"]
    assert chart["granularity"] == "day"
    assert sum(chart["responses"]) == 5
    html = page.content.decode()
    data = json.loads(html.split('id="timeline-chart-data" type="application/json">')[1].split("</script>")[0])
    assert data["labels"] == chart["labels"]


@pytest.mark.parametrize(("filters", "count"), [
    ({"group": "promoter"}, 3), ({"group": "passive"}, 2), ({"group": "detractor"}, 2),
    ({"channel": "store"}, 2), ({"language": "ko"}, 1), ({"comment": "yes"}, 2), ({"comment": "no"}, 5),
    ({"group": "detractor", "period": "all"}, 3), ({"group": "nonsense"}, 7),
])
def test_filters(client, vera, answered, filters, count):
    client.force_login(vera)
    assert client.get(url(answered), filters).context["summary"].responses == count


def test_htmx_gets_the_results_fragment(client, vera, answered):
    client.force_login(vera)
    page = client.get(url(answered), {"group": "detractor"}, headers={"HX-Request": "true"})
    assertTemplateUsed(page, "surveys/partials/results_body.html")
    assert page.content.decode().lstrip().startswith('<div id="results"')
    assert "HX-Request" in page["Vary"]


def test_charts_come_as_json_not_inline_script(client, vera, answered):
    client.force_login(vera)
    html = client.get(url(answered)).content.decode()
    assert 'id="timeline-chart-data" type="application/json"' in html
    question = q(answered, "nps")
    assert f'id="question-chart-{question.pk}-data" type="application/json"' in html
    assert "vendor/chart.js/chart.umd.min.js" in html and "js/survey_results.js" in html
    assert "<script>" not in html


def test_the_empty_state(client, vera, survey):
    client.force_login(vera)
    html = client.get(url(survey)).content.decode()
    assert "No responses in this selection" in html
    assert "Share the survey" in html


def test_the_query_count_does_not_grow_with_responses(client, vera, survey, django_assert_max_num_queries):
    nps, reason, text = q(survey, "nps"), q(survey, "multiple_choice"), q(survey, "long_text")
    late = reason.choices.first()
    client.force_login(vera)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(url(survey)).status_code == 200
        return len(context)

    respond(survey, {nps: 5, reason: [late], text: "x"})
    count_queries()  # the first request of a session may do one-off work (caches, session)
    few = count_queries()
    for score in range(60):
        respond(survey, {nps: score % 11, reason: [late], text: f"comment {score}"},
                when=timezone.now() - timedelta(hours=score * 20))
    assert count_queries() == few
    with django_assert_max_num_queries(14):
        client.get(url(survey))


def test_outsiders_and_members(client, charlie, vera, survey):
    client.force_login(charlie)
    assert client.get(url(survey)).status_code == 404
    client.force_login(vera)
    assert client.get(url(survey)).status_code == 200

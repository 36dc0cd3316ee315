"""The demo generator on small counts: what it writes, that it tells the touchpoint stories (drift,
weekday volume) and that a second run adds nothing."""

from datetime import timedelta

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.nps.scores import nps
from apps.surveys.models import Answer, Question, Response, Survey
from apps.touchpoints.models import Touchpoint
from cxm.demo_customers import seed_customers
from cxm.demo_journeys import seed_journeys
from cxm.demo_surveys import seed_surveys
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(db):
    workspace = WorkspaceFactory(slug="hanbit-telecom", name="한빛텔레콤 Hanbit Telecom", default_language="ko")
    seed_journeys(workspace)
    seed_customers(workspace, count=200)
    return workspace


@pytest.fixture
def seeded(brand):
    result = seed_surveys(brand, responses=6000, rng_seed=7)
    return brand, result


def test_surveys_for_every_touchpoint_and_two_relationship_surveys(seeded):
    brand, result = seeded
    touchpoints = Touchpoint.objects.for_workspace(brand).active()
    surveys = Survey.objects.for_workspace(brand)
    assert result["surveys"] == surveys.count() == touchpoints.count() + 2
    assert set(surveys.exclude(touchpoint=None).values_list("touchpoint", flat=True)) == set(
        touchpoints.values_list("pk", flat=True))
    assert surveys.filter(status="live").count() == surveys.count()
    assert surveys.filter(language="en").count() == 1
    delivery = surveys.get(title="유심 배송 경험 조사")
    kinds = list(delivery.questions.order_by("position").values_list("kind", flat=True))
    assert kinds == ["nps", "single_choice", "csat", "long_text"]
    assert "한빛텔레콤" in delivery.questions.get(kind="nps").text
    follow_up = delivery.questions.get(kind="single_choice")
    assert (follow_up.condition_question.kind, follow_up.condition_operator, follow_up.condition_min,
            follow_up.condition_max) == ("nps", "score_between", 0, 6)
    assert "ces" in surveys.get(title="고객센터 상담 경험 조사").questions.values_list("kind", flat=True)


def test_responses_answers_and_scores_agree(seeded):
    brand, result = seeded
    responses = Response.objects.for_workspace(brand)
    assert result["responses"] == responses.count() == 6000
    assert result["answers"] == Answer.objects.for_workspace(brand).count()
    nps_answers = Answer.objects.for_workspace(brand).filter(question__kind="nps")
    assert nps_answers.count() == 6000
    assert not nps_answers.exclude(number=F("response__nps_score")).exists()
    assert not Answer.objects.filter(question__kind="csat").exclude(number=F("response__csat_score")).exists()
    assert not Answer.objects.filter(question__kind="ces").exclude(number=F("response__ces_score")).exists()
    # The follow-up is answered only by detractors, and the comment is the long-text answer.
    assert not Answer.objects.filter(question__kind="single_choice", response__nps_score__gt=6).exists()
    assert Answer.objects.filter(question__kind="single_choice").count() > 300
    comments = Answer.objects.filter(question__kind="long_text")
    assert not comments.exclude(text=F("response__comment")).exists()
    assert responses.exclude(comment="").count() == comments.count()
    # Scores move with the NPS answer.
    promoters = responses.filter(nps_score__gte=9).exclude(csat_score=None)
    detractors = responses.filter(nps_score__lte=6).exclude(csat_score=None)
    mean = lambda rows: sum(rows.values_list("csat_score", flat=True)) / rows.count()  # noqa: E731
    assert mean(promoters) > mean(detractors) + 1.5


def test_the_rows_look_real(seeded):
    brand, _result = seeded
    responses = Response.objects.for_workspace(brand)
    now = timezone.now()
    assert not responses.filter(Q(submitted_at__gt=now) | Q(submitted_at__lt=now - timedelta(days=366))).exists()
    assert 0.65 < responses.exclude(customer=None).count() / 6000 < 0.85
    korean = responses.filter(language="ko").exclude(comment="")
    english = responses.filter(language="en").exclude(comment="")
    assert korean.count() > 5 * english.count() > 0
    assert any("배송" in text for text in korean.values_list("comment", flat=True))
    assert all(text.isascii() for text in english.values_list("comment", flat=True))
    detractor_comments = " ".join(responses.filter(nps_score__lte=6).values_list("comment", flat=True))
    assert "늦" in detractor_comments or "기다" in detractor_comments
    relationship = responses.filter(touchpoint=None)
    assert not relationship.filter(channel="").exists()
    assert relationship.first().hidden_fields == {"channel": relationship.first().channel}
    keys = list(responses.values_list("submission_key", flat=True))
    assert len(set(keys)) == len(keys)


def quarter_nps(brand, touchpoint_name: str, quarter: int) -> float:
    now = timezone.now()
    start = now - timedelta(days=365 - quarter * 91)
    counts = (Response.objects.for_workspace(brand).filter(touchpoint__name=touchpoint_name)
              .in_period(start, start + timedelta(days=91))
              .aggregate(p=Count("pk", filter=Q(nps_score__gte=9)), a=Count("pk", filter=Q(nps_score__in=(7, 8))),
                         d=Count("pk", filter=Q(nps_score__lte=6))))
    return nps(counts["p"], counts["a"], counts["d"])


def test_touchpoints_drift_apart(seeded):
    brand, _result = seeded
    # The SIM delivery gets worse over the year, the call centre better.
    assert quarter_nps(brand, "유심 배송", 3) < quarter_nps(brand, "유심 배송", 0) - 8
    assert quarter_nps(brand, "고객센터 상담", 3) > quarter_nps(brand, "고객센터 상담", 0) + 8


def test_the_call_centre_is_quiet_on_sundays(seeded):
    brand, _result = seeded
    by_weekday = dict(Response.objects.for_workspace(brand).filter(channel="call_centre")
                      .values_list("submitted_at__week_day").annotate(n=Count("pk")).order_by())
    assert by_weekday[1] * 2 < by_weekday[2]  # week_day: 1 is Sunday, 2 is Monday


def test_a_second_run_adds_nothing_and_replace_writes_again(seeded):
    brand, _result = seeded
    surveys, questions = Survey.objects.count(), Question.objects.count()
    again = seed_surveys(brand, responses=6000, rng_seed=7)
    assert again == {"surveys": again["surveys"], "responses": 0, "answers": 0, "skipped": True}
    assert (Survey.objects.count(), Question.objects.count(), Response.objects.count()) == (surveys, questions, 6000)
    replaced = seed_surveys(brand, responses=500, rng_seed=8, replace=True)
    assert replaced["responses"] == 500
    assert Response.objects.count() == 500
    assert Survey.objects.count() == surveys


def test_a_workspace_without_journeys_gets_the_relationship_surveys(db):
    workspace = WorkspaceFactory(name="Plain brand")
    result = seed_surveys(workspace, responses=50, rng_seed=1)
    assert result["surveys"] == 2
    assert Response.objects.for_workspace(workspace).filter(customer=None).count() == 50

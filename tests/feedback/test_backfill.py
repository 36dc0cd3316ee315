"""The backfill creates the feedback items and cases that responses should have, set-based, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.feedback import services
from apps.feedback.models import CaseEvent, FeedbackItem, FeedbackTag, FollowUpCase
from apps.surveys.models import Answer, Question
from tests.factories import ResponseFactory, SurveyFactory, TouchpointFactory
from tests.surveys.factories import QuestionFactory

from .factories import TagRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulk_loaded(workspace, bob):
    """Responses written straight to the table, as the demo generator does: comments on the response and
    as long-text answers, and some without an answer row."""
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    survey = SurveyFactory(workspace=workspace, touchpoint=touchpoint)
    comment = QuestionFactory(survey=survey, kind=Question.Kind.LONG_TEXT)
    now = timezone.now()
    responses = []
    for n in range(30):
        text = f"배송 코멘트 {n}" if n % 3 else ""
        response = ResponseFactory(survey=survey, touchpoint=touchpoint, nps_score=n % 11, comment=text,
                                   submitted_at=now - timedelta(days=n))
        if text and n % 2:
            Answer.objects.create(workspace=workspace, response=response, question=comment, text=text)
        responses.append(response)
    return responses


def test_it_creates_items_and_cases_and_a_second_run_adds_nothing(workspace, bulk_loaded):
    TagRuleFactory(tag__workspace=workspace, keywords="배송")
    first = services.feedback_backfill_from_responses(workspace)
    commented = [response for response in bulk_loaded if response.comment]
    detractors = [response for response in bulk_loaded if response.nps_score <= 6]
    assert first == {"items": len(commented), "cases": len(detractors)}
    assert FeedbackItem.objects.count() == len(commented)
    assert FeedbackItem.objects.exclude(answer=None).count() == Answer.objects.count()
    assert FeedbackTag.objects.count() == len(commented)
    assert FollowUpCase.objects.count() == CaseEvent.objects.count() == len(detractors)
    case = FollowUpCase.objects.get(response=detractors[1])
    assert case.created_at == detractors[1].submitted_at
    assert case.due_at == case.created_at + timedelta(hours=workspace.follow_up_sla_hours)
    assert case.assignee is not None
    assert services.feedback_backfill_from_responses(workspace) == {"items": 0, "cases": 0}


def test_cases_since_limits_the_cases_not_the_items(workspace, bulk_loaded):
    counts = services.feedback_backfill_from_responses(workspace, cases_since=timezone.now() - timedelta(days=5))
    assert counts["cases"] == FollowUpCase.objects.count() == sum(
        1 for response in bulk_loaded if response.nps_score <= 6 and response.submitted_at >= timezone.now()
        - timedelta(days=5))
    assert counts["items"] == sum(1 for response in bulk_loaded if response.comment)


def test_the_number_of_queries_does_not_grow_with_responses(workspace, bulk_loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        services.feedback_backfill_from_responses(workspace, batch_size=5000)


def test_the_reconcile_task_backfills_and_analyses(workspace, bulk_loaded):
    from apps.feedback import tasks

    counts = tasks.reconcile_workspace_feedback(workspace.pk)
    assert counts["items"] and counts["analysed"] == counts["items"]
    assert not FeedbackItem.objects.filter(analysed_at=None).exists()

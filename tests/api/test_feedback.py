import pytest

from apps.feedback.models import FeedbackItem
from tests.api.conftest import errors_by_field
from tests.factories import CustomerFactory, SurveyFactory, TouchpointFactory
from tests.nps.factories import responses

pytestmark = pytest.mark.django_db


def test_feedback_is_recorded(api, workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    survey = SurveyFactory(workspace=workspace)
    [response] = responses(workspace, [3], survey=survey)
    customer = CustomerFactory(workspace=workspace, external_id="C-9")
    result = api.post("feedback", {
        "text": "The engineer was late and rude.", "source": "call_centre", "language": "en", "score": 3,
        "touchpoint_id": touchpoint.pk, "survey_id": survey.pk, "response_id": response.pk,
        "customer_external_id": "C-9", "created_at": "2025-03-01T09:00:00+09:00", "external_id": "call-77"})
    assert result.status_code == 201, result.content
    item = FeedbackItem.objects.get(pk=result.json()["id"])
    assert (item.workspace, item.source, item.score, item.external_id) == (workspace, "call_centre", 3, "call-77")
    assert (item.touchpoint, item.survey, item.response, item.customer) == (touchpoint, survey, response, customer)
    assert result.json()["created_at"] == "2025-03-01T00:00:00Z"


def test_the_defaults(api):
    result = api.post("feedback", {"text": "Nice app"})
    assert result.status_code == 201
    assert result.json()["source"] == "api"


def test_the_same_external_id_returns_the_item_already_saved(api):
    first = api.post("feedback", {"text": "One", "external_id": "review-1", "source": "app_review"})
    second = api.post("feedback", {"text": "One", "external_id": "review-1", "source": "app_review"})
    assert second.json()["id"] == first.json()["id"]
    assert FeedbackItem.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({}, "text"),
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "x" * 10_001}, "text"),
    ({"text": 5}, "text"),
    ({"text": "Hi", "source": "pigeon"}, "source"),
    ({"text": "Hi", "language": "fr"}, "language"),
    ({"text": "Hi", "score": 11}, "score"),
    ({"text": "Hi", "score": "high"}, "score"),
    ({"text": "Hi", "touchpoint_id": 999999}, "touchpoint_id"),
    ({"text": "Hi", "response_id": 999999}, "response_id"),
    ({"text": "Hi", "customer_external_id": "nobody"}, "customer_external_id"),
    ({"text": "Hi", "external_id": "x" * 121}, "external_id"),
    ({"text": "Hi", "created_at": "2999-01-01T00:00:00Z"}, "created_at"),
    ({"text": "Hi", "mood": "sunny"}, "mood"),
])
def test_validation_errors_name_the_field(api, body, field):
    result = api.post("feedback", body)
    assert result.status_code == 422, result.content
    assert field in errors_by_field(result)
    assert not FeedbackItem.objects.exists()

"""The events: written with the response, case or alert in its transaction, sent after commit, and
nothing at all (not even a query) when no endpoint listens."""

import json
from unittest import mock

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from apps.feedback import services as feedback_services
from apps.feedback.models import FollowUpCase
from apps.webhooks import services
from apps.webhooks.models import Event, WebhookDelivery
from apps.workspaces.models import Membership
from tests.factories import ResponseFactory, WorkspaceFactory
from tests.feedback.factories import AlertRuleFactory

from .factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def sent(receiver) -> list[dict]:
    return [json.loads(request["body"]) for request in receiver.requests]


def test_a_completed_response_is_pushed_without_personal_data(workspace, receiver, record, customer, touchpoint,
                                                                survey, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.RESPONSE_COMPLETED])
    with django_capture_on_commit_callbacks(execute=True):
        response = record(10, comment="Jisu at jisu@example.com loved it", csat=5, customer=customer)

    [event] = sent(receiver)
    assert event["type"] == "response.completed"
    assert event["workspace"] == {"id": workspace.pk, "slug": "hanbit", "name": "Hanbit Telecom"}
    data = event["data"]["response"]
    assert data["id"] == response.pk
    assert data["survey"] == {"id": survey.pk, "title": "After your visit"}
    assert data["touchpoint"] == {"id": touchpoint.pk, "name": "Store visit", "channel": "store"}
    assert (data["nps_score"], data["nps_group"], data["csat_score"]) == (10, "promoter", 5)
    assert data["customer"] == {"id": customer.pk, "external_id": "C-0042"}
    assert data["url"].endswith(f"/w/hanbit/surveys/{survey.pk}/responses/{response.pk}/")
    raw = receiver.requests[0]["body"].decode()
    for personal in ("jisu@example.com", "010-1234-5678", "loved it", customer.name):
        assert personal not in raw


def test_a_detractor_pushes_the_response_and_the_opened_case(workspace, receiver, record,
                                                              django_capture_on_commit_callbacks):
    WebhookEndpointFactory(workspace=workspace, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = record(2)
    events = {event["type"]: event for event in sent(receiver)}
    assert set(events) == {"response.completed", "follow_up_case.opened"}
    case = FollowUpCase.objects.get(response=response)
    data = events["follow_up_case.opened"]["data"]["follow_up_case"]
    assert (data["id"], data["status"], data["reason"], data["nps_score"]) == (case.pk, "new", "detractor", 2)
    assert data["response_id"] == response.pk and data["closed_at"] is None


def test_closing_a_case_pushes_follow_up_case_closed(workspace, receiver, record, alice,
                                                      django_capture_on_commit_callbacks):
    WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.FOLLOW_UP_CASE_CLOSED])
    response = record(3)
    case = FollowUpCase.objects.get(response=response)
    actor = Membership.objects.get(workspace=workspace, user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.follow_up_case_set_status(case=case, status="contacted", actor=actor)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.follow_up_case_close(case=case, closed_by=actor, note="Called back")
    [event] = sent(receiver)
    data = event["data"]["follow_up_case"]
    assert event["type"] == "follow_up_case.closed"
    assert data["status"] == "closed" and data["closed_at"] and data["time_to_close_seconds"] >= 0
    assert "Called back" not in receiver.requests[0]["body"].decode()


def test_a_fired_alert_is_pushed(workspace, receiver, touchpoint, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.ALERT_FIRED])
    rule = AlertRuleFactory(workspace=workspace, name="Store NPS", threshold=0, min_responses=3)
    for score in (1, 2, 3):
        ResponseFactory(survey__workspace=workspace, touchpoint=touchpoint, nps_score=score)
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = feedback_services.alert_rules_check(workspace=workspace)
    [event] = sent(receiver)
    data = event["data"]["alert"]
    assert event["type"] == "alert.fired"
    assert data["id"] == alert.pk and data["rule"] == {"id": rule.pk, "name": "Store NPS",
                                                        "kind": "touchpoint_nps_below"}
    assert data["value"] == -100 and data["sample_size"] == 3 and data["touchpoint"]["name"] == "Store visit"


def test_nothing_is_sent_and_nothing_is_queried_without_an_endpoint(workspace, record, receiver,
                                                                    django_assert_num_queries):
    WebhookEndpointFactory(workspace=WorkspaceFactory(), url=receiver.url)  # another brand's endpoint
    workspace.refresh_from_db()
    with django_assert_num_queries(0):
        assert services.event_emit(workspace=workspace, event="response.completed", payload=dict) == []
    record(9)
    record(1)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_only_active_endpoints_subscribed_to_the_event_get_it(workspace, receiver, record,
                                                               django_capture_on_commit_callbacks):
    listening = WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.RESPONSE_COMPLETED])
    WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.ALERT_FIRED])
    paused = WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.RESPONSE_COMPLETED])
    services.endpoint_disable(endpoint=paused)
    workspace.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        record(8)
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [listening.pk]
    assert len(receiver.requests) == 1


def test_the_emit_costs_two_queries_when_someone_listens(workspace, django_assert_num_queries):
    WebhookEndpointFactory(workspace=workspace)
    workspace.refresh_from_db()
    with django_assert_num_queries(2):  # the endpoints, and one insert for the deliveries
        services.event_emit(workspace=workspace, event="alert.fired", payload={"alert": {}})


def test_the_delivery_is_part_of_the_event_transaction(workspace, record):
    WebhookEndpointFactory(workspace=workspace)
    workspace.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(9)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the response is rolled back")
    assert WebhookDelivery.objects.count() == 0


def test_with_redis_down_the_delivery_waits_for_the_periodic_job(workspace, receiver, record,
                                                                  django_capture_on_commit_callbacks):
    WebhookEndpointFactory(workspace=workspace, url=receiver.url, events=[Event.RESPONSE_COMPLETED])
    workspace.refresh_from_db()
    with mock.patch("celery.app.task.Task.apply_async", side_effect=OperationalError("Redis is down")), \
            django_capture_on_commit_callbacks(execute=True):
        response = record(9)
    assert response.pk and receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 0
    assert services.deliveries_enqueue_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.requests) == 1

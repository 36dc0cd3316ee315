"""Idempotency-Key: a retried POST returns the first answer; the same key with another body is a 409."""

import json
from datetime import timedelta

import pytest

from apps.api import idempotency
from apps.api.models import IdempotencyRecord
from apps.feedback.models import FeedbackItem
from apps.surveys.models import Response
from apps.workspaces.models import ApiKey
from tests.api.conftest import ApiClient, errors_by_field
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def body(survey, nps=9) -> dict:
    return {"survey_id": survey.pk, "answers": {str(survey.nps.pk): nps, str(survey.csat.pk): 4}}


def test_a_retry_returns_the_first_answer(api, survey):
    first = api.post("responses", body(survey), headers={"Idempotency-Key": "order-1"})
    again = api.post("responses", body(survey), headers={"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Response.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.workspace, record.endpoint, record.status_code) == (survey.workspace, "responses", 201)


def test_the_same_key_with_another_body_is_a_conflict(api, survey):
    api.post("responses", body(survey, nps=9), headers={"Idempotency-Key": "order-2"})
    response = api.post("responses", body(survey, nps=3), headers={"Idempotency-Key": "order-2"})
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert Response.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_a_conflict(api, survey):
    api.post("feedback", {"text": "Great"}, headers={"Idempotency-Key": "k"})
    response = api.post("responses", body(survey), headers={"Idempotency-Key": "k"})
    assert response.status_code == 409


def test_a_refused_request_keeps_no_record(api, survey):
    refused = api.post("responses", {"survey_id": survey.pk, "answers": {}}, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    fixed = api.post("responses", body(survey), headers={"Idempotency-Key": "k"})
    assert fixed.status_code == 201


def test_without_a_key_every_post_writes(api, survey):
    api.post("responses", body(survey))
    api.post("responses", body(survey))
    assert Response.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_feedback_is_idempotent_too(api):
    first = api.post("feedback", {"text": "Lovely staff"}, headers={"Idempotency-Key": "fb-1"})
    again = api.post("feedback", {"text": "Lovely staff"}, headers={"Idempotency-Key": "fb-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert FeedbackItem.objects.count() == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "한글"])
def test_a_malformed_key_is_refused(api, survey, key):
    response = api.post("responses", body(survey), headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert "Idempotency-Key" in errors_by_field(response)
    assert Response.objects.count() == 0


def test_keys_belong_to_their_workspace(client, api, survey):
    api.post("responses", body(survey), headers={"Idempotency-Key": "shared"})
    other = WorkspaceFactory()
    _key, raw_key = ApiKey.generate(workspace=other, name="Other")
    response = ApiClient(client, raw_key).post("feedback", {"text": "Hi"}, headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201
    assert IdempotencyRecord.objects.count() == 2


def test_an_expired_key_starts_afresh(api, survey):
    api.post("responses", body(survey), headers={"Idempotency-Key": "old"})
    record = IdempotencyRecord.objects.get()
    record.created_at -= timedelta(hours=25)
    record.save()
    response = api.post("responses", body(survey, nps=2) | {"answers": {str(survey.nps.pk): 8,
                                                                          str(survey.csat.pk): 4}},
                        headers={"Idempotency-Key": "old"})
    assert response.status_code == 201
    assert Response.objects.count() == 2
    assert idempotency.purge_expired() == 0  # the old record was replaced by the new one


def test_purge_expired(api, survey):
    api.post("responses", body(survey), headers={"Idempotency-Key": "a"})
    api.post("responses", body(survey), headers={"Idempotency-Key": "b"})
    IdempotencyRecord.objects.filter(key="a").update(created_at=IdempotencyRecord.objects.get(key="a").created_at
                                                     - timedelta(days=2))
    assert idempotency.purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


def test_the_hash_covers_the_endpoint_and_the_body():
    assert idempotency.request_hash("responses", b"{}") != idempotency.request_hash("feedback", b"{}")
    assert idempotency.request_hash("responses", json.dumps({"a": 1}).encode()) == idempotency.request_hash(
        "responses", b'{"a": 1}')

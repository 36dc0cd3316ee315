"""POST /api/v1/responses: validated like the public survey page, written by response_record."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.surveys.models import Answer, Response
from tests.api.conftest import errors_by_field
from tests.factories import CustomerFactory
from tests.surveys.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def answers(survey, **values) -> dict:
    """Answers by question id from the fixture's question names: answers(survey, nps=9, csat=4)."""
    return {str(getattr(survey, name).pk): value for name, value in values.items()}


def test_a_response_is_recorded(api, survey):
    customer = CustomerFactory(workspace=survey.workspace, external_id="C-1")
    response = api.post("responses", {
        "survey_id": survey.pk,
        "answers": answers(survey, nps=9, csat=4, ces=6, several=[survey.speed.pk, survey.politeness.pk],
                           comment="Quick and friendly."),
        "customer_external_id": "C-1",
        "submitted_at": "2025-03-01T09:30:00+09:00",
        "hidden_fields": {"order": "A-123", "secret": "ignored"},
    })
    assert response.status_code == 201, response.content
    body = response.json()
    saved = Response.objects.get(pk=body["id"])
    assert (saved.nps_score, saved.csat_score, saved.ces_score) == (9, 4, 6)
    assert saved.customer == customer
    assert saved.submitted_at == datetime(2025, 3, 1, 0, 30, tzinfo=UTC)
    assert saved.touchpoint == survey.touchpoint and saved.channel == "delivery"
    assert saved.hidden_fields == {"order": "A-123"}
    assert saved.comment == "Quick and friendly."
    assert Answer.objects.filter(response=saved).count() == 6  # nps, csat, ces, two choices, comment
    assert body == {"id": saved.pk, "survey_id": survey.pk, "touchpoint_id": survey.touchpoint_id,
                    "customer_id": customer.pk, "channel": "delivery", "submitted_at": "2025-03-01T00:30:00Z",
                    "nps_score": 9, "csat_score": 4, "ces_score": 6}


def test_by_survey_token_and_now_by_default(api, survey):
    response = api.post("responses", {"survey_token": survey.token, "answers": answers(survey, nps=10, csat=5)})
    assert response.status_code == 201
    saved = Response.objects.get(pk=response.json()["id"])
    assert timezone.now() - saved.submitted_at < timedelta(minutes=1)
    assert saved.customer is None


def test_a_time_without_offset_is_the_workspaces_local_time(api, survey):
    survey.workspace.time_zone = "Asia/Seoul"
    survey.workspace.save()
    response = api.post("responses", {"survey_id": survey.pk, "answers": answers(survey, nps=10, csat=5),
                                      "submitted_at": "2025-03-01T09:30:00"})
    assert response.json()["submitted_at"] == "2025-03-01T00:30:00Z"


def test_a_detractor_must_answer_the_follow_up(api, survey):
    response = api.post("responses", {"survey_id": survey.pk, "answers": answers(survey, nps=3, csat=2)})
    assert response.status_code == 422
    assert errors_by_field(response) == {f"answers.{survey.follow_up.pk}": "Please choose an answer."}
    response = api.post("responses", {"survey_id": survey.pk,
                                      "answers": answers(survey, nps=3, csat=2, follow_up=survey.price.pk)})
    assert response.status_code == 201


def test_a_follow_up_not_asked_keeps_no_answer(api, survey):
    response = api.post("responses", {"survey_id": survey.pk,
                                      "answers": answers(survey, nps=10, csat=5, follow_up=survey.price.pk)})
    assert response.status_code == 201
    assert not Answer.objects.filter(response_id=response.json()["id"], question=survey.follow_up).exists()


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"nps": 11, "csat": 4}, "nps", "Please choose a score from 0 to 10."),
    ({"nps": -1, "csat": 4}, "nps", "Please choose a score from 0 to 10."),
    ({"nps": "nine", "csat": 4}, "nps", "Give the score as a whole number."),
    ({"nps": [9], "csat": 4}, "nps", "Give one value, not a list."),
    ({"nps": 9}, "csat", "Please choose a score from 1 to 5."),
    ({"nps": 9, "csat": 4, "several": [999999]}, "several", "Please choose from the answers shown."),
    ({"nps": 9, "csat": 4, "comment": 5}, "comment", "Give a text."),
    ({"nps": 9, "csat": 4, "comment": "x" * 5001}, "comment", "Keep this under 5000 characters."),
])
def test_wrong_answers_are_named(api, survey, values, field, message):
    response = api.post("responses", {"survey_id": survey.pk, "answers": answers(survey, **values)})
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert list(errors) == [f"answers.{getattr(survey, field).pk}"]
    assert errors[f"answers.{getattr(survey, field).pk}"].startswith(message)


def test_unknown_question_ids_are_named(api, survey, workspace):
    other_survey_question = QuestionFactory(survey__workspace=workspace)
    response = api.post("responses", {"survey_id": survey.pk, "answers": {
        **answers(survey, nps=9, csat=4), "999999": 5, "abc": 1, str(other_survey_question.pk): 3}})
    assert response.status_code == 422
    errors = errors_by_field(response)
    assert set(errors) == {"answers.999999", "answers.abc", f"answers.{other_survey_question.pk}"}
    assert errors["answers.999999"] == "No question with this id in the survey."
    assert Response.objects.count() == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"answers": {}}, "survey_id"),
    ({"survey_id": 1, "survey_token": "x", "answers": {}}, "survey_id"),
    ({"survey_id": 999999, "answers": {}}, "survey_id"),
    ({"survey_token": "nope", "answers": {}}, "survey_token"),
    ({"survey_id": "12", "answers": {}}, "survey_id"),
    ({"survey_id": 0, "answers": {}}, "survey_id"),
    ({"survey_id": True, "answers": {}}, "survey_id"),
    ({"survey_id": 1}, "answers"),
    ({"survey_id": 1, "answers": []}, "answers"),
    ({"survey_id": 1, "answers": {"1": 1.5}}, "answers.1"),
    ({"survey_id": 1, "answers": {"1": {"a": 1}}}, "answers.1"),
    ({"survey_id": 1, "answers": {}, "colour": "red"}, "colour"),
    ({"survey_id": 1, "answers": {}, "submitted_at": "yesterday"}, "submitted_at"),
    ({"survey_id": 1, "answers": {}, "customer_external_id": "x" * 121}, "customer_external_id"),
    ({"survey_id": 1, "answers": {"1": "x" * 6000}}, "answers.1"),
])
def test_validation_errors_name_the_field(api, body, field):
    response = api.post("responses", body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["detail"]
    assert field in {error["field"] for error in payload["errors"]}
    assert all(error["message"] for error in payload["errors"])


def test_a_survey_that_is_not_open_is_refused(api, survey):
    for status, word in (("draft", "draft"), ("paused", "paused"), ("closed", "closed")):
        survey.status = status
        survey.save()
        response = api.post("responses", {"survey_id": survey.pk, "answers": answers(survey, nps=9, csat=4)})
        assert response.status_code == 422
        assert word in errors_by_field(response)["survey_id"]


def test_unknown_customer_and_future_time(api, survey):
    response = api.post("responses", {"survey_id": survey.pk, "answers": answers(survey, nps=9, csat=4),
                                      "customer_external_id": "NOBODY",
                                      "submitted_at": (timezone.now() + timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert set(errors_by_field(response)) == {"customer_external_id", "submitted_at"}


@pytest.mark.parametrize("body", [b"{bad json", b"", b"\xff\xfe", b"null", b"[1, 2]", b'"text"', b"1e999999"])
def test_malformed_bodies_never_fail_the_server(client, api, body):
    response = client.post("/api/v1/responses", body, content_type="application/json", headers=api.headers())
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


def test_a_huge_body_is_refused(client, api):
    body = b'{"survey_id": 1, "answers": {"1": "' + b"x" * (3 * 1024 * 1024) + b'"}}'
    response = client.post("/api/v1/responses", body, content_type="application/json", headers=api.headers())
    assert response.status_code == 413
    assert response.json()["detail"]


def test_many_answers_are_refused(api, survey):
    response = api.post("responses", {"survey_id": survey.pk, "answers": {str(i): 1 for i in range(201)}})
    assert response.status_code == 422
    assert errors_by_field(response)["answers"].startswith("Give at most 200")


def test_korean_messages(api, survey):
    response = api.post("responses", {"survey_id": 999999, "answers": {}}, headers={"Accept-Language": "ko"})
    assert response.status_code == 422
    assert response["Content-Language"] == "ko"

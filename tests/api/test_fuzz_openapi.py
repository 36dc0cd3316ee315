"""The API fuzzed from its own OpenAPI document with schemathesis, in-process through Django's WSGI app.

For every operation, schemathesis generates requests that fit the document (positive) and requests that
break it (negative: wrong types, missing fields, values out of range); hypothesis also swaps in the real
survey and question ids half of the time, so the answer validation is reached, not only "no such survey".
Every answer must: not be a 5xx, match the status codes, content type and body schema the document
declares, and on 422 name a field the request really has. Bounded by FUZZ_EXAMPLES per operation and mode.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.surveys.models import Response

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, sharing the test's connection and transaction: like the test client,
    keep request_started/finished from closing that connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def schema(client):
    document = json.loads(client.get("/api/v1/openapi.json").content)
    return schemathesis.openapi.from_dict(document)


def _with_real_ids(data, case, survey) -> None:
    """Half of the time, aim the generated body at the real survey and its questions."""
    body = case.body
    if case.operation.label != "POST /api/v1/responses" or not isinstance(body, dict) or not data.draw(
            st.booleans(), label="real survey"):
        return
    body.pop("survey_token", None)
    body["survey_id"] = survey.pk
    answers = body.get("answers")
    if isinstance(answers, dict):
        question_ids = [str(question.pk) for question in survey.questions.all()]
        body["answers"] = {data.draw(st.sampled_from(question_ids), label="question"): value
                           for value in answers.values()}


def _assert_errors_name_fields(case, response) -> None:
    if response.status_code != 422:
        return
    errors = response.json()["errors"]
    assert errors, response.text
    sent = set(case.query or {})
    if isinstance(case.body, dict):
        sent |= {str(key) for key in case.body}
    properties = {parameter["name"] for parameter in case.operation.definition.raw.get("parameters") or []}
    for error in errors:
        field = error["field"]
        assert isinstance(field, str) and field, response.text
        assert error["message"].strip(), response.text
        # A key sent as it is ("." or "a.b" are keys too) is named whole; a nested field by its path.
        root = field if field in sent else field.split(".", 1)[0]
        root = "" if root == '""' else root  # how an empty key is named
        # A field the request sent, one the document declares (a missing required one), or the whole body
        # when it was not a JSON object at all.
        body_is_object = isinstance(case.body, dict)
        assert root in sent or root in properties or root in _body_properties(case) or (
            field == "body" and not body_is_object), (field, case.body, case.query, response.text)


def _body_properties(case) -> set[str]:
    content = (case.operation.definition.raw.get("requestBody") or {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = case.operation.schema.raw_schema["components"]["schemas"][name]
    return set(schema.get("properties", {}))


def _fuzz(operation, mode, *, app, headers, survey, seen_statuses: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @hypothesis_settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    def fuzz(case, data):
        _with_real_ids(data, case, survey)
        response = case.call(base_url="http://testserver", app=app, headers=headers)
        case.validate_response(response, checks=CHECKS)
        _assert_errors_name_fields(case, response)
        seen_statuses.setdefault(operation.label, set()).add(response.status_code)

    fuzz()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_a_server_error_and_every_error_names_its_field(
        schema, wsgi_app, key_and_raw, survey, settings, mode):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    headers = {"Authorization": f"Bearer {key_and_raw[1]}"}
    seen_statuses: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        _fuzz(result.ok(), mode, app=wsgi_app, headers=headers, survey=survey, seen_statuses=seen_statuses)
    # The run reached every operation, and validation, not only the authentication in front of it.
    assert set(seen_statuses) == {"POST /api/v1/responses", "POST /api/v1/feedback", "GET /api/v1/kpis",
                                  "GET /api/v1/touchpoints"}
    assert 422 in seen_statuses["POST /api/v1/responses"]
    if mode == GenerationMode.POSITIVE:
        assert 200 in seen_statuses["GET /api/v1/kpis"]


def test_without_a_key_every_operation_is_a_401(schema, wsgi_app, survey):
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def fuzz(case):
            case.headers = {key: value for key, value in (case.headers or {}).items()
                            if key.lower() != "authorization"}
            response = case.call(base_url="http://testserver", app=wsgi_app)
            assert response.status_code == 401, response.text

        fuzz()
    assert not Response.objects.exists()


# What the fuzzing found, kept as plain regression tests ---------------------------------------------------

def test_an_id_larger_than_any_row_is_a_field_error_not_a_crash(api, survey):
    response = api.get("kpis", {"touchpoint_id": 2**70})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["touchpoint_id"]
    response = api.post("responses", {"survey_id": 2**70, "answers": {}})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["survey_id"]


@pytest.mark.parametrize("day", ["0001-01-01", "0364-09-18", "9999-12-31"])
def test_kpis_refuse_days_out_of_range(api, day):
    response = api.get("kpis", {"start": "2024-01-01", "end": day})
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"end"}


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+09:00", "1999-12-31T23:59:59Z"])
def test_a_response_from_before_2000_is_refused(api, survey, moment):
    response = api.post("responses", {"survey_id": survey.pk, "answers": {str(survey.nps.pk): 9},
                                      "submitted_at": moment})
    assert response.status_code == 422
    assert "submitted_at" in {error["field"] for error in response.json()["errors"]}
    assert not Response.objects.exists()


def test_an_empty_key_is_named(api, survey):
    response = api.post("responses", {"survey_id": survey.pk, "answers": {"": 9}, "": 1})
    assert response.status_code == 422
    assert '""' in {error["field"] for error in response.json()["errors"]}


def test_a_number_too_big_for_json_is_a_400_with_a_message(api):
    response = api.post("responses", '{"survey_id": ' + "9" * 5000 + ', "answers": {}}')
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


def test_range_messages_are_translated(api, survey):
    response = api.post("feedback", {"text": "좋아요", "score": 11}, headers={"Accept-Language": "ko"})
    assert response.status_code == 422
    message = {error["field"]: error["message"] for error in response.json()["errors"]}["score"]
    assert "10" in message and "Input should" not in message


@pytest.mark.parametrize(("path", "body", "field"), [
    ("feedback", {"text": "a\x00b"}, "text"),
    ("feedback", {"text": "ok", "customer_external_id": "a\x00"}, "customer_external_id"),
    ("feedback", {"text": "ok", "external_id": "a\x00"}, "external_id"),
    ("responses", {"survey_token": "a\x00", "answers": {}}, "survey_token"),
    ("responses", {"survey_id": 0, "customer_external_id": "a\x00", "answers": {}}, "customer_external_id"),
    ("responses", {"survey_id": 0, "hidden_fields": {"order": "a\x00"}, "answers": {}}, "hidden_fields.order"),
])
def test_a_nul_character_is_refused_by_field(api, survey, path, body, field):
    """PostgreSQL cannot store U+0000 in text or jsonb: without this check the write fails with a 500."""
    body = {**body, "survey_id": survey.pk} if body.get("survey_id") == 0 else body
    response = api.post(path, body)
    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "NUL" in errors[field]

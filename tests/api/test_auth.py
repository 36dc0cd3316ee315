"""Authorization: Bearer cxm_…, and the key's workspace as the only one a request reaches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.api import services
from apps.workspaces.models import ApiKey
from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory, SurveyFactory, TouchpointFactory, WorkspaceFactory
from tests.nps.factories import mix, responses

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz",
                                    "Bearer cxm_deadbeef_notthekey", "Token cxm_x_y"])
def test_requests_without_a_valid_key_are_refused(client, workspace, header):
    headers = {"Authorization": header} if header is not None else {}
    for path in ("touchpoints", "kpis"):
        response = client.get(f"/api/v1/{path}", headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "API key" in response.json()["detail"]
    response = client.post("/api/v1/responses", {}, content_type="application/json", headers=headers)
    assert response.status_code == 401


def test_a_valid_key_is_accepted(api):
    assert api.get("touchpoints").status_code == 200


def test_a_revoked_key_is_refused(api, key_and_raw, alice):
    services.api_key_revoke(api_key=key_and_raw[0], revoked_by=alice)
    assert api.get("touchpoints").status_code == 401


def test_a_key_of_a_deleted_workspace_is_refused(client, key_and_raw, workspace):
    raw_key = key_and_raw[1]
    workspace.delete()
    assert ApiClient(client, raw_key).get("kpis").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(api, key_and_raw, django_assert_num_queries):
    key = key_and_raw[0]
    assert key.last_used_at is None
    api.get("touchpoints")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    api.get("touchpoints")
    key.refresh_from_db()
    assert key.last_used_at == first
    # A minute later the next request writes again.
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(seconds=61))
    api.get("touchpoints")
    key.refresh_from_db()
    assert key.last_used_at > first - timedelta(seconds=1)


def test_mark_used_writes_nothing_within_the_minute(key_and_raw, django_assert_num_queries):
    key = key_and_raw[0]
    now = timezone.now()
    with django_assert_num_queries(1):
        services.api_key_mark_used(api_key=key, now=now)
    with django_assert_num_queries(0):
        services.api_key_mark_used(api_key=key, now=now + timedelta(seconds=59))
    with django_assert_num_queries(1):
        services.api_key_mark_used(api_key=key, now=now + timedelta(seconds=61))


class TestAnotherWorkspace:
    """A key of one workspace never reaches another workspace's data, whatever ids it sends."""

    @pytest.fixture
    def other(self):
        other = WorkspaceFactory(name="Other brand")
        other.touchpoint = TouchpointFactory(stage__journey__workspace=other, name="Their store")
        other.survey = SurveyFactory(workspace=other, status="live", touchpoint=other.touchpoint)
        other.customer = CustomerFactory(workspace=other, external_id="THEIRS")
        responses(other, mix(10, 0, 0), survey=other.survey, touchpoint=other.touchpoint)
        return other

    def test_touchpoints(self, api, other):
        assert api.get("touchpoints", {"include_archived": "true"}).json() == []

    def test_kpis(self, api, other):
        body = api.get("kpis", {"by_touchpoint": "true"}).json()
        assert body["responses"] == 0 and body["touchpoints"] == []
        response = api.get("kpis", {"touchpoint_id": other.touchpoint.pk})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "touchpoint_id"

    def test_responses(self, api, other):
        for body, field in (({"survey_id": other.survey.pk, "answers": {}}, "survey_id"),
                            ({"survey_token": other.survey.token, "answers": {}}, "survey_token")):
            response = api.post("responses", body)
            assert response.status_code == 422
            assert response.json()["errors"][0] == {"field": field, "message": response.json()["errors"][0]["message"]}
            assert "No survey" in response.json()["errors"][0]["message"]

    def test_a_customer_of_another_workspace_is_unknown(self, api, other, survey):
        response = api.post("responses", {"survey_id": survey.pk, "answers": {str(survey.nps.pk): 9,
                                                                               str(survey.csat.pk): 4},
                                           "customer_external_id": "THEIRS"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "customer_external_id"

    def test_feedback(self, api, other):
        response = api.post("feedback", {"text": "Hello", "touchpoint_id": other.touchpoint.pk,
                                         "survey_id": other.survey.pk, "customer_external_id": "THEIRS"})
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert fields == {"touchpoint_id", "survey_id", "customer_external_id"}

    def test_the_other_workspace_key_sees_its_own_data(self, client, other, workspace):
        _key, raw_key = ApiKey.generate(workspace=other, name="Theirs")
        body = ApiClient(client, raw_key).get("kpis").json()
        assert body["nps"]["n"] == 10

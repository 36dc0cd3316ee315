from datetime import date, datetime, timedelta

import pytest

from apps.nps.selectors import workspace_zone
from tests.api.conftest import errors_by_field
from tests.factories import TouchpointFactory
from tests.nps.factories import mix, responses

pytestmark = pytest.mark.django_db


def test_kpis_with_margins_and_sample_sizes(api, workspace):
    responses(workspace, mix(50, 30, 20), csat_score=5)
    responses(workspace, [None] * 4, csat_score=2, ces_score=4)
    responses(workspace, mix(9, 0, 0), days_ago=40)
    body = api.get("kpis", {"days": 30}).json()
    assert body["responses"] == 104
    # NPS 30 ± 1.96·√(.61/100)·100 = 15.3
    assert body["nps"] == {"score": 30.0, "margin": 15.3, "n": 100, "promoters": 50, "passives": 30,
                           "detractors": 20}
    assert body["csat"]["n"] == 104 and body["csat"]["score"] == pytest.approx(100 * 100 / 104, abs=0.05)
    assert body["ces"] == {"score": 4.0, "margin": 0.0, "n": 4}
    assert body["touchpoints"] is None
    assert api.get("kpis", {"days": 60}).json()["nps"]["n"] == 109


def test_kpis_for_calendar_days(api, workspace):
    zone = workspace_zone(workspace)
    responses(workspace, mix(1, 0, 0), submitted_at=datetime(2025, 1, 31, 23, 30, tzinfo=zone))
    responses(workspace, mix(0, 0, 1), submitted_at=datetime(2025, 2, 1, 0, 30, tzinfo=zone))
    january = api.get("kpis", {"start": "2025-01-01", "end": "2025-01-31"}).json()
    assert january["nps"]["n"] == 1 and january["nps"]["score"] == 100
    # Midnight in the workspace's time zone (Seoul).
    assert datetime.fromisoformat(january["period"]["start"]) == datetime(2025, 1, 1, tzinfo=zone)
    assert datetime.fromisoformat(january["period"]["end"]) == datetime(2025, 2, 1, tzinfo=zone)
    assert api.get("kpis", {"start": "2025-01-31", "end": "2025-02-01"}).json()["nps"]["n"] == 2


def test_kpis_per_touchpoint_and_filtered(api, workspace):
    store = TouchpointFactory(stage__journey__workspace=workspace, name="Store")
    web = TouchpointFactory(stage__journey__workspace=workspace, name="Web")
    responses(workspace, mix(3, 0, 1), touchpoint=store, channel="store")
    responses(workspace, mix(0, 1, 1), touchpoint=web, channel="web")
    responses(workspace, mix(1, 0, 0))
    body = api.get("kpis", {"by_touchpoint": "true"}).json()
    assert [(row["name"], row["nps"]["n"]) for row in body["touchpoints"]] == [("Store", 4), ("Web", 2),
                                                                               ("No touchpoint", 1)]
    assert body["touchpoints"][0]["touchpoint_id"] == store.pk
    assert body["touchpoints"][0]["nps"]["score"] == 50.0
    assert api.get("kpis", {"touchpoint_id": web.pk}).json()["nps"]["score"] == -50.0
    assert api.get("kpis", {"channel": "store"}).json()["nps"]["n"] == 4


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2025-01-01"}, "end"),
    ({"end": "2025-01-01"}, "start"),
    ({"start": "2025-02-01", "end": "2025-01-01"}, "end"),
    ({"start": "2025-02-30", "end": "2025-03-01"}, "start"),
    ({"days": 0}, "days"),
    ({"days": 100000}, "days"),
    ({"days": "many"}, "days"),
    ({"channel": "carrier-pigeon"}, "channel"),
    ({"touchpoint_id": 999999}, "touchpoint_id"),
    ({"touchpoint_id": "x"}, "touchpoint_id"),
    ({"by_touchpoint": "perhaps"}, "by_touchpoint"),
])
def test_wrong_parameters_are_named(api, params, field):
    response = api.get("kpis", params)
    assert response.status_code == 422
    assert field in errors_by_field(response)


def test_empty_workspace(api):
    body = api.get("kpis").json()
    assert body["nps"]["score"] is None and body["nps"]["margin"] is None and body["responses"] == 0
    start = date.fromisoformat(body["period"]["start"][:10])
    end = date.fromisoformat(body["period"]["end"][:10])
    assert end - start == timedelta(days=30)

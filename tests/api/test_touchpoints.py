import pytest
from django.utils import timezone

from tests.factories import StageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def test_touchpoints_with_their_stage_and_journey(api, workspace):
    stage = StageFactory(journey__workspace=workspace, journey__name="Home internet", name_en="Service",
                         name_ko="서비스")
    install = TouchpointFactory(stage=stage, name="Installation", channel="delivery")
    TouchpointFactory(stage=stage, name="Old kiosk", archived_at=timezone.now(), is_active=False)
    body = api.get("touchpoints").json()
    assert body == [{"id": install.pk, "name": "Installation", "channel": "delivery",
                     "journey": {"id": stage.journey_id, "name": "Home internet"},
                     "stage": {"id": stage.pk, "name": "Service"}, "archived": False}]
    everything = api.get("touchpoints", {"include_archived": "true"}).json()
    assert [touchpoint["name"] for touchpoint in everything] == ["Installation", "Old kiosk"]
    assert everything[1]["archived"] is True


def test_touchpoints_query_count_is_fixed(api, workspace, django_assert_max_num_queries):
    for _ in range(20):
        TouchpointFactory(stage__journey__workspace=workspace)
    with django_assert_max_num_queries(3):  # the key (with its workspace), last used, the touchpoints
        assert len(api.get("touchpoints").json()) == 20

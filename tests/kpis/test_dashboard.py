from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from apps.kpis import services
from apps.kpis.dashboard import DashboardData, period_for
from apps.kpis.selectors import KpiFilters
from apps.kpis.tiles import TILES
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PersonaFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(workspace):
    """Ten days of responses at two touchpoints: NPS +20 now, −20 in the previous period."""
    web = TouchpointFactory(stage__journey__workspace=workspace, channel="web", name="Checkout")
    store = TouchpointFactory(stage__journey=web.journey, stage__workspace=workspace, channel="store", name="Store")
    gold = CustomerFactory(workspace=workspace, attributes={"tier": "gold"})
    survey = SurveyFactory(workspace=workspace, touchpoint=web)
    now = timezone.now()
    for days_ago, scores in ((1, (10, 10, 9, 7, 3)), (40, (10, 7, 3, 3, 0))):
        for score in scores:
            ResponseFactory(survey=survey, touchpoint=web, channel="web", nps_score=score, csat_score=5,
                            customer=gold, submitted_at=now - timedelta(days=days_ago))
    ResponseFactory(survey=survey, touchpoint=store, channel="store", nps_score=0,
                    submitted_at=now - timedelta(days=2))
    services.rollups_rebuild(workspace=workspace)
    return {"web": web, "store": store, "survey": survey}


def values(workspace, days=30, filters=None):
    data = DashboardData(workspace, period_for(workspace, days=days), filters or KpiFilters())
    return {tile.key: tile.compute(data) for tile in TILES}


def test_tiles_show_the_period_and_its_change(workspace, scored):
    tiles = values(workspace, days=30)
    # 6 answers now: 3 promoters, 1 passive, 2 detractors → NPS 16.7.
    assert round(tiles["nps"].value, 1) == 16.7
    assert tiles["responses"].value == 6
    assert tiles["detractors"].good == "down"
    assert tiles["csat"].value == 100
    # The previous 30 days hold the answers of 40 days ago: 1 promoter, 1 passive, 3 detractors → −40.
    assert tiles["nps"].previous == -40
    assert tiles["nps"].change_tone == "good"
    assert tiles["detractors"].change_tone == "good"
    tiles = values(workspace, days=7)
    assert tiles["nps"].previous is None and tiles["nps"].change is None
    tiles = values(workspace, days=90)
    assert tiles["responses"].value == 11


def test_filters_narrow_every_tile(workspace, scored):
    tiles = values(workspace, filters=KpiFilters(touchpoint_id=scored["store"].pk))
    assert (tiles["responses"].value, tiles["nps"].value) == (1, -100)
    tiles = values(workspace, filters=KpiFilters(segments=(("tier", "gold"),)))
    assert tiles["responses"].value == 5


def test_dashboard_page_renders_tiles_heat_map_and_chart_data(client, workspace, alice, scored,
                                                             django_assert_max_num_queries):
    client.force_login(alice)
    with django_assert_max_num_queries(15):
        response = client.get(f"/w/{workspace.slug}/")
    assertContains(response, "Median time to close")
    assertContains(response, '<p class="tile-value">+17</p>', html=False)
    assertContains(response, 'id="dashboard-chart-data"')
    assertContains(response, "NPS by stage and channel")
    assertNotContains(response, "No responses yet")
    # Warm: the body comes from the cache.
    with django_assert_max_num_queries(10):
        client.get(f"/w/{workspace.slug}/")


def test_filter_swap_returns_the_body_only(client, workspace, alice, scored):
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/", {"period": "7", "touchpoint": scored["store"].pk},
                          headers={"HX-Request": "true"})
    assertTemplateUsed(response, "kpis/partials/dashboard_body.html")
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]
    assertContains(response, "−100".replace("−", "-"))


def test_persona_filter_with_two_attributes_reads_responses(client, workspace, alice, scored):
    persona = PersonaFactory(workspace=workspace, segment_rule={"tier": "gold", "region": "서울"})
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/", {"segment": f"persona:{persona.pk}"})
    assert response.status_code == 200
    tiles = values(workspace, filters=KpiFilters(segments=(("tier", "gold"), ("region", "서울"))))
    assert tiles["responses"].value == 0


def test_new_responses_invalidate_the_cached_body(client, workspace, alice, scored):
    client.force_login(alice)
    tile = '<p class="tile-value">+17</p>'
    assertContains(client.get(f"/w/{workspace.slug}/", {"period": "7"}), tile)
    ResponseFactory(survey=scored["survey"], touchpoint=scored["web"], channel="web", nps_score=0,
                    submitted_at=timezone.now())
    services.rollup_slice_recompute(workspace_id=workspace.pk, day=services.local_day(workspace, timezone.now()))
    assertNotContains(client.get(f"/w/{workspace.slug}/", {"period": "7"}), tile)


def test_bad_custom_range_falls_back_without_an_error(client, workspace, alice):
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/", {"period": "custom", "start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assertContains(response, "The end date is before the start date.")


def test_viewers_see_the_dashboard_without_settings_links(client, workspace, vera):
    client.force_login(vera)
    response = client.get(f"/w/{workspace.slug}/")
    assertContains(response, "No responses yet")
    assertNotContains(response, f"/w/{workspace.slug}/settings/")


def test_activity_fragment_lists_latest_feedback_and_open_cases(client, workspace, alice):
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/dashboard/activity/")
    assertContains(response, "No feedback yet.")
    assertContains(response, "No open cases.")


def test_outsiders_get_404(client, workspace):
    client.force_login(MembershipFactory().user)
    assert client.get(f"/w/{workspace.slug}/").status_code == 404


def test_response_rate_says_when_no_invitation_went_out_in_the_period(workspace, scored):
    from apps.kpis.models import InvitationRollup

    today = timezone.localdate()
    # A wave sent 40 days ago is still being answered: answers in the period, nothing sent in it.
    InvitationRollup.objects.create(workspace=workspace, survey=scored["survey"], day=today - timedelta(days=40),
                                    sent=50, answered=5)
    InvitationRollup.objects.create(workspace=workspace, survey=scored["survey"], day=today - timedelta(days=3),
                                    sent=0, answered=7)
    tile = values(workspace, days=30)["response_rate"]
    assert tile.value is None
    assert "No invitations sent in the period" in str(tile.detail) and "7" in str(tile.detail)
    InvitationRollup.objects.create(workspace=workspace, survey=scored["survey"], day=today - timedelta(days=2),
                                    sent=20, answered=3)
    tile = values(workspace, days=30)["response_rate"]
    assert tile.value == 50 and str(tile.detail) == "10 of 20 invitations"

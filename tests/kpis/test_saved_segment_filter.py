"""A saved segment as a dashboard, NPS report and persona filter: read from the saved-segment rollups,
equal to a recompute from the responses."""

import pytest

from apps.customers import services as customer_services
from apps.customers.segments import SegmentRules
from apps.kpis import selectors
from apps.kpis.dashboard import period_for
from apps.kpis.forms import DashboardFilterForm
from apps.kpis.models import SavedSegmentRollup
from apps.kpis.selectors import KpiFilters
from apps.nps import selectors as nps_selectors
from tests.factories import CustomerFactory, PersonaFactory, SegmentFactory
from tests.nps.factories import mix, responses, rolled_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(workspace):
    gold = CustomerFactory(workspace=workspace, attributes={"tier": "gold"}, language="ko")
    silver = CustomerFactory(workspace=workspace, attributes={"tier": "silver"}, language="ko")
    responses(workspace, mix(3, 0, 1), customer=gold, channel="web")
    responses(workspace, mix(0, 1, 4), customer=silver, channel="store")
    responses(workspace, mix(2, 0, 0), channel="web")  # anonymous
    segment = SegmentFactory(workspace=workspace, rules={"attributes": {"tier": "gold"}, "language": "ko"})
    customer_services.customer_last_nps_refresh(workspace=workspace)
    rolled_up(workspace)
    return segment


def segment_filters(segment, **extra) -> KpiFilters:
    import json

    return KpiFilters(saved_segment_id=segment.pk, saved_segment_rules=json.dumps(segment.rules, sort_keys=True),
                      **extra)


def test_saved_segment_rollups_match_the_responses(workspace, data):
    period = period_for(workspace, days=7)
    filters = segment_filters(data)
    rolled = selectors.summary(workspace, period.first, period.last, filters)
    assert (rolled.promoters, rolled.detractors) == (3, 1)
    assert rolled == selectors.summary(workspace, period.first, period.last, filters, raw=True)
    assert selectors.matches_raw(workspace, period.first, period.last, segment_filters(data, channel="web"))
    assert SavedSegmentRollup.objects.for_workspace(workspace).filter(segment=data).exists()


def test_a_last_nps_group_segment_follows_the_profiles(workspace, data):
    detractors = SegmentFactory(workspace=workspace, rules={"nps_group": "detractor"})
    rolled_up(workspace)
    period = period_for(workspace, days=7)
    # Both customers' latest answer (the last one recorded) is a detractor's: all nine of their responses
    # count, the two anonymous ones do not.
    assert selectors.summary(workspace, period.first, period.last, segment_filters(detractors)).responses == 9
    assert selectors.matches_raw(workspace, period.first, period.last, segment_filters(detractors))


def test_editing_a_segment_rebuilds_its_rollups(workspace, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.segment_update(segment=data, name=data.name,
                                         rules=SegmentRules.from_json({"attributes": {"tier": "silver"}}))
    period = period_for(workspace, days=7)
    assert selectors.summary(workspace, period.first, period.last, segment_filters(data)).detractors == 4


def test_the_dashboard_filter_offers_saved_segments_and_personas_on_them(client, workspace, alice, data):
    persona = PersonaFactory(workspace=workspace, saved_segment=data)
    form = DashboardFilterForm({"segment": f"saved:{data.pk}"}, workspace=workspace)
    assert form.kpi_filters().saved_segment_id == data.pk
    form = DashboardFilterForm({"segment": f"persona:{persona.pk}"}, workspace=workspace)
    assert form.kpi_filters().saved_segment_id == data.pk and form.kpi_filters().segments == ()
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/", {"segment": f"saved:{data.pk}", "period": "7"})
    assert response.status_code == 200
    assert data.name in response.content.decode()


def test_the_dashboard_with_a_saved_segment_keeps_its_query_budget(client, workspace, alice, data,
                                                                   django_assert_max_num_queries):
    client.force_login(alice)
    with django_assert_max_num_queries(15):
        response = client.get(f"/w/{workspace.slug}/", {"segment": f"saved:{data.pk}"})
    assert response.status_code == 200


def test_the_nps_report_filters_by_a_saved_segment(client, workspace, alice, data):
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/nps/", {"segment": data.pk})
    scores = response.context["report"].scores
    assert (scores.promoters, scores.detractors) == (3, 1)
    # The segment breakdown reads the responses under a saved segment: still only its customers.
    response = client.get(f"/w/{workspace.slug}/nps/", {"segment": data.pk, "by": "tier"})
    rows = {row.label: row.current.responses for row in response.context["report"].rows if row.current.responses}
    assert rows == {"gold": 4}


def test_a_persona_on_a_saved_segment_in_the_nps_breakdown(workspace, data):
    PersonaFactory(workspace=workspace, name="Gold Koreans", saved_segment=data)
    report = nps_selectors.nps_report(workspace, *_last_week(workspace), dimension="persona")
    [row] = [row for row in report.rows if row.label == "Gold Koreans"]
    assert (row.current.promoters, row.current.detractors) == (3, 1)
    assert row.detail == data.name


def _last_week(workspace):
    from datetime import timedelta

    from django.utils import timezone

    end = timezone.now()
    return end - timedelta(days=7), end

"""The distribution pages: analysts and above send; every member reads the send log."""

import pytest
from django.core import mail
from pytest_django.asserts import assertTemplateUsed

from apps.surveys.models import Distribution, SurveyInvitation
from tests.factories import CustomerFactory, SurveyFactory

from .factories import DistributionFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(workspace):
    return SurveyFactory(workspace=workspace, status="live", title="Delivery check")


def base(survey):
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/distributions/"


def test_an_analyst_sends_to_a_selection(client, survey, bob, django_capture_on_commit_callbacks):
    CustomerFactory(workspace=survey.workspace, attributes={"tier": "gold"}, email="gold@example.com")
    CustomerFactory(workspace=survey.workspace, attributes={"tier": "silver"})
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(base(survey) + "new/", {"name": "Gold customers", "tier": "gold", "segment": ""})
    distribution = Distribution.objects.get()
    assert page.status_code == 302
    assert page["Location"] == f"{base(survey)}{distribution.pk}/"
    assert distribution.filters == {"tier": "gold"}
    assert distribution.created_by == bob
    assert [message.to for message in mail.outbox] == [["gold@example.com"]]
    assert (distribution.status, distribution.sent_count) == ("done", 1)


def test_the_form_suggests_attribute_values(client, survey, bob):
    CustomerFactory(workspace=survey.workspace, attributes={"region": "Busan"})
    client.force_login(bob)
    page = client.get(base(survey) + "new/")
    assert page.status_code == 200
    assert '<option value="Busan">' in page.content.decode()


def test_a_draft_survey_cannot_be_sent(client, workspace, bob):
    draft = SurveyFactory(workspace=workspace, status="draft")
    client.force_login(bob)
    page = client.post(base(draft) + "new/", {"name": "Too early"})
    assert page.status_code == 400
    assert "Only a live survey can be sent" in page.content.decode()
    assert not Distribution.objects.exists()


def test_a_name_is_needed(client, survey, bob):
    client.force_login(bob)
    assert client.post(base(survey) + "new/", {"name": ""}).status_code == 400


def test_a_viewer_reads_but_cannot_send(client, survey, vera):
    distribution = DistributionFactory(survey=survey)
    client.force_login(vera)
    assert client.get(base(survey)).status_code == 200
    assert client.get(f"{base(survey)}{distribution.pk}/").status_code == 200
    assert client.get(base(survey) + "new/").status_code == 403
    assert client.post(base(survey) + "new/", {"name": "x"}).status_code == 403
    assert "Send to customers" not in client.get(base(survey)).content.decode()


def test_the_list_shows_counts_and_the_response_rate(client, survey, alice):
    DistributionFactory(survey=survey, name="November", sent_count=8, answered_count=2, skipped_count=3)
    client.force_login(alice)
    html = client.get(base(survey)).content.decode()
    assert "November" in html and "25.0%" in html


def test_the_send_log_counts_and_lists_invitations(client, survey, alice, django_assert_max_num_queries):
    distribution = DistributionFactory(survey=survey)
    SurveyInvitationFactory.create_batch(3, distribution=distribution)
    SurveyInvitationFactory(distribution=distribution, status="skipped", skip_reason="fatigue")
    answered = SurveyInvitationFactory(distribution=distribution)
    SurveyInvitation.objects.filter(pk=answered.pk).update(opened_at="2026-01-01T00:00Z",
                                                           answered_at="2026-01-01T00:00Z")
    client.force_login(alice)
    client.get(f"{base(survey)}")  # the first visit records the workspace as the last one used
    with django_assert_max_num_queries(8):
        page = client.get(f"{base(survey)}{distribution.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "25.0%" in html  # 1 answered of 4 sent
    assert "Surveyed recently (contact fatigue)" in html
    assert html.count('<tr>') == 1 + 5


def test_the_invitation_list_is_paginated_and_filtered_with_htmx(client, survey, alice):
    distribution = DistributionFactory(survey=survey)
    SurveyInvitationFactory.create_batch(51, distribution=distribution)
    SurveyInvitationFactory(distribution=distribution, status="failed")
    client.force_login(alice)
    url = f"{base(survey)}{distribution.pk}/"
    page = client.get(url, {"page": 2}, headers={"HX-Request": "true"})
    assertTemplateUsed(page, "surveys/partials/invitation_table.html")
    assert "Page 2 of 2" in page.content.decode()
    failed = client.get(url, {"status": "failed"}, headers={"HX-Request": "true"}).content.decode()
    assert failed.count("<tr>") == 1 + 1


def test_a_stale_survey_in_the_address_redirects(client, survey, alice):
    distribution = DistributionFactory(survey=survey)
    other = SurveyFactory(workspace=survey.workspace)
    client.force_login(alice)
    page = client.get(f"{base(other)}{distribution.pk}/")
    assert page.status_code == 302
    assert page["Location"] == f"{base(survey)}{distribution.pk}/"


def test_another_workspace_distribution_is_not_found(client, survey, alice):
    foreign = DistributionFactory()
    client.force_login(alice)
    assert client.get(f"{base(survey)}{foreign.pk}/").status_code == 404

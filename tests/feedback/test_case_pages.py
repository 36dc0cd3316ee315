"""Case list, My cases and the case page: filters, htmx status buttons, notes, reassigning, roles."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from apps.feedback.models import CaseEvent, FollowUpCase
from tests.factories import CustomerFactory, TouchpointFactory

from .factories import FeedbackItemFactory, FollowUpCaseFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[int]:
    return [case.pk for case in response.context["page"].object_list]


def test_the_list_shows_open_cases_by_default_and_filters(client, workspace, alice, bob):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    now = timezone.now()
    late = FollowUpCaseFactory(workspace=workspace, assignee=bob, created_at=now - timedelta(hours=72),
                               touchpoint=touchpoint)
    fresh = FollowUpCaseFactory(workspace=workspace, assignee=alice)
    closed = FollowUpCaseFactory(workspace=workspace, status="closed", closed_at=now)
    client.force_login(alice)
    url = f"/w/{workspace.slug}/cases/"
    assert set(listed(client.get(url))) == {late.pk, fresh.pk}
    assert listed(client.get(url, {"status": "closed"})) == [closed.pk]
    assert set(listed(client.get(url, {"status": ""}))) == {late.pk, fresh.pk, closed.pk}
    assert listed(client.get(url, {"assignee": bob.pk})) == [late.pk]
    assert listed(client.get(url, {"overdue": "on"})) == [late.pk]
    assert listed(client.get(url, {"touchpoint": touchpoint.pk})) == [late.pk]
    assert listed(client.get(url, {"order": "due"}))[0] == late.pk
    page = client.get(url).content.decode()
    assert 'class="is-overdue"' in page and "late" in page


def test_my_cases_lists_only_mine(client, workspace, alice, bob):
    mine = FollowUpCaseFactory(workspace=workspace, assignee=bob)
    FollowUpCaseFactory(workspace=workspace, assignee=alice)
    client.force_login(bob)
    response = client.get(f"/w/{workspace.slug}/cases/mine/", {"assignee": alice.pk})
    assert listed(response) == [mine.pk]


def test_the_list_answers_htmx_with_the_table(client, workspace, alice):
    FollowUpCaseFactory(workspace=workspace)
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/cases/", {"status": "new"}, headers={"HX-Request": "true"})
    assertTemplateUsed(response, "feedback/partials/case_table.html")
    assert b"<html" not in response.content


def test_the_list_query_count_does_not_grow(client, workspace, alice, bob, django_assert_max_num_queries):
    for n in range(30):
        item = FeedbackItemFactory(workspace=workspace, text=f"comment {n}")
        FollowUpCaseFactory(workspace=workspace, assignee=bob, customer=CustomerFactory(workspace=workspace),
                            touchpoint=TouchpointFactory(stage__journey__workspace=workspace), feedback_item=item)
    client.force_login(alice)
    with django_assert_max_num_queries(13):
        response = client.get(f"/w/{workspace.slug}/cases/")
    assert len(listed(response)) == 25


def test_an_analyst_moves_the_case_with_htmx(client, workspace, bob):
    case = FollowUpCaseFactory(workspace=workspace, assignee=bob)
    client.force_login(bob)
    url = f"/w/{workspace.slug}/cases/{case.pk}/"
    page = client.get(url)
    assert b"Mark contacted" in page.content and b"Close case" in page.content
    response = client.post(url + "status/", {"status": "contacted"}, headers={"HX-Request": "true"})
    assertTemplateUsed(response, "feedback/partials/case_panel.html")
    case.refresh_from_db()
    assert case.status == "contacted"
    refused = client.post(url + "status/", {"status": "new"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and b"cannot become" in refused.content


def test_without_javascript_the_forms_redirect_back(client, workspace, bob):
    case = FollowUpCaseFactory(workspace=workspace, assignee=bob)
    client.force_login(bob)
    url = f"/w/{workspace.slug}/cases/{case.pk}/"
    assert client.post(url + "notes/", {"text": "Called, no answer."})["Location"] == url
    assert client.post(url + "status/", {"status": "closed"})["Location"] == url
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["note", "status"]
    page = client.get(url).content.decode()
    assert "Called, no answer." in page and "Time to close" in page


def test_an_empty_note_is_refused(client, workspace, bob):
    case = FollowUpCaseFactory(workspace=workspace)
    client.force_login(bob)
    response = client.post(f"/w/{workspace.slug}/cases/{case.pk}/notes/", {"text": " "},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400 and not CaseEvent.objects.exists()


def test_viewers_read_but_cannot_work_cases(client, workspace, vera):
    case = FollowUpCaseFactory(workspace=workspace)
    client.force_login(vera)
    url = f"/w/{workspace.slug}/cases/{case.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Mark contacted" not in page.content
    for action, data in (("status/", {"status": "contacted"}), ("notes/", {"text": "x"}), ("assign/", {})):
        assert client.post(url + action, data).status_code == 403
    case.refresh_from_db()
    assert case.status == "new"


def test_only_admins_reassign(client, workspace, alice, bob):
    case = FollowUpCaseFactory(workspace=workspace, assignee=alice)
    client.force_login(bob)
    assert client.post(f"/w/{workspace.slug}/cases/{case.pk}/assign/", {"assignee": bob.pk}).status_code == 403
    client.force_login(alice)
    page = client.get(f"/w/{workspace.slug}/cases/{case.pk}/")
    assert b"Reassign" in page.content
    client.post(f"/w/{workspace.slug}/cases/{case.pk}/assign/", {"assignee": bob.pk})
    case.refresh_from_db()
    assert case.assignee == bob


def test_another_workspace_case_is_not_found(client, workspace, alice):
    foreign = FollowUpCaseFactory()
    client.force_login(alice)
    assert client.get(f"/w/{workspace.slug}/cases/{foreign.pk}/").status_code == 404
    assert client.post(f"/w/{workspace.slug}/cases/{foreign.pk}/status/", {"status": "closed"}).status_code == 404
    assert FollowUpCase.objects.get(pk=foreign.pk).status == "new"

"""Bulk tagging from the inbox: with checkboxes, with or without JavaScript."""

import pytest
from pytest_django.asserts import assertTemplateUsed

from apps.feedback.models import FeedbackTag

from .factories import FeedbackItemFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(workspace):
    return FeedbackItemFactory.create_batch(3, workspace=workspace)


@pytest.fixture
def tag(workspace):
    return TagFactory(workspace=workspace, name="배송")


def test_adding_a_tag_without_javascript_redirects_back_with_the_filters(client, workspace, bob, items, tag):
    client.force_login(bob)
    response = client.post(f"/w/{workspace.slug}/feedback/tag/", {
        "items": [items[0].pk, items[1].pk], "tag": tag.pk, "action": "add", "query": "q=late&group=detractor"})
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/feedback/?q=late&group=detractor"
    assert set(FeedbackTag.objects.values_list("item", flat=True)) == {items[0].pk, items[1].pk}
    assert not FeedbackTag.objects.filter(auto=True).exists()


def test_removing_a_tag_with_htmx_answers_the_refreshed_list(client, workspace, bob, items, tag):
    for item in items:
        FeedbackTag.objects.create(workspace=workspace, item=item, tag=tag)
    client.force_login(bob)
    response = client.post(f"/w/{workspace.slug}/feedback/tag/",
                           {"items": [items[0].pk], "tag": tag.pk, "action": "remove", "query": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assertTemplateUsed(response, "feedback/partials/inbox_results.html")
    assert "removed from 1 items" in response.content.decode()
    assert FeedbackTag.objects.count() == 2


def test_a_hand_added_tag_outlives_the_rule(client, workspace, bob, items, tag):
    FeedbackTag.objects.create(workspace=workspace, item=items[0], tag=tag, auto=True)
    client.force_login(bob)
    client.post(f"/w/{workspace.slug}/feedback/tag/", {"items": [items[0].pk], "tag": tag.pk, "action": "add"})
    assert FeedbackTag.objects.get().auto is False


def test_nothing_selected_is_explained(client, workspace, bob, items, tag):
    client.force_login(bob)
    response = client.post(f"/w/{workspace.slug}/feedback/tag/", {"tag": tag.pk, "action": "add"}, follow=True)
    assert b"Select at least one feedback item first." in response.content
    assert not FeedbackTag.objects.exists()


def test_items_and_tags_of_another_workspace_are_out_of_reach(client, workspace, bob, tag):
    foreign_item = FeedbackItemFactory()
    foreign_tag = TagFactory()
    client.force_login(bob)
    client.post(f"/w/{workspace.slug}/feedback/tag/", {"items": [foreign_item.pk], "tag": tag.pk, "action": "add"})
    response = client.post(f"/w/{workspace.slug}/feedback/tag/",
                           {"items": [foreign_item.pk], "tag": foreign_tag.pk, "action": "add"}, follow=True)
    assert not FeedbackTag.objects.exists()
    assert response.status_code == 200


def test_viewers_may_not_tag(client, workspace, vera, items, tag):
    client.force_login(vera)
    response = client.post(f"/w/{workspace.slug}/feedback/tag/", {"items": [items[0].pk], "tag": tag.pk,
                                                                   "action": "add"})
    assert response.status_code == 403
    assert not FeedbackTag.objects.exists()
    page = client.get(f"/w/{workspace.slug}/feedback/")
    assert b'name="items"' not in page.content

"""The inbox: search (Korean substrings, English words), filters, pagination, htmx fragments."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from apps.feedback.models import FeedbackTag, FeedbackTheme
from tests.factories import TouchpointFactory

from .factories import FeedbackItemFactory, FollowUpCaseFactory, TagFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def inbox(client, workspace, **query):
    return client.get(f"/w/{workspace.slug}/feedback/", query)


def shown(response) -> list[str]:
    return [item.text for item in response.context["page"].object_list]


def test_korean_search_finds_a_word_inside_longer_text(client, workspace, alice):
    FeedbackItemFactory(workspace=workspace, text="배송이 너무 늦었어요", language="ko")
    FeedbackItemFactory(workspace=workspace, text="상담원이 친절했어요", language="ko")
    client.force_login(alice)
    assert shown(inbox(client, workspace, q="배송")) == ["배송이 너무 늦었어요"]
    assert shown(inbox(client, workspace, q="친절")) == ["상담원이 친절했어요"]
    assert shown(inbox(client, workspace, q="늦었 배송")) == ["배송이 너무 늦었어요"]


def test_english_search_ignores_case_and_finds_words(client, workspace, alice):
    FeedbackItemFactory(workspace=workspace, text="The Delivery was late")
    FeedbackItemFactory(workspace=workspace, text="Great staff")
    client.force_login(alice)
    assert shown(inbox(client, workspace, q="delivery")) == ["The Delivery was late"]
    assert shown(inbox(client, workspace, q="late delivery")) == ["The Delivery was late"]
    assert shown(inbox(client, workspace, q="staff late")) == []


def test_search_highlights_the_match(client, workspace, alice):
    FeedbackItemFactory(workspace=workspace, text="배송이 <b>늦었어요</b>", language="ko")
    client.force_login(alice)
    html = inbox(client, workspace, q="배송").content.decode()
    assert "<mark>배송</mark>이 &lt;b&gt;늦었어요&lt;/b&gt;" in html


def test_filters_narrow_the_list(client, workspace, alice):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    tag, theme = TagFactory(workspace=workspace), ThemeFactory(workspace=workspace)
    old = FeedbackItemFactory(workspace=workspace, text="old", created_at=timezone.now() - timedelta(days=60))
    detractor = FeedbackItemFactory(workspace=workspace, text="detractor", score=2, score_group="detractor",
                                    touchpoint=touchpoint, sentiment_label="negative", source="app_review")
    promoter = FeedbackItemFactory(workspace=workspace, text="promoter", score=10, score_group="promoter",
                                   sentiment_label="positive")
    FeedbackTag.objects.create(workspace=workspace, item=promoter, tag=tag)
    FeedbackTheme.objects.create(workspace=workspace, item=detractor, theme=theme)
    client.force_login(alice)
    assert shown(inbox(client, workspace, group="detractor")) == ["detractor"]
    assert shown(inbox(client, workspace, touchpoint=touchpoint.pk)) == ["detractor"]
    assert shown(inbox(client, workspace, tag=tag.pk)) == ["promoter"]
    assert shown(inbox(client, workspace, theme=theme.pk)) == ["detractor"]
    assert shown(inbox(client, workspace, sentiment="positive")) == ["promoter"]
    assert shown(inbox(client, workspace, source="app_review")) == ["detractor"]
    assert "old" not in shown(inbox(client, workspace, period="30d"))
    assert old.text in shown(inbox(client, workspace))


def test_the_case_status_filter_follows_the_response(client, workspace, alice):
    from tests.factories import ResponseFactory

    open_response, closed_response = ResponseFactory(survey__workspace=workspace), ResponseFactory(
        survey__workspace=workspace)
    FeedbackItemFactory(workspace=workspace, text="open one", response=open_response)
    FeedbackItemFactory(workspace=workspace, text="closed one", response=closed_response)
    FeedbackItemFactory(workspace=workspace, text="no case")
    FollowUpCaseFactory(workspace=workspace, response=open_response, status="contacted")
    FollowUpCaseFactory(workspace=workspace, response=closed_response, status="closed")
    client.force_login(alice)
    assert shown(inbox(client, workspace, status="open")) == ["open one"]
    assert shown(inbox(client, workspace, status="closed")) == ["closed one"]
    assert shown(inbox(client, workspace, status="none")) == ["no case"]


def test_a_hand_edited_filter_is_ignored(client, workspace, alice):
    FeedbackItemFactory(workspace=workspace)
    client.force_login(alice)
    response = inbox(client, workspace, touchpoint="abc", group="nonsense")
    assert response.status_code == 200 and len(shown(response)) == 1


def test_pages_of_25_newest_first(client, workspace, alice):
    now = timezone.now()
    for n in range(30):
        FeedbackItemFactory(workspace=workspace, text=f"item {n:02d}", created_at=now - timedelta(minutes=n))
    client.force_login(alice)
    first = inbox(client, workspace)
    assert shown(first)[0] == "item 00" and len(shown(first)) == 25
    second = inbox(client, workspace, page=2)
    assert shown(second) == [f"item {n:02d}" for n in range(25, 30)]
    assert b"page=2" in first.content


def test_htmx_gets_the_fragment_with_a_vary_header(client, workspace, alice):
    FeedbackItemFactory(workspace=workspace)
    client.force_login(alice)
    response = client.get(f"/w/{workspace.slug}/feedback/", {"q": "x"}, headers={"HX-Request": "true"})
    assertTemplateUsed(response, "feedback/partials/inbox_results.html")
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]
    page = client.get(f"/w/{workspace.slug}/feedback/")
    assert b'hx-push-url="true"' in page.content


def test_the_empty_inbox_says_how_feedback_arrives(client, workspace, alice):
    client.force_login(alice)
    response = inbox(client, workspace)
    assert response.context["workspace_is_empty"]
    assert b"No feedback yet" in response.content


def test_other_workspaces_feedback_is_never_listed(client, workspace, alice, other_owner):
    FeedbackItemFactory(text="someone else's")
    client.force_login(alice)
    assert shown(inbox(client, workspace, q="someone")) == []


def test_outsiders_get_404(client, workspace, charlie):
    client.force_login(charlie)
    assert inbox(client, workspace).status_code == 404


def test_the_query_count_does_not_grow_with_items(client, workspace, alice, django_assert_max_num_queries):
    tags = TagFactory.create_batch(3, workspace=workspace)
    themes = ThemeFactory.create_batch(3, workspace=workspace)
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace)
    for n in range(40):
        item = FeedbackItemFactory(workspace=workspace, touchpoint=touchpoint, score=n % 11,
                                   customer=None, text=f"배송 {n}")
        FeedbackTag.objects.create(workspace=workspace, item=item, tag=tags[n % 3])
        FeedbackTheme.objects.create(workspace=workspace, item=item, theme=themes[n % 3])
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        response = inbox(client, workspace, q="배송")
    assert response.status_code == 200 and len(shown(response)) == 25


def test_anonymous_visitors_sign_in_first(client, workspace):
    response = client.get(f"/w/{workspace.slug}/feedback/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

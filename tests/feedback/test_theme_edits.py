"""A marketer's theme edits: rename, hide, merge and split. They persist, apply to the feedback already
analysed and to what comes (and to a re-analysis), and every report leaves hidden themes out."""

import pytest
from django.urls import reverse

from apps.feedback import selectors, services, text_services
from apps.feedback.models import FeedbackTheme, Theme

from .factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db


def analysed(workspace, *texts):
    items = [FeedbackItemFactory(workspace=workspace, text=text, language="ko") for text in texts]
    services.feedback_analyse(workspace=workspace)
    return items


def theme(workspace, key):
    return Theme.objects.for_workspace(workspace).get(key=key)


def reported(workspace) -> dict[str, int]:
    return {row["theme"].key: row["total"] for row in selectors.top_themes(workspace=workspace)}


def test_a_merged_theme_counts_as_the_other_now_and_in_what_comes(workspace):
    analysed(workspace, "약정이 너무 길어요", "위약금 안내가 친절했어요", "약정과 위약금 둘 다 복잡해요")
    plan, price = theme(workspace, "약정"), theme(workspace, "위약금")
    assert reported(workspace)["약정"] == 2 and reported(workspace)["위약금"] == 2
    text_services.theme_merge(theme=plan, into=price)
    assert "약정" not in reported(workspace) and reported(workspace)["위약금"] == 3  # one comment named both
    assert not FeedbackTheme.objects.filter(theme=plan).exists()
    [later] = analysed(workspace, "약정 기간이 어려웠어요")
    assert sorted(FeedbackTheme.objects.filter(item=later).values_list("theme__key", flat=True)) == ["기간", "위약금"]
    services.feedback_analyse(workspace=workspace)  # a re-analysis keeps to the merge as well
    assert "약정" not in reported(workspace) and reported(workspace)["위약금"] == 4


def test_merging_into_a_merged_theme_or_itself_is_refused(workspace):
    analysed(workspace, "약정이 길어요", "위약금이 올랐어요")
    plan, price = theme(workspace, "약정"), theme(workspace, "위약금")
    with pytest.raises(ValueError):
        text_services.theme_merge(theme=plan, into=plan)
    text_services.theme_merge(theme=plan, into=price)
    with pytest.raises(ValueError):
        text_services.theme_merge(theme=price, into=plan)


def test_a_split_theme_gets_its_mentions_back(workspace, django_capture_on_commit_callbacks):
    analysed(workspace, "약정이 너무 길어요", "위약금이 올랐어요")
    plan, price = theme(workspace, "약정"), theme(workspace, "위약금")
    text_services.theme_merge(theme=plan, into=price)
    with django_capture_on_commit_callbacks(execute=True):
        text_services.theme_split(theme=plan)
    assert reported(workspace) == {"약정": 1, "위약금": 1}


def test_a_hidden_theme_is_kept_but_no_report_shows_it(workspace):
    [item] = analysed(workspace, "유심 배송이 늦어요")
    usim = theme(workspace, "유심")
    text_services.theme_set_hidden(theme=usim, hidden=True)
    assert "유심" not in reported(workspace) and "배송" in reported(workspace)
    assert FeedbackTheme.objects.filter(theme=usim).exists()  # still found: showing it again loses nothing
    inbox = selectors.feedback_inbox(workspace=workspace, filters={}).get(pk=item.pk)
    assert [mention.theme.key for mention in inbox.mentions.all()] == ["배송"]
    assert usim not in selectors.frequent_themes(workspace=workspace)
    text_services.theme_set_hidden(theme=usim, hidden=False)
    assert "유심" in reported(workspace)


def test_a_renamed_theme_keeps_its_name_through_a_reanalysis(workspace):
    analysed(workspace, "개통이 늦어요")
    activation = text_services.theme_rename(theme=theme(workspace, "개통"), label_ko="개통 지연", label_en="activation")
    services.feedback_analyse(workspace=workspace)
    activation.refresh_from_db()
    assert (activation.label_ko, activation.label_en) == ("개통 지연", "activation")


def test_the_page_lists_themes_and_analysts_edit_them(client, workspace, bob, vera, django_assert_max_num_queries):
    analysed(workspace, "약정이 너무 길어요", "위약금이 올랐어요", "유심이 안 와요")
    plan, price = theme(workspace, "약정"), theme(workspace, "위약금")
    url = reverse("feedback:theme_manage", kwargs={"workspace_slug": workspace.slug})
    client.force_login(vera)
    page = client.get(url).content.decode()
    assert "약정" in page and "Merge into" not in page  # viewers read
    client.force_login(bob)
    with django_assert_max_num_queries(12):
        assert "Merge into" in client.get(url).content.decode()
    edit = reverse("feedback:theme_edit", kwargs={"workspace_slug": workspace.slug, "theme_id": plan.pk})
    response = client.post(edit, {"action": "merge", "into": price.pk}, follow=True)
    assert "is now counted as" in response.content.decode()
    plan.refresh_from_db()
    assert plan.merged_into == price
    response = client.post(edit, {"action": "rename", "label_ko": " ", "label_en": ""}, follow=True)
    assert "Give the theme a name" in response.content.decode()
    response = client.post(edit, {"action": "merge", "into": 999_999}, follow=True)
    assert "Choose a theme to merge into." in response.content.decode()
    assert "No theme matches" in client.get(url, {"q": "없는테마"}).content.decode()


def test_only_themes_found_in_the_data_are_reported_until_a_marketer_keeps_one(workspace):
    analysed(workspace, *[f"유심 배송이 늦어요 {n}" for n in range(12)], "약정이 너무 길어요")
    assert {"유심", "배송", "약정"} <= set(reported(workspace))  # before the job has looked, all are shown
    assert text_services.themes_discover(workspace=workspace) >= 2
    assert set(reported(workspace)) >= {"유심", "배송"} and "약정" not in reported(workspace)  # one comment
    contract = theme(workspace, "약정")
    assert not contract.found and FeedbackTheme.objects.filter(theme=contract).exists()
    text_services.theme_set_hidden(theme=contract, hidden=False)  # "Show" keeps it
    text_services.themes_discover(workspace=workspace)
    assert "약정" in reported(workspace)


def test_the_periodic_job_runs_discovery_for_each_workspace(workspace):
    analysed(workspace, *[f"유심 배송이 늦어요 {n}" for n in range(12)], "약정이 너무 길어요")
    from apps.feedback import tasks

    assert tasks.discover_all_themes() == 1
    assert not theme(workspace, "약정").found and theme(workspace, "유심").found

"""Each workspace's own sentiment model: fitted from its scored comments, judged on comments held out of the
fit beside the base model, used only when on and not worse; re-analysis with progress; the settings page.
The comments are constructed here: they test the mechanics, not a figure anyone reports."""

import random

import pytest
from django.urls import reverse

from apps.feedback import adaptation, analysis, services, text_services
from apps.feedback.models import FeedbackItem, Reanalysis, WorkspaceTextModel
from tests.factories import WorkspaceFactory

from .factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db

# What this brand's customers write. Film reviews taught the base model little of it ("늦어요" reads as
# nothing bad there), so the brand's own scored comments must.
PRAISE = ["배송이 하루 만에 왔어요", "기사님이 약속 시간에 딱 오셨어요", "요금이 저렴해졌어요", "개통이 금방 됐어요",
          "유심이 다음날 도착했어요", "상담 연결이 바로 됐어요"]
COMPLAINTS = ["배송이 너무 늦어요", "기사님이 약속 시간에 안 오셨어요", "요금이 또 올랐어요", "개통이 일주일째 안 돼요",
              "유심이 아직도 안 왔어요", "상담 연결이 한 시간 걸렸어요"]
ENDINGS = ["", " 이번에도", " 정말", " 진짜로", " 또", " 오늘", " 확인 부탁해요", " 참고하세요"]


def scored_comments(workspace, count: int, seed: int = 5) -> list[FeedbackItem]:
    rng = random.Random(seed)
    items = []
    for n in range(count):
        praise = n % 2 == 0
        text = rng.choice(PRAISE if praise else COMPLAINTS) + rng.choice(ENDINGS) + f" #{n}"
        items.append(FeedbackItem(workspace=workspace, text=text, language="ko", score=10 if praise else 2,
                                  score_group="promoter" if praise else "detractor"))
    return FeedbackItem.objects.bulk_create(items)


def test_too_few_scored_comments_fit_nothing(workspace):
    scored_comments(workspace, 100)
    assert not adaptation.refit_due(workspace)
    assert adaptation.fit(workspace) is None
    assert not WorkspaceTextModel.objects.exists() and adaptation.model_for(workspace) is None


def test_the_fit_learns_the_brands_words_and_is_judged_on_held_out_comments(workspace):
    scored_comments(workspace, 600)
    assert adaptation.refit_due(workspace) and adaptation.workspaces_due() == [workspace.pk]
    state = adaptation.fit(workspace)
    assert state.trained_on + state.held_out == 600 and 60 < state.held_out < 180
    assert state.held_out_accuracy > state.base_held_out_accuracy and state.held_out_accuracy > 0.9
    assert state.version.startswith(adaptation.sentiment.korean_model().version) and "+ws" in state.version
    model = adaptation.model_for(workspace)
    assert model is adaptation.model_for(workspace)  # kept per process, by version
    assert model.judge(["배송이 너무 늦어요"])[0].label == "negative"
    result = analysis.analyse_many(["유심이 아직도 안 왔어요"], ["ko"], korean_model=model)[0]
    assert result.sentiment_label == "negative"
    assert not adaptation.refit_due(workspace) and adaptation.workspaces_due() == []  # nothing new since
    again = adaptation.fit(workspace)
    assert again.version.endswith(".2") and again.held_out_accuracy == state.held_out_accuracy


def test_a_workspace_learns_only_from_its_own_comments(workspace):
    scored_comments(WorkspaceFactory(slug="other-brand"), 600)
    assert adaptation.fit(workspace) is None and adaptation.model_for(workspace) is None


def test_turned_off_the_base_model_labels_and_everything_is_reanalysed(workspace, django_capture_on_commit_callbacks):
    scored_comments(workspace, 600)
    unscored = FeedbackItemFactory(workspace=workspace, text="유심이 아직도 안 왔어요", language="ko")
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: the re-analysis runs at commit
        text_services.text_model_refit(workspace=workspace)
    unscored.refresh_from_db()
    adapted = WorkspaceTextModel.objects.get().version
    assert unscored.analysis_version == adapted and unscored.sentiment_label == "negative"
    run = Reanalysis.objects.get()
    assert (run.status, run.reason, run.done, run.total) == ("done", "model", 601, 601)
    with django_capture_on_commit_callbacks(execute=True):
        text_services.text_adaptation_set(workspace=workspace, enabled=False)
    assert adaptation.model_for(workspace) is None
    unscored.refresh_from_db()
    assert unscored.analysis_version == adaptation.sentiment.korean_model().version
    assert Reanalysis.objects.count() == 2


def test_a_reanalysis_already_running_is_not_started_twice(workspace):
    FeedbackItemFactory.create_batch(3, workspace=workspace)
    running = Reanalysis.objects.create(workspace=workspace, status=Reanalysis.Status.RUNNING, total=3)
    assert text_services.reanalysis_start(workspace=workspace, reason="manual") == running


def test_a_reanalysis_run_again_goes_on_where_it_stopped(workspace, monkeypatch):
    items = FeedbackItemFactory.create_batch(5, workspace=workspace, text="Great service")
    services.feedback_analyse(workspace=workspace)
    run = Reanalysis.objects.create(workspace=workspace, total=5)
    monkeypatch.setattr(text_services, "REANALYSIS_BATCH", 2)
    calls = []
    real = services.feedback_analyse

    def flaky(**kwargs):
        calls.append(kwargs["item_ids"])
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "feedback_analyse", flaky)
    with pytest.raises(ConnectionError):
        text_services.reanalysis_run(run)
    run.refresh_from_db()
    assert (run.status, run.done) == ("failed", 2) and "database went away" in run.error
    monkeypatch.setattr(services, "feedback_analyse", real)
    assert text_services.reanalysis_run(run) == 3
    run.refresh_from_db()
    assert (run.status, run.done) == ("done", 5)
    assert not FeedbackItem.objects.filter(pk__in=[item.pk for item in items], analysed_at__lt=run.created_at)


def test_the_settings_page_shows_the_models_and_admins_change_them(
        client, workspace, alice, bob, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    scored_comments(workspace, 600)
    with django_capture_on_commit_callbacks(execute=True):
        text_services.text_model_refit(workspace=workspace)
    url = reverse("feedback:text_analysis", kwargs={"workspace_slug": workspace.slug})
    client.force_login(bob)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    state = WorkspaceTextModel.objects.get()
    assert state.version in page and adaptation.sentiment.korean_model().version in page
    assert "Turn learning off" not in page  # analysts read; admins change
    assert client.post(url, {"action": "disable"}).status_code == 403
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "disable"}).status_code == 302
    assert not WorkspaceTextModel.objects.get().enabled
    page = client.get(url).content.decode()
    assert "Turn learning on" in page and "Re-analyse all feedback" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "reanalyse"}, follow=True).status_code == 200
    assert Reanalysis.objects.filter(reason="manual", status="done").exists()
    progress = client.get(reverse("feedback:text_analysis_progress", kwargs={"workspace_slug": workspace.slug}))
    assert "hx-trigger" not in progress.content.decode()  # finished: the fragment stops polling


def test_the_settings_page_of_a_new_workspace_says_what_it_waits_for(client, workspace, alice):
    client.force_login(alice)
    page = client.get(reverse("feedback:text_analysis", kwargs={"workspace_slug": workspace.slug}))
    assert page.status_code == 200
    assert "the first fit needs about 200" in page.content.decode()
    assert "No re-analysis has run yet." in page.content.decode()

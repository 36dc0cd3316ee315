"""The builder pages: every change works as a plain form (redirect) and with htmx (the question list as
a fragment, and the event that reloads the live preview)."""

import pytest
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from apps.surveys.models import Answer, Question, Survey
from tests.factories import ResponseFactory, SurveyFactory, TouchpointFactory

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft(workspace):
    survey = SurveyFactory(workspace=workspace, title="After delivery", language="en")
    QuestionFactory(survey=survey, position=1, kind="nps", text="How likely are you to recommend us?")
    QuestionFactory(survey=survey, position=2, kind="long_text", text="Why?", required=False)
    return survey


def base(survey) -> str:
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}"


def texts(survey) -> list[str]:
    return list(Question.objects.filter(survey=survey, is_hidden=False).order_by("position")
                .values_list("text", flat=True))


def test_the_builder_shows_questions_settings_and_preview(client, alice, draft, django_assert_max_num_queries):
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        page = client.get(f"{base(draft)}/edit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "How likely are you to recommend us?" in html and "Why?" in html
    assert f'src="{base(draft)}/preview/"' in html
    assert 'hx-trigger="survey-changed from:body"' in html
    assert 'name="thank_you_message"' in html and 'name="allowed_hidden_fields"' in html


@pytest.mark.parametrize("user", ["vera", "bob"])
def test_only_admins_build(client, request, draft, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"{base(draft)}/edit/").status_code == 403
    assert client.post(f"{base(draft)}/questions/new/", {"kind": "nps", "text": "x"}).status_code == 403
    assert client.post(f"{base(draft)}/duplicate/").status_code == 403


def test_creating_a_survey_opens_the_builder(client, alice, workspace):
    client.force_login(alice)
    page = client.post(f"/w/{workspace.slug}/surveys/new/", {"title": "NPS", "language": "ko", "template": "nps"})
    assert page["Location"] == f"{base(Survey.objects.get())}/edit/"


class TestAddQuestion:
    def test_without_javascript(self, client, alice, draft):
        client.force_login(alice)
        page = client.post(f"{base(draft)}/questions/new/", {
            "kind": "long_text", "text": "What disappointed you?", "show_when": "detractors", "required": "on"})
        assert page.status_code == 302
        assert page["Location"] == f"{base(draft)}/edit/#builder-questions"
        question = Question.objects.get(text="What disappointed you?")
        assert (question.position, question.condition_question.kind, question.condition_min,
                question.condition_max, question.required) == (3, "nps", 0, 6, True)

    def test_with_htmx_the_list_comes_back_and_the_preview_reloads(self, client, alice, draft):
        client.force_login(alice)
        page = client.post(f"{base(draft)}/questions/new/", {
            "kind": "rating", "text": "Rate the driver", "show_when": "always"}, headers=HTMX)
        assert page.status_code == 200
        assertTemplateUsed(page, "surveys/partials/builder_questions.html")
        assert "survey-changed" in page["HX-Trigger"]
        assert page["HX-Retarget"] == "#builder-questions"
        assert "Rate the driver" in page.content.decode()
        assert texts(draft)[-1] == "Rate the driver"

    def test_a_custom_range(self, client, alice, draft):
        client.force_login(alice)
        client.post(f"{base(draft)}/questions/new/", {"kind": "short_text", "text": "Almost?", "show_when": "custom",
                                                      "show_if_nps_min": "5", "show_if_nps_max": "8"})
        question = Question.objects.get(text="Almost?")
        assert (question.condition_operator, question.condition_min, question.condition_max) == (
            "score_between", 5, 8)

    @pytest.mark.parametrize(("data", "message"), [
        ({"kind": "short_text", "text": ""}, "This field is required."),
        ({"kind": "short_text", "text": "x", "show_when": "custom", "show_if_nps_min": "8", "show_if_nps_max": "2"},
         "The highest score must not be below the lowest one."),
        ({"kind": "nps", "text": "x", "show_when": "detractors"}, "The NPS question itself is asked to everyone."),
    ])
    def test_mistakes_are_explained(self, client, alice, draft, data, message):
        client.force_login(alice)
        data = {"show_when": "always", **data}
        plain = client.post(f"{base(draft)}/questions/new/", data)
        assert plain.status_code == 400
        assert message in plain.content.decode()
        inline = client.post(f"{base(draft)}/questions/new/", data, headers=HTMX)
        assert inline.status_code == 200  # htmx swaps only 2xx answers
        assert message in inline.content.decode()
        assert "HX-Trigger" not in inline
        assert len(texts(draft)) == 2

    def test_a_follow_up_without_an_nps_question_is_refused(self, client, alice, workspace):
        survey = SurveyFactory(workspace=workspace)
        client.force_login(alice)
        page = client.post(f"{base(survey)}/questions/new/", {"kind": "short_text", "text": "Why?",
                                                               "show_when": "detractors"})
        assert page.status_code == 400
        assert "add an NPS question" in page.content.decode()


class TestEditQuestion:
    def test_htmx_opens_the_form_in_the_list(self, client, alice, draft):
        question = draft.questions.get(text="Why?")
        client.force_login(alice)
        page = client.get(f"{base(draft)}/questions/{question.pk}/", headers=HTMX)
        html = page.content.decode()
        assert f'hx-post="{base(draft)}/questions/{question.pk}/"' in html
        assert 'value="Why?"' in html

    def test_without_javascript_the_builder_opens_with_the_form(self, client, alice, draft):
        question = draft.questions.get(text="Why?")
        client.force_login(alice)
        page = client.get(f"{base(draft)}/questions/{question.pk}/")
        assert page["Location"] == f"{base(draft)}/edit/?edit={question.pk}#question-{question.pk}"
        html = client.get(page["Location"]).content.decode()
        assert f'action="{base(draft)}/questions/{question.pk}/"' in html

    def test_saving(self, client, alice, draft, django_assert_max_num_queries):
        question = draft.questions.get(text="Why?")
        client.force_login(alice)
        # The save and the re-rendered list (the builder rows already say which questions have answers).
        with django_assert_max_num_queries(21):
            page = client.post(f"{base(draft)}/questions/{question.pk}/", {
                "kind": "long_text", "text": "What could we do better?", "show_when": "not_promoters"}, headers=HTMX)
        assert "survey-changed" in page["HX-Trigger"]
        question.refresh_from_db()
        assert (question.text, question.condition_min, question.condition_max, question.required) == (
            "What could we do better?", 0, 8, False)

    def test_an_answered_question_keeps_its_type_and_says_why(self, client, alice, draft):
        question = draft.questions.get(kind="nps")
        Answer.objects.create(workspace=draft.workspace, response=ResponseFactory(survey=draft), question=question,
                              number=9)
        client.force_login(alice)
        form = client.get(f"{base(draft)}/questions/{question.pk}/", headers=HTMX).content.decode()
        assert "This question has answers, so its type is fixed" in form
        assert f'name="kind" id="q{question.pk}-kind" disabled' in form or "disabled" in form
        client.post(f"{base(draft)}/questions/{question.pk}/", {
            "kind": "csat", "text": "Recommend?", "show_when": "always", "required": "on"})
        question.refresh_from_db()
        assert (question.kind, question.text) == ("nps", "Recommend?")  # the posted kind is ignored


def test_reordering_with_up_and_down(client, alice, draft):
    why = draft.questions.get(text="Why?")
    client.force_login(alice)
    page = client.post(f"{base(draft)}/questions/{why.pk}/move/", {"offset": "-1"})
    assert page.status_code == 302
    assert texts(draft) == ["Why?", "How likely are you to recommend us?"]
    page = client.post(f"{base(draft)}/questions/{why.pk}/move/", {"offset": "1"}, headers=HTMX)
    assert "survey-changed" in page["HX-Trigger"]
    assert texts(draft) == ["How likely are you to recommend us?", "Why?"]


class TestDelete:
    def test_an_unanswered_question_is_deleted(self, client, alice, draft):
        why = draft.questions.get(text="Why?")
        client.force_login(alice)
        page = client.post(f"{base(draft)}/questions/{why.pk}/delete/", follow=True)
        assert "Question deleted." in page.content.decode()
        assert not Question.objects.filter(pk=why.pk).exists()

    def test_an_answered_question_is_hidden_and_the_page_says_so(self, client, alice, draft):
        why = draft.questions.get(text="Why?")
        Answer.objects.create(workspace=draft.workspace, response=ResponseFactory(survey=draft), question=why,
                              text="Slow")
        client.force_login(alice)
        builder = client.get(f"{base(draft)}/edit/").content.decode()
        assert "Has answers" in builder and ">Hide</button>" in builder
        page = client.post(f"{base(draft)}/questions/{why.pk}/delete/", headers=HTMX)
        html = page.content.decode()
        assert "has answers, so it is hidden instead of deleted" in html
        assert "1 hidden question" in html
        why.refresh_from_db()
        assert why.is_hidden
        client.post(f"{base(draft)}/questions/{why.pk}/restore/")
        why.refresh_from_db()
        assert not why.is_hidden


def test_options_are_added_renamed_and_removed(client, alice, draft):
    question = QuestionFactory(survey=draft, kind="multiple_choice", text="What did you like?", position=3)
    speed = ChoiceFactory(question=question, text="Speed", position=1)
    client.force_login(alice)
    page = client.post(f"{base(draft)}/questions/{question.pk}/choices/new/", {"text": "Packaging"}, headers=HTMX)
    assert "survey-changed" in page["HX-Trigger"]
    assert "Packaging" in page.content.decode()
    packaging = question.choices.get(text="Packaging")
    client.post(f"{base(draft)}/questions/{question.pk}/choices/{speed.pk}/", {"text": "Fast delivery"})
    client.post(f"{base(draft)}/questions/{question.pk}/choices/{packaging.pk}/delete/")
    assert list(question.choices.values_list("text", flat=True)) == ["Fast delivery"]
    page = client.post(f"{base(draft)}/questions/{question.pk}/choices/{speed.pk}/delete/", follow=True)
    assert "A choice question needs at least one option." in page.content.decode()


def test_a_question_of_another_survey_is_not_found(client, alice, draft, workspace):
    other = QuestionFactory(survey=SurveyFactory(workspace=workspace))
    client.force_login(alice)
    assert client.post(f"{base(draft)}/questions/{other.pk}/delete/").status_code == 404
    assert Question.objects.filter(pk=other.pk).exists()


class TestSettings:
    def data(self, **overrides):
        return {"title": "After delivery", "language": "ko", "status": "draft", "intro": "Two minutes.",
                "thank_you_message": "Thanks!", "close_at": "2030-01-31T18:00", "response_cap": "1000",
                "allowed_hidden_fields": "channel, order", **overrides}

    def test_saving_every_setting(self, client, alice, draft, workspace):
        touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="Home delivery")
        client.force_login(alice)
        page = client.post(f"{base(draft)}/edit/", self.data(touchpoint=touchpoint.pk))
        assert page.status_code == 302
        draft.refresh_from_db()
        assert (draft.language, draft.intro, draft.thank_you_message, draft.response_cap,
                draft.allowed_hidden_fields, draft.touchpoint) == (
            "ko", "Two minutes.", "Thanks!", 1000, ["channel", "order"], touchpoint)
        assert draft.close_at.year == 2030

    def test_touchpoints_are_the_workspaces_active_ones(self, client, alice, draft, workspace):
        archived = TouchpointFactory(stage__journey__workspace=workspace, name="Old kiosk")
        archived.archived_at = timezone.now()
        archived.save()
        TouchpointFactory(name="Someone else's")
        TouchpointFactory(stage__journey__workspace=workspace, name="Store visit")
        client.force_login(alice)
        html = client.get(f"{base(draft)}/edit/").content.decode()
        assert "Store visit" in html
        assert "Old kiosk" not in html and "Someone else" not in html
        assert client.post(f"{base(draft)}/edit/", self.data(touchpoint=archived.pk)).status_code == 400

    def test_going_live_needs_a_question_and_htmx_updates_the_badge(self, client, alice, workspace):
        empty = SurveyFactory(workspace=workspace, title="Empty")
        client.force_login(alice)
        page = client.post(f"{base(empty)}/edit/", self.data(title="Empty", status="live"), headers=HTMX)
        assert "Add at least one question" in page.content.decode()
        empty.refresh_from_db()
        assert empty.status == "draft"
        QuestionFactory(survey=empty)
        page = client.post(f"{base(empty)}/edit/", self.data(title="Empty", status="live"), headers=HTMX)
        html = page.content.decode()
        assert 'id="survey-status" hx-swap-oob="true"' in html
        assert "survey-changed" in page["HX-Trigger"]
        empty.refresh_from_db()
        assert empty.status == "live"

    def test_bad_hidden_field_names(self, client, alice, draft):
        client.force_login(alice)
        page = client.post(f"{base(draft)}/edit/", self.data(allowed_hidden_fields="order, bad key!"))
        assert page.status_code == 400
        assert "bad key!" in page.content.decode()


class TestPreview:
    def test_it_renders_the_public_partials_in_the_survey_language(self, client, vera, draft):
        draft.language = "ko"
        draft.save()
        QuestionFactory(survey=draft, position=3, kind="single_choice", text="What went wrong?",
                        condition_question=draft.questions.get(kind="nps"), condition_operator="score_between",
                        condition_min=0, condition_max=6)
        client.force_login(vera)
        page = client.get(f"{base(draft)}/preview/")
        html = page.content.decode()
        assert page.status_code == 200
        assertTemplateUsed(page, "surveys/public/partials/question.html")
        assert '<html lang="ko"' in html
        nps = draft.questions.get(kind="nps")
        assert (f'data-rules="{{&quot;show&quot;: {{&quot;field&quot;: &quot;q{nps.pk}&quot;, &quot;op&quot;: '
                '&quot;score_between&quot;, &quot;min&quot;: 0, &quot;max&quot;: 6}}"') in html
        assert "How likely are you to recommend us?" in html
        assert page["X-Frame-Options"] == "SAMEORIGIN"
        assert "form_token" not in html  # nothing here can be sent

    def test_htmx_gets_a_fresh_frame(self, client, alice, draft):
        client.force_login(alice)
        page = client.get(f"{base(draft)}/preview/", headers=HTMX)
        html = page.content.decode()
        assert html.strip().startswith('<div id="survey-preview"')
        assert f'<iframe src="{base(draft)}/preview/?v=' in html


def test_duplicating_opens_the_copy(client, alice, draft):
    client.force_login(alice)
    page = client.post(f"{base(draft)}/duplicate/")
    copy = Survey.objects.exclude(pk=draft.pk).get()
    assert page["Location"] == f"{base(copy)}/edit/"
    assert texts(copy) == texts(draft)
    assert copy.status == "draft"

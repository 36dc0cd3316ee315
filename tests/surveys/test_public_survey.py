"""The public survey page /s/<token>/: rendering, validation, follow-ups, hidden fields and the
states a survey can be in."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.surveys.models import Answer, Response
from tests.factories import ResponseFactory, SurveyFactory, WorkspaceFactory

from .factories import QuestionFactory
from .helpers import choice_id, field, open_form, promoter_answers

pytestmark = pytest.mark.django_db


def url(survey):
    return f"/s/{survey.token}/"


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_it_renders_in_the_survey_language(visitor, survey, language):
    survey.language = language
    survey.save()
    # The visitor's browser asks for the other language: the survey's own one wins.
    page = visitor.get(url(survey), HTTP_ACCEPT_LANGUAGE="ko" if language == "en" else "en")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<html lang="{language}"' in html
    assert page["Content-Language"] == language
    assert in_language(language, "Send answers") in html
    assert in_language(language, "Not at all likely") in html
    assert "How likely are you to recommend us?" in html


def test_it_uses_the_workspace_brand(visitor, survey):
    survey.workspace.brand_color = "#E11D48"
    survey.workspace.save()
    html = visitor.get(url(survey)).content.decode()
    assert "--brand: #E11D48" in html
    assert "survey.css" in html and "app.css" not in html
    assert "Hanbit Telecom" in html


def test_nps_is_eleven_labelled_radios_in_a_fieldset(visitor, survey):
    html = visitor.get(url(survey)).content.decode()
    name = field(survey, "How likely are you to recommend us?")
    assert html.count(f'type="radio" name="{name}"') == 11
    assert '<legend class="question-label">How likely are you to recommend us?' in html
    assert "Not at all likely" in html and "Extremely likely" in html
    # Text questions have a real label.
    short = field(survey, "Your order number")
    assert f'<label class="question-label" for="id_{short}">Your order number' in html


def test_a_complete_answer_is_saved_and_thanked(visitor, survey):
    form = open_form(visitor, url(survey))
    several = field(survey, "What did you like?")
    page = visitor.post(url(survey), {
        **form, **promoter_answers(survey),
        field(survey, "How easy was it?"): "6",
        field(survey, "Rate the driver"): "4",
        several: [choice_id(survey, "What did you like?", text) for text in ("Speed", "Packaging")],
        field(survey, "Your order number"): "A-123",
        field(survey, "Anything else?"): "  Great service  ",
    })
    assert page.status_code == 200
    assert "Thanks a lot!" in page.content.decode()
    response = Response.objects.get()
    assert (response.nps_score, response.csat_score, response.ces_score) == (10, 5, 6)
    assert response.comment == "Great service"
    assert response.touchpoint == survey.touchpoint
    assert response.channel == "delivery"
    assert response.language == "en"
    assert Answer.objects.filter(response=response).count() == 8  # two rows for the two choices
    chosen = Answer.objects.filter(question__text="What did you like?").values_list("choice__text", flat=True)
    assert sorted(chosen) == ["Packaging", "Speed"]


@pytest.mark.parametrize(("question", "value", "message"), [
    ("How likely are you to recommend us?", "", "Please choose a score from 0 to 10."),
    ("How likely are you to recommend us?", "11", "Please choose a score from 0 to 10."),
    ("How likely are you to recommend us?", "ten", "Please choose a score from 0 to 10."),
    ("How satisfied are you?", "", "Please choose a score from 1 to 5."),
    ("How satisfied are you?", "0", "Please choose a score from 1 to 5."),
    ("How easy was it?", "8", "Please choose a score from 1 to 7."),
    ("Rate the driver", "6", "Please choose a rating from 1 to 5."),
    ("What did you like?", "999999", "Please choose from the answers shown."),
    ("Your order number", "x" * 301, "Please keep your answer under 300 characters (it has 301)."),
    ("Anything else?", "x" * 5001, "Please keep your answer under 5000 characters (it has 5001)."),
])
def test_each_question_kind_is_validated_with_an_inline_message(visitor, survey, question, value, message):
    form = open_form(visitor, url(survey))
    data = {**form, **promoter_answers(survey), field(survey, question): value}
    page = visitor.post(url(survey), data)
    html = page.content.decode()
    assert page.status_code == 400
    assert message in html
    assert f'<p class="question-error" id="id_{field(survey, question)}-error">' in html
    assert 'aria-invalid="true"' in html
    assert Response.objects.count() == 0


def test_required_choice_and_text_questions_say_what_is_missing(visitor, workspace):
    survey = SurveyFactory(workspace=workspace, status="live", language="en")
    one = QuestionFactory(survey=survey, kind="single_choice", text="Pick one")
    one.choices.create(workspace=workspace, text="A")
    several = QuestionFactory(survey=survey, kind="multiple_choice", text="Pick some")
    several.choices.create(workspace=workspace, text="B")
    QuestionFactory(survey=survey, kind="short_text", text="Name it")
    QuestionFactory(survey=survey, kind="long_text", text="Tell us")
    form = open_form(visitor, url(survey))
    html = visitor.post(url(survey), {**form, f"q{one.pk}": ""}).content.decode()
    assert "Please choose an answer." in html
    assert "Please choose at least one answer." in html
    assert html.count("Please write an answer.") == 2
    assert "Please check 4 answers" in html


def test_messages_are_in_the_survey_language(visitor, survey):
    survey.language = "ko"
    survey.save()
    form = open_form(visitor, url(survey))
    html = visitor.post(url(survey), form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert in_language("ko", "Please choose a score from 0 to 10.") in html
    assert '<html lang="ko"' in html


def test_answers_already_given_are_kept_after_an_error(visitor, survey):
    form = open_form(visitor, url(survey))
    nps = field(survey, "How likely are you to recommend us?")
    several = field(survey, "What did you like?")
    speed = choice_id(survey, "What did you like?", "Speed")
    html = visitor.post(url(survey), {
        **form, nps: "9", several: [speed], field(survey, "Anything else?"): "Keep <this> text",
    }).content.decode()  # CSAT is missing
    assert "Please choose a score from 1 to 5." in html
    assert f'name="{nps}" value="9" id="id_{nps}_9" checked' in html
    assert f'name="{several}" value="{speed}" id="id_{several}_0" checked' in html
    assert "Keep &lt;this&gt; text</textarea>" in html
    assert f'value="{form["form_token"]}"' in html


class TestFollowUp:
    """"What went wrong?" is asked (and required) only for an NPS answer from 0 to 6."""

    def test_it_is_marked_for_the_script_and_explained_without_it(self, visitor, survey):
        html = visitor.get(url(survey)).content.decode()
        nps = field(survey, "How likely are you to recommend us?")
        assert (f'data-rules="{{&quot;show&quot;: {{&quot;field&quot;: &quot;{nps}&quot;, &quot;op&quot;: '
                '&quot;score_between&quot;, &quot;min&quot;: 0, &quot;max&quot;: 6}}"') in html
        assert "Answer this if you gave a score from 0 to 6." in html
        assert "survey.js" in html

    def test_it_is_required_when_shown(self, visitor, survey):
        form = open_form(visitor, url(survey))
        data = {**form, **promoter_answers(survey), field(survey, "How likely are you to recommend us?"): "3"}
        page = visitor.post(url(survey), data)
        assert page.status_code == 400
        assert "Please choose an answer." in page.content.decode()

    def test_its_answer_is_saved_when_shown(self, visitor, survey):
        form = open_form(visitor, url(survey))
        visitor.post(url(survey), {**form, **promoter_answers(survey),
                                   field(survey, "How likely are you to recommend us?"): "3",
                                   field(survey, "What went wrong?"): choice_id(survey, "What went wrong?", "Price")})
        answer = Answer.objects.get(question__text="What went wrong?")
        assert answer.choice.text == "Price"
        assert Response.objects.get().nps_score == 3

    def test_it_is_not_required_and_its_answer_is_dropped_when_hidden(self, visitor, survey):
        form = open_form(visitor, url(survey))
        page = visitor.post(url(survey), {
            **form, **promoter_answers(survey),
            field(survey, "What went wrong?"): "not even a valid choice"})
        assert page.status_code == 200
        assert not Answer.objects.filter(question__text="What went wrong?").exists()
        assert Response.objects.count() == 1

    def test_without_an_nps_answer_it_is_hidden(self, visitor, survey):
        nps = survey.questions.get(kind="nps")
        nps.required = False
        nps.save()
        form = open_form(visitor, url(survey))
        data = {**form, field(survey, "How satisfied are you?"): "4",
                field(survey, "What went wrong?"): choice_id(survey, "What went wrong?", "Price")}
        assert visitor.post(url(survey), data).status_code == 200
        assert Answer.objects.filter(question__text="What went wrong?").count() == 0


def test_hidden_questions_are_neither_shown_nor_required(visitor, survey):
    survey.questions.filter(kind="csat").update(is_hidden=True)
    html = visitor.get(url(survey)).content.decode()
    assert "How satisfied are you?" not in html
    form = open_form(visitor, url(survey))
    assert visitor.post(url(survey), {**form, field(survey, "How likely are you to recommend us?"): "9"}
                        ).status_code == 200


class TestHiddenFields:
    def test_allowed_keys_are_carried_through_the_form_and_saved(self, visitor, survey):
        form = open_form(visitor, url(survey), order="A-77", channel="store", secret="no", utm="x")
        assert form.keys() == {"form_token", "h_order", "h_channel"}
        visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert Response.objects.get().hidden_fields == {"order": "A-77", "channel": "store"}

    def test_keys_not_allowed_are_dropped_even_when_posted(self, visitor, survey):
        form = open_form(visitor, url(survey))
        visitor.post(url(survey), {**form, **promoter_answers(survey), "h_secret": "x", "h_order": "B-1"})
        assert Response.objects.get().hidden_fields == {"order": "B-1"}

    def test_long_values_are_truncated(self, visitor, survey):
        form = open_form(visitor, url(survey), order="7" * 5000)
        assert len(form["h_order"]) == 200
        visitor.post(url(survey), {**form, **promoter_answers(survey), "h_order": "8" * 5000})
        assert Response.objects.get().hidden_fields["order"] == "8" * 200

    def test_channel_comes_from_the_link_when_the_survey_has_no_touchpoint(self, visitor, survey):
        survey.touchpoint = None
        survey.save()
        form = open_form(visitor, url(survey), channel="store")
        visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert Response.objects.get().channel == "store"

    def test_an_unknown_channel_is_not_used(self, visitor, survey):
        survey.touchpoint = None
        survey.save()
        form = open_form(visitor, url(survey), channel="carrier-pigeon")
        visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert Response.objects.get().channel == ""


class TestUnavailable:
    @pytest.mark.parametrize(("status", "heading"), [
        ("draft", "This survey is not open yet"),
        ("paused", "This survey is paused"),
        ("closed", "This survey has closed"),
    ])
    def test_status(self, visitor, survey, status, heading):
        survey.status = status
        survey.save()
        for method in (visitor.get, visitor.post):
            page = method(url(survey))
            assert page.status_code == 200
            assert heading in page.content.decode()
            assert "How likely" not in page.content.decode()
        assert Response.objects.count() == 0

    def test_close_at_passed(self, visitor, survey):
        survey.close_at = timezone.now() - timezone.timedelta(minutes=1)
        survey.save()
        assert "This survey has closed" in visitor.get(url(survey)).content.decode()

    def test_close_at_in_the_future(self, visitor, survey):
        survey.close_at = timezone.now() + timezone.timedelta(days=1)
        survey.save()
        assert "How likely" in visitor.get(url(survey)).content.decode()

    def test_over_the_response_cap(self, visitor, survey):
        form = open_form(visitor, url(survey))
        survey.response_cap = 2
        survey.save()
        ResponseFactory.create_batch(2, survey=survey)
        assert "This survey has closed" in visitor.get(url(survey)).content.decode()
        visitor.post(url(survey), {**form, **promoter_answers(survey)})
        assert Response.objects.count() == 2

    def test_in_the_survey_language(self, visitor, survey):
        survey.language, survey.status = "ko", "paused"
        survey.save()
        html = visitor.get(url(survey)).content.decode()
        assert in_language("ko", "This survey is paused") in html
        assert '<html lang="ko"' in html

    def test_an_unknown_token_is_a_friendly_404(self, visitor):
        page = visitor.get("/s/not-a-token/")
        assert page.status_code == 404
        assert "We could not find this survey" in page.content.decode()

    def test_the_page_never_leaks_another_workspace(self, visitor, survey):
        other = SurveyFactory(workspace=WorkspaceFactory(name="Rival brand"), status="draft")
        html = visitor.get(url(other)).content.decode()
        assert "Rival brand" in html and "Hanbit Telecom" not in html


def test_the_public_page_query_count_is_bounded(visitor, survey, django_assert_max_num_queries):
    QuestionFactory.create_batch(20, survey=survey, kind="short_text", required=False)
    with django_assert_max_num_queries(3):
        assert visitor.get(url(survey)).status_code == 200
    survey.response_cap = 1000
    survey.save()
    with django_assert_max_num_queries(4):
        assert visitor.get(url(survey)).status_code == 200


def test_a_submission_query_count_is_bounded(visitor, survey, django_assert_max_num_queries):
    form = open_form(visitor, url(survey))
    several = field(survey, "What did you like?")
    data = {**form, **promoter_answers(survey), field(survey, "Anything else?"): "Fine",
            several: [choice_id(survey, "What did you like?", text) for text in ("Speed", "Politeness")]}
    # Survey, questions, choices; the response insert in its savepoint; one insert for all the answers;
    # the KPI dirty-slice upsert; the comment's feedback item and the tag rules it is matched against; the
    # outer savepoint stands for the transaction (BEGIN/COMMIT outside a test).
    with django_assert_max_num_queries(12):
        assert visitor.post(url(survey), data).status_code == 200

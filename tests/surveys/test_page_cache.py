"""The public page's caches (apps/surveys/page_cache.py) and the one-query link lookup: every change a
marketer makes shows on the next visit, and no two visitors ever share a form token."""

import time

import pytest

from apps.surveys import link_lookup, page_cache, services
from apps.surveys.models import Answer, Question, Response, Survey, SurveyInvitation
from apps.webhooks import services as webhook_services
from apps.webhooks.models import WebhookDelivery
from tests.factories import CustomerFactory

from .factories import DistributionFactory, SurveyInvitationFactory
from .helpers import FORM_TOKEN, choice_id, field, open_form, promoter_answers

pytestmark = pytest.mark.django_db


def url(survey):
    return f"/s/{survey.token}/"


def page(visitor, survey, **query) -> str:
    response = visitor.get(url(survey), query)
    assert response.status_code == 200
    return response.content.decode()


def test_each_visit_gets_its_own_form_token_from_the_cached_page(visitor, survey):
    first, second = page(visitor, survey), page(visitor, survey)
    tokens = {FORM_TOKEN.search(first).group(1), FORM_TOKEN.search(second).group(1)}
    assert len(tokens) == 2 and page_cache.FORM_TOKEN_SLOT not in first + second
    # Apart from the token the two pages are the same cached HTML.
    assert FORM_TOKEN.sub("", first) == FORM_TOKEN.sub("", second)


def test_both_cached_tokens_are_accepted_once_each(visitor, survey):
    for _ in range(2):
        form = open_form(visitor, url(survey))
        assert b"survey-thanks" in visitor.post(url(survey), {**form, **promoter_answers(survey)}).content
    assert Response.objects.filter(survey=survey).count() == 2


def test_a_renamed_choice_shows_on_the_next_visit(visitor, survey):
    assert "Delivery" in page(visitor, survey)
    question = Question.objects.get(survey=survey, text="What went wrong?")
    services.choice_update(choice=question.choices.get(text="Delivery"), text="Late parcel")
    html = page(visitor, survey)
    assert "Late parcel" in html and ">Delivery<" not in html


def test_added_moved_and_removed_questions_show_on_the_next_visit(visitor, survey):
    page(visitor, survey)
    added = services.question_add(survey=survey, kind=Question.Kind.SHORT_TEXT, text="Which store?", required=False)
    assert "Which store?" in page(visitor, survey)
    services.question_move(question=added, offset=-1)  # a bulk update, which sends no signal
    html = page(visitor, survey)
    assert html.index("Which store?") < html.index("Anything else?")
    services.question_remove(question=added)
    assert "Which store?" not in page(visitor, survey)


def test_a_question_edited_in_the_admin_site_shows_on_the_next_visit(visitor, survey):
    page(visitor, survey)
    question = Question.objects.get(survey=survey, text="Your order number")
    question.text = "Your receipt number"
    question.save()  # what the admin site does
    assert "Your receipt number" in page(visitor, survey)


def test_survey_and_brand_changes_show_on_the_next_visit(visitor, survey):
    page(visitor, survey)
    survey.title, survey.thank_you_message = "Tell us about your delivery", "Much appreciated."
    survey.save()
    survey.workspace.brand_color = "#0F766E"
    survey.workspace.save()
    html = page(visitor, survey)
    assert "Tell us about your delivery" in html and "--brand: #0F766E" in html
    form = open_form(visitor, url(survey))
    assert "Much appreciated." in visitor.post(url(survey), {**form, **promoter_answers(survey)}).content.decode()


def test_hidden_field_values_are_not_shared_between_links(visitor, survey):
    assert 'value="A-1"' in page(visitor, survey, order="A-1")
    html = page(visitor, survey, order="B-2")
    assert 'value="B-2"' in html and 'value="A-1"' not in html
    assert 'name="h_order"' not in page(visitor, survey)


def test_a_page_sent_back_with_errors_is_not_cached(visitor, survey):
    form = open_form(visitor, url(survey))
    answers = {field(survey, "How likely are you to recommend us?"): "3",
               field(survey, "Anything else?"): "The parcel was late"}
    assert visitor.post(url(survey), {**form, **answers}).status_code == 400
    assert "The parcel was late" not in page(visitor, survey)


def test_the_questions_are_loaded_once_per_revision(visitor, survey, django_assert_max_num_queries):
    page(visitor, survey)
    with django_assert_max_num_queries(1):  # the survey itself, for its status
        page(visitor, survey)
    services.choice_update(choice=Question.objects.get(survey=survey, text="What went wrong?").choices.first(),
                           text="Something else")
    with django_assert_max_num_queries(3):  # survey, questions, choices
        page(visitor, survey)


def test_the_link_lookup_loads_the_survey_as_the_orm_would(survey):
    found = link_lookup.survey_by_link(survey.token)
    assert found == survey and found.workspace == survey.workspace and found.touchpoint == survey.touchpoint
    assert found.allowed_hidden_fields == ["order", "channel"]  # a JSON field, converted
    assert found.created_at == survey.created_at
    assert link_lookup.survey_by_link("no-such-token") is None
    survey.touchpoint = None
    survey.save()
    assert link_lookup.survey_by_link(survey.token).touchpoint is None


def test_a_survey_looked_up_by_its_link_is_kept_for_a_second(survey, django_assert_num_queries, settings):
    settings.SURVEY_LINK_CACHE_SECONDS = 0.2
    first = link_lookup.survey_by_link(survey.token)
    with django_assert_num_queries(0):
        assert link_lookup.survey_by_link(survey.token) is first
    # A change made by another process (a plain UPDATE sends no signal here) shows once the time is up.
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.PAUSED)
    assert link_lookup.survey_by_link(survey.token).status == Survey.Status.LIVE
    time.sleep(0.25)
    with django_assert_num_queries(1):
        assert link_lookup.survey_by_link(survey.token).status == Survey.Status.PAUSED


def test_a_link_not_found_is_not_kept(survey, django_assert_num_queries):
    assert link_lookup.survey_by_link("made-up-token") is None
    with django_assert_num_queries(1):
        assert link_lookup.survey_by_link("made-up-token") is None


def test_without_keeping_every_lookup_queries(survey, django_assert_num_queries, settings):
    settings.SURVEY_LINK_CACHE_SECONDS = 0
    link_lookup.survey_by_link(survey.token)
    with django_assert_num_queries(1):
        link_lookup.survey_by_link(survey.token)


def test_changes_made_in_this_process_show_on_the_next_visit(visitor, survey, workspace):
    assert "How did we do?" in page(visitor, survey)
    services.survey_set_status(survey=survey, status=Survey.Status.PAUSED)
    assert "paused" in visitor.get(url(survey)).content.decode()
    services.survey_set_status(survey=Survey.objects.get(pk=survey.pk), status=Survey.Status.LIVE)
    workspace.name = "Hanbit Mobile"
    workspace.save()
    assert "Hanbit Mobile" in page(visitor, survey)


def test_a_webhook_subscribed_after_a_visit_gets_the_next_response(visitor, survey, workspace, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    form = open_form(visitor, url(survey))  # the page view keeps the survey and its workspace
    webhook_services.endpoint_create(workspace=workspace, name="CRM", url="http://127.0.0.1:9/hook",
                                     events=["response.completed"])
    assert b"survey-thanks" in visitor.post(url(survey), {**form, **promoter_answers(survey)}).content
    assert WebhookDelivery.objects.filter(workspace=workspace, event="response.completed").count() == 1


def test_the_link_lookup_of_a_personal_link(survey):
    distribution = DistributionFactory(survey=survey)
    invitation = SurveyInvitationFactory(distribution=distribution, survey=survey,
                                         customer=CustomerFactory(workspace=survey.workspace))
    found = link_lookup.invitation_by_link(invitation.token)
    assert found == invitation and found.survey == survey and found.survey.workspace == survey.workspace
    invitation.status = SurveyInvitation.Status.SKIPPED
    invitation.save()
    assert link_lookup.invitation_by_link(invitation.token) is None


def test_a_choice_posted_from_a_cached_page_is_saved(visitor, survey):
    form = open_form(visitor, url(survey))
    answers = {field(survey, "How likely are you to recommend us?"): "2",
               field(survey, "What went wrong?"): choice_id(survey, "What went wrong?", "Price"),
               field(survey, "How satisfied are you?"): "2"}
    assert visitor.post(url(survey), {**form, **answers}).status_code == 200
    assert Answer.objects.filter(response__survey=survey, choice__text="Price").count() == 1

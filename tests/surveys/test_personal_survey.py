"""Personal links /r/<token>/ from invitation e-mails: bound to one customer, answered once."""

import pytest
from django.utils import timezone

from apps.surveys.models import Response, SurveyInvitation
from tests.csp import frame_ancestors
from tests.factories import CustomerFactory

from .factories import DistributionFactory, SurveyInvitationFactory
from .helpers import open_form, promoter_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(survey):
    distribution = DistributionFactory(survey=survey)
    return SurveyInvitationFactory(distribution=distribution,
                                   customer=CustomerFactory(workspace=survey.workspace, last_surveyed_at=None))


def url(invitation):
    return f"/r/{invitation.token}/"


def test_the_response_is_linked_to_the_customer_and_the_invitation(visitor, survey, invitation):
    form = open_form(visitor, url(invitation))
    page = visitor.post(url(invitation), {**form, **promoter_answers(survey)})
    assert page.status_code == 200
    assert "Thanks a lot!" in page.content.decode()
    response = Response.objects.get()
    assert response.customer == invitation.customer
    assert response.invitation == invitation
    assert response.survey == survey
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_it_updates_the_customer_last_surveyed_at(visitor, survey, invitation):
    before = timezone.now()
    visitor.post(url(invitation), {**open_form(visitor, url(invitation)), **promoter_answers(survey)})
    invitation.customer.refresh_from_db()
    assert invitation.customer.last_surveyed_at >= before


def test_the_first_visit_sets_opened_at_and_later_ones_keep_it(visitor, invitation):
    assert invitation.opened_at is None
    visitor.get(url(invitation))
    invitation.refresh_from_db()
    first = invitation.opened_at
    assert first is not None
    visitor.get(url(invitation))
    invitation.refresh_from_db()
    assert invitation.opened_at == first


def test_a_second_visit_after_answering_says_already_answered(visitor, survey, invitation):
    visitor.post(url(invitation), {**open_form(visitor, url(invitation)), **promoter_answers(survey)})
    page = visitor.get(url(invitation))
    assert page.status_code == 200
    assert "You have already answered" in page.content.decode()
    assert "How likely" not in page.content.decode()


def test_one_response_per_invitation_even_from_two_open_pages(visitor, survey, invitation):
    first_tab, second_tab = open_form(visitor, url(invitation)), open_form(visitor, url(invitation))
    visitor.post(url(invitation), {**first_tab, **promoter_answers(survey)})
    page = visitor.post(url(invitation), {**second_tab, **promoter_answers(survey)})
    assert "You have already answered" in page.content.decode()
    assert Response.objects.count() == 1


def test_a_double_click_on_a_personal_link_shows_thanks(visitor, survey, invitation):
    form = open_form(visitor, url(invitation))
    visitor.post(url(invitation), {**form, **promoter_answers(survey)})
    again = visitor.post(url(invitation), {**form, **promoter_answers(survey)})
    assert "Thanks a lot!" in again.content.decode()
    assert Response.objects.count() == 1


def test_the_service_refuses_a_second_response_for_an_invitation(survey, invitation):
    from apps.surveys import selectors, services

    questions = selectors.survey_questions(survey)
    nps = next(question for question in questions if question.kind == "nps")
    services.response_record(survey=survey, questions=questions, answers={nps.pk: 9}, submission_key="one",
                             invitation=invitation)
    with pytest.raises(services.ResponseAlreadyRecorded):
        services.response_record(survey=survey, questions=questions, answers={nps.pk: 1}, submission_key="two",
                                 invitation=invitation)
    assert Response.objects.count() == 1


def test_an_expired_link_shows_a_friendly_page(visitor, invitation):
    invitation.expires_at = timezone.now() - timezone.timedelta(minutes=1)
    invitation.save()
    page = visitor.get(url(invitation))
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert visitor.post(url(invitation), {}).status_code == 410
    assert Response.objects.count() == 0


def test_a_skipped_invitation_link_does_not_exist(visitor, invitation):
    invitation.status, invitation.skip_reason = SurveyInvitation.Status.SKIPPED, "no_consent"
    invitation.save()
    assert visitor.get(url(invitation)).status_code == 404


def test_an_unknown_link_is_a_friendly_404(visitor):
    page = visitor.get("/r/nope/")
    assert page.status_code == 404
    assert "We could not find this survey" in page.content.decode()


def test_a_closed_survey_shows_closed_on_a_personal_link(visitor, survey, invitation):
    survey.status = "closed"
    survey.save()
    assert "This survey has closed" in visitor.get(url(invitation)).content.decode()


def test_personal_pages_can_be_framed_by_the_workspace_origins(visitor, survey, invitation):
    survey.workspace.embed_allowed_origins = "https://www.hanbit.example"
    survey.workspace.save()
    page = visitor.get(url(invitation))
    assert frame_ancestors(page) == "'self' https://www.hanbit.example"
    assert "X-Frame-Options" not in page


def test_a_personal_page_query_count_is_bounded(visitor, invitation, django_assert_max_num_queries):
    # Invitation with its survey and workspace, questions, choices, and opened_at on the first visit.
    with django_assert_max_num_queries(4):
        assert visitor.get(url(invitation)).status_code == 200

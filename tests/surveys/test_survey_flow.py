"""The customer page of a survey with pages, logic and two languages, without JavaScript: the server
evaluates the rules between pages, keeps the answers page by page (resume token or invitation), drops
what was not asked, completes through the one submission service, and picks the page's language."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.feedback.models import FollowUpCase
from apps.surveys import partials, selectors, services
from apps.surveys.models import Answer, PartialResponse, Question, Response, SurveyInvitation
from tests.client import Client
from tests.factories import CustomerFactory, SurveyFactory, TouchpointFactory

from .factories import ChoiceFactory, PartialResponseFactory, QuestionFactory, SurveyInvitationFactory
from .helpers import open_form

pytestmark = pytest.mark.django_db

RESUME = re.compile(r"[?&]resume=([\w-]+)")


@pytest.fixture
def paged(workspace):
    """A live bilingual (Korean first) survey on three pages: NPS and a required "why" for detractors;
    a yes/no "come again" that ends the survey on "no"; a last comment."""
    survey = SurveyFactory(workspace=workspace, title="설치 경험", language="ko", status="live", bilingual=True,
                           translations={"en": {"title": "Your installation", "thank_you_message": "Thanks!"}},
                           thank_you_message="감사합니다!", allowed_hidden_fields=["tier"],
                           touchpoint=TouchpointFactory(stage__journey__workspace=workspace, channel="store"))
    nps = QuestionFactory(survey=survey, position=1, kind="nps", text="추천하시겠어요?",
                          translations={"en": {"text": "Would you recommend us?"}})
    why = QuestionFactory(survey=survey, position=2, kind="long_text", text="무엇이 아쉬웠나요?",
                          translations={"en": {"text": "What went wrong?"}}, condition_question=nps,
                          condition_operator="score_between", condition_min=0, condition_max=6)
    again = QuestionFactory(survey=survey, position=3, kind="single_choice", text="다시 이용하시겠어요?",
                            translations={"en": {"text": "Would you come again?"}}, page_break=True)
    yes = ChoiceFactory(question=again, position=1, text="예", translations={"en": {"text": "Yes"}})
    no = ChoiceFactory(question=again, position=2, text="아니요", translations={"en": {"text": "No"}})
    again.end_operator, again.end_choice = "choice_is", no
    again.save()
    last = QuestionFactory(survey=survey, position=4, kind="short_text", text="한마디 남겨 주세요", required=False,
                           translations={"en": {"text": "Any last word?"}}, page_break=True)
    survey.q = {"nps": f"q{nps.pk}", "why": f"q{why.pk}", "again": f"q{again.pk}", "last": f"q{last.pk}",
                "yes": str(yes.pk), "no": str(no.pk), "why_question": why}
    return survey


def url(survey):
    return f"/s/{survey.token}/"


def send_page(client, address: str, data: dict, **query):
    """Open the page (following the resume link) and send it with `data`, as a browser without JavaScript."""
    page = client.get(address, query)
    html = page.content.decode()
    form = open_form(client, address, **query)
    hidden = dict(re.findall(r'<input type="hidden" name="(page|resume|lang)" value="([^"]*)"', html))
    return client.post(address, {**form, **hidden, **data})


def resume_link(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return RESUME.search(response["Location"]).group(1)


class TestPagesWithoutJavascript:
    def test_the_first_page_shows_only_its_questions(self, visitor, paged):
        html = visitor.get(url(paged)).content.decode()
        assert "추천하시겠어요?" in html and "무엇이 아쉬웠나요?" in html
        assert "다시 이용하시겠어요?" not in html
        assert "1 / 3 페이지" in html
        # Without the script, the follow-up on the same page says when to answer it.
        assert "0~6점을 주신 경우에 답해 주세요." in html

    def test_a_promoter_goes_through_the_pages_and_the_follow_up_is_dropped(self, visitor, paged):
        q = paged.q
        first = send_page(visitor, url(paged), {q["nps"]: "10", q["why"]: "posted anyway"})
        token = resume_link(first)
        partial = PartialResponse.objects.get()
        assert partial.answers == {str(paged.q["why_question"].condition_question_id): 10}
        assert (partial.page, partial.status) == (1, "in_progress")
        assert Response.objects.count() == 0

        second_page = visitor.get(url(paged), {"resume": token}).content.decode()
        assert "다시 이용하시겠어요?" in second_page and "추천하시겠어요?" not in second_page
        # A promoter who will come again: the last page is optional but still asked.
        third = send_page(visitor, url(paged), {q["again"]: q["yes"]}, resume=token)
        assert resume_link(third) == token
        done = send_page(visitor, url(paged), {q["last"]: "좋아요"}, resume=token)
        assert done.status_code == 200 and "감사합니다!" in done.content.decode()
        response = Response.objects.get()
        assert (response.nps_score, response.language) == (10, "ko")
        positions = Answer.objects.filter(response=response).values_list("question__position", flat=True)
        assert sorted(positions) == [1, 3, 4]
        partial.refresh_from_db()
        assert (partial.status, partial.response, partial.answers) == ("completed", response, {})

    def test_the_follow_up_is_required_only_when_asked(self, visitor, paged):
        q = paged.q
        page = send_page(visitor, url(paged), {q["nps"]: "3"})
        assert page.status_code == 400 and "답변을 입력해 주세요." in page.content.decode()
        assert resume_link(send_page(visitor, url(paged), {q["nps"]: "3", q["why"]: "늦었어요"}))

    def test_an_end_rule_completes_the_survey_at_once(self, visitor, paged):
        q = paged.q
        token = resume_link(send_page(visitor, url(paged), {q["nps"]: "2", q["why"]: "늦었어요"}))
        done = send_page(visitor, url(paged), {q["again"]: q["no"]}, resume=token)
        assert done.status_code == 200
        response = Response.objects.get()
        assert response.nps_score == 2
        # The detractor's follow-up case opened exactly once, with the submission.
        assert FollowUpCase.objects.filter(response=response).count() == 1

    def test_a_double_post_of_a_page_keeps_one_partial_and_of_the_last_one_response(self, visitor, paged):
        q = paged.q
        form = open_form(visitor, url(paged))
        data = {**form, "page": "0", q["nps"]: "9"}
        token = resume_link(visitor.post(url(paged), data))
        assert resume_link(visitor.post(url(paged), data)) == token
        assert PartialResponse.objects.count() == 1
        second = open_form(visitor, url(paged), resume=token)
        last = {**second, "page": "1", "resume": token, q["again"]: q["no"]}
        assert visitor.post(url(paged), last).status_code == 200
        assert visitor.post(url(paged), last).status_code == 200  # the thank-you page again
        assert Response.objects.count() == 1


class TestResume:
    def test_by_the_token_in_the_link_from_another_browser(self, paged):
        q = paged.q
        phone = Client(enforce_csrf_checks=True)
        token = resume_link(send_page(phone, url(paged), {q["nps"]: "8"}))
        later = Client(enforce_csrf_checks=True)  # a new browser, no cookies: only the link
        html = later.get(url(paged), {"resume": token}).content.decode()
        assert "다시 이용하시겠어요?" in html and "2 / 3 페이지" in html
        send_page(later, url(paged), {q["again"]: q["no"]}, resume=token)
        assert Response.objects.get().nps_score == 8

    def test_an_unknown_or_expired_token_starts_again_and_says_so(self, visitor, paged):
        PartialResponseFactory(survey=paged, resume_token="old", status="expired")
        html = visitor.get(url(paged), {"resume": "old"}).content.decode()
        assert "만료" in html
        assert "추천하시겠어요?" in html

    def test_by_the_invitation(self, paged):
        q = paged.q
        invitation = SurveyInvitationFactory(distribution__survey=paged, customer__language="")
        address = f"/r/{invitation.token}/"
        phone = Client(enforce_csrf_checks=True)
        first = send_page(phone, address, {q["nps"]: "5", q["why"]: "느려요"})
        assert first.status_code == 302 and first["Location"].startswith(address)
        assert "resume=" not in first["Location"]
        assert PartialResponse.objects.get().invitation == invitation
        html = Client().get(address).content.decode()
        assert "다시 이용하시겠어요?" in html
        send_page(Client(), address, {q["again"]: q["no"]})
        response = Response.objects.get()
        assert (response.invitation, response.nps_score) == (invitation, 5)
        invitation.refresh_from_db()
        assert invitation.answered_at is not None


class TestScoresAndExpiry:
    def test_a_partial_response_is_not_a_response_until_complete(self, client, alice, visitor, paged):
        send_page(visitor, url(paged), {paged.q["nps"]: "0", paged.q["why"]: "bad"})
        results = selectors.survey_results(paged, selectors.survey_all_questions(paged),
                                           selectors.survey_responses(paged), start=None)
        assert results.summary.responses == 0
        client.force_login(alice)
        html = client.get(f"/w/{paged.workspace.slug}/surveys/{paged.pk}/responses/unfinished/").content.decode()
        assert "1 unfinished response" in html

    def test_the_expiry_job_clears_them_and_runs_twice_safely(self, paged):
        stale = PartialResponseFactory(survey=paged, answers={"1": 5}, expires_at=timezone.now() - timedelta(hours=1))
        fresh = PartialResponseFactory(survey=paged, answers={"1": 5})
        assert partials.partial_responses_expire() == 1
        assert partials.partial_responses_expire() == 0
        stale.refresh_from_db()
        fresh.refresh_from_db()
        assert (stale.status, stale.answers, fresh.status) == ("expired", {}, "in_progress")
        assert Response.objects.count() == 0

    def test_a_survey_that_counts_partials_records_them_once_on_expiry(self, paged):
        paged.count_partial_responses = True
        paged.save()
        nps = paged.questions.get(kind="nps")
        PartialResponseFactory(survey=paged, answers={str(nps.pk): 3}, language="en",
                               expires_at=timezone.now() - timedelta(hours=1))
        partials.partial_responses_expire()
        partials.partial_responses_expire()
        response = Response.objects.get()
        assert (response.nps_score, response.language) == (3, "en")
        assert PartialResponse.objects.get().response == response

    def test_the_periodic_task_is_scheduled(self, settings):
        tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert "apps.surveys.tasks.expire_partial_responses" in tasks


class TestLanguage:
    def test_the_link_wins(self, visitor, paged):
        page = visitor.get(url(paged), {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="ko")
        html = page.content.decode()
        assert page["Content-Language"] == "en" and '<html lang="en"' in html
        assert "Would you recommend us?" in html and "Your installation" in html
        assert "Not at all likely" in html

    def test_then_the_invited_customer(self, paged):
        invitation = SurveyInvitationFactory(distribution__survey=paged, customer__language="en")
        page = Client().get(f"/r/{invitation.token}/", HTTP_ACCEPT_LANGUAGE="ko")
        assert page["Content-Language"] == "en"

    def test_then_the_browser_then_the_survey(self, visitor, paged):
        assert visitor.get(url(paged), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")["Content-Language"] == "en"
        assert visitor.get(url(paged), HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "ko"

    def test_a_one_language_survey_ignores_all_that(self, visitor, paged):
        paged.bilingual = False
        paged.save()
        assert visitor.get(url(paged), {"lang": "en"})["Content-Language"] == "ko"

    def test_the_switch_keeps_the_resume_token_and_the_response_records_the_language(self, visitor, paged):
        q = paged.q
        token = resume_link(send_page(visitor, url(paged), {q["nps"]: "9"}, lang="en"))
        html = visitor.get(url(paged), {"resume": token, "lang": "en"}).content.decode()
        assert f"resume={token}&amp;lang=ko" in html and "Would you come again?" in html
        send_page(visitor, url(paged), {q["again"]: q["no"]}, resume=token, lang="en")
        assert Response.objects.get().language == "en"

    def test_results_merge_languages_and_filter_by_one(self, client, alice, paged):
        nps = paged.questions.get(kind="nps")
        for language, score in (("ko", 10), ("en", 0)):
            services.response_record(survey=paged, questions=[nps], answers={nps.pk: score},
                                     submission_key=f"k-{language}", language=language)
        client.force_login(alice)
        base = f"/w/{paged.workspace.slug}/surveys/{paged.pk}"
        assert client.get(f"{base}/results/").context["summary"].responses == 2
        assert client.get(f"{base}/results/", {"language": "en"}).context["summary"].responses == 1
        assert client.get(f"{base}/responses/", {"language": "ko"}).context["page"].paginator.count == 1


class TestCompleteness:
    def test_a_bilingual_survey_goes_live_only_with_every_text_in_both_languages(self, paged):
        paged.status = "draft"
        paged.save()
        with pytest.raises(Exception, match="question 4 in English"):
            question = paged.questions.get(position=4)
            question.translations = {}
            question.save()
            services.survey_set_status(survey=paged, status="live")
        question.translations = {"en": {"text": "Any last word?"}}
        question.save()
        choice = paged.questions.get(position=3).choices.first()
        choice.translations = {}
        choice.save()
        with pytest.raises(Exception, match="options of question 3"):
            services.survey_set_status(survey=paged, status="live")
        choice.translations = {"en": {"text": "Yes"}}
        choice.save()
        services.survey_set_status(survey=paged, status="live")
        assert paged.status == "live"

    def test_the_builder_lists_what_is_missing(self, client, alice, paged):
        Question.objects.filter(pk=paged.q["why_question"].pk).update(translations={})
        client.force_login(alice)
        html = client.get(f"/w/{paged.workspace.slug}/surveys/{paged.pk}/edit/").content.decode()
        assert "Still missing before it can go live" in html and "question 2 in English" in html


def test_query_counts_of_a_page_stay_flat(visitor, paged, django_assert_max_num_queries):
    q = paged.q
    token = resume_link(send_page(visitor, url(paged), {q["nps"]: "9"}))
    # Survey, questions, choices, the partial response.
    with django_assert_max_num_queries(4):
        assert visitor.get(url(paged), {"resume": token}).status_code == 200
    form = open_form(visitor, url(paged), resume=token)
    with django_assert_max_num_queries(5):
        # The same, and the partial's update.
        assert visitor.post(url(paged), {**form, "page": "1", "resume": token, q["again"]: q["yes"]}).status_code == 302


def test_invitation_language_needs_no_extra_query(paged, django_assert_max_num_queries):
    customer = CustomerFactory(workspace=paged.workspace, language="en")
    invitation = SurveyInvitationFactory(distribution__survey=paged, customer=customer)
    with django_assert_max_num_queries(6):
        assert Client().get(f"/r/{invitation.token}/").status_code == 200
    assert SurveyInvitation.objects.get().opened_at is not None


def test_a_response_recorded_on_expiry_is_marked_in_the_list(client, alice, paged, django_assert_max_num_queries):
    paged.count_partial_responses = True
    paged.save()
    nps = paged.questions.get(kind="nps")
    PartialResponseFactory(survey=paged, answers={str(nps.pk): 6}, expires_at=timezone.now() - timedelta(hours=1))
    partials.partial_responses_expire()
    services.response_record(survey=paged, questions=[nps], answers={nps.pk: 10}, submission_key="whole")
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        page = client.get(f"/w/{paged.workspace.slug}/surveys/{paged.pk}/responses/")
    assert page.content.decode().count("Recorded from unfinished answers when they expired") == 1


def test_the_builder_preview_shows_either_language(client, alice, paged):
    client.force_login(alice)
    english = client.get(f"/w/{paged.workspace.slug}/surveys/{paged.pk}/preview/", {"lang": "en"})
    assert english["Content-Language"] == "en" and "Would you recommend us?" in english.content.decode()
    korean = client.get(f"/w/{paged.workspace.slug}/surveys/{paged.pk}/preview/")
    assert "추천하시겠어요?" in korean.content.decode()

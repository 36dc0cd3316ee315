"""Quotas (a survey, or one cell of it, stops at N complete responses, also under concurrent
submissions), the drop-off funnel from SQL aggregates, and who may configure logic and quotas."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from apps.surveys import quotas, selectors, services
from apps.surveys.models import PartialResponse, Question, Quota, Response
from tests.factories import ResponseFactory, SurveyFactory

from .factories import PartialResponseFactory, QuestionFactory, QuotaFactory
from .helpers import open_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(workspace):
    survey = SurveyFactory(workspace=workspace, language="en", status="live", allowed_hidden_fields=["tier"])
    survey.nps = QuestionFactory(survey=survey, position=1, kind="nps", text="Recommend?")
    return survey


def submit(client, survey, score: int = 9, **query):
    form = open_form(client, f"/s/{survey.token}/", **query)
    return client.post(f"/s/{survey.token}/", {**form, f"q{survey.nps.pk}": str(score)})


class TestQuotas:
    def test_a_whole_survey_quota_stops_it_kindly(self, visitor, small):
        quotas.quota_create(survey=small, field="", value="", limit=1)
        assert submit(visitor, small).status_code == 200
        page = visitor.get(f"/s/{small.token}/")
        assert "We already have all the answers we need" in page.content.decode()
        assert Response.objects.count() == 1
        assert Quota.objects.get().completed == 1

    def test_a_full_quota_refuses_a_form_opened_before_it_filled(self, visitor, small):
        quotas.quota_create(survey=small, field="", value="", limit=1)
        form = open_form(visitor, f"/s/{small.token}/")
        assert submit(visitor, small).status_code == 200
        late = visitor.post(f"/s/{small.token}/", {**form, f"q{small.nps.pk}": "3"})
        assert "We already have all the answers we need" in late.content.decode()
        assert Response.objects.count() == 1

    def test_a_cell_quota_stops_only_its_cell(self, visitor, small):
        quotas.quota_create(survey=small, field="tier", value="gold", limit=1)
        assert submit(visitor, small, tier="gold").status_code == 200
        assert "all the answers we need" in visitor.get(f"/s/{small.token}/", {"tier": "gold"}).content.decode()
        assert submit(visitor, small, tier="silver").status_code == 200
        assert Response.objects.count() == 2

    def test_the_page_says_so_in_korean(self, visitor, small):
        small.language = "ko"
        small.save()
        quotas.quota_create(survey=small, field="", value="", limit=1)
        ResponseFactory(survey=small)
        quota = Quota.objects.get()
        quota.completed = 1
        quota.save()
        with translation.override("ko"):
            expected = translation.gettext("Thank you for stopping by")
        assert expected != "Thank you for stopping by"
        assert expected in visitor.get(f"/s/{small.token}/").content.decode()

    def test_a_new_quota_counts_the_responses_already_in_its_cell(self, small):
        ResponseFactory(survey=small, hidden_fields={"tier": "gold"})
        ResponseFactory(survey=small, hidden_fields={"tier": "silver"})
        assert quotas.quota_create(survey=small, field="tier", value="gold", limit=5).completed == 1
        assert quotas.quota_create(survey=small, field="", value="", limit=5).completed == 2
        small.refresh_from_db()
        assert small.has_quotas

    def test_a_survey_without_quotas_pays_no_query(self, small, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert quotas.full_quota(small, hidden_fields={}) is None

    def test_a_duplicate_cell_is_refused(self, small):
        quotas.quota_create(survey=small, field="tier", value="gold", limit=5)
        with pytest.raises(Exception, match="already has a quota"):
            quotas.quota_create(survey=small, field="tier", value="gold", limit=9)

    def test_a_refused_claim_leaves_nothing_saved(self, small):
        quotas.quota_create(survey=small, field="", value="", limit=1)
        services.response_record(survey=small, questions=[small.nps], answers={small.nps.pk: 9}, submission_key="a")
        with pytest.raises(quotas.QuotaFull):
            services.response_record(survey=small, questions=[small.nps], answers={small.nps.pk: 1},
                                     submission_key="b")
        assert Response.objects.count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_do_not_pass_the_quota(workspace):
    """Twelve threads, each on its own PostgreSQL connection, submit at once against a quota of five."""
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, position=1, kind="nps")
    quotas.quota_create(survey=survey, field="", value="", limit=5)
    survey.refresh_from_db()
    start, outcomes = threading.Barrier(12), []

    def one(n: int) -> None:
        try:
            start.wait()
            services.response_record(survey=survey, questions=[nps], answers={nps.pk: 9},
                                     submission_key=f"parallel-{n}")
            outcomes.append("saved")
        except quotas.QuotaFull:
            outcomes.append("full")
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=one, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full"] * 7 + ["saved"] * 5
    assert Response.objects.filter(survey=survey).count() == 5
    assert Quota.objects.get().completed == 5


class TestFunnel:
    def test_the_funnel_counts_who_reached_each_question(self, workspace):
        survey = SurveyFactory(workspace=workspace, status="live")
        first = QuestionFactory(survey=survey, position=1, kind="nps")
        second = QuestionFactory(survey=survey, position=2, kind="csat", page_break=True)
        third = QuestionFactory(survey=survey, position=3, kind="long_text", page_break=True)
        ResponseFactory.create_batch(3, survey=survey)  # completed: reached everything
        PartialResponseFactory(survey=survey, reached_position=first.position)
        PartialResponseFactory(survey=survey, reached_position=second.position)
        PartialResponseFactory(survey=survey, reached_position=second.position, status="expired")
        recorded = ResponseFactory(survey=survey)  # counted when it expired: still an unfinished start
        PartialResponseFactory(survey=survey, reached_position=third.position, status="expired", response=recorded)
        PartialResponseFactory(survey=survey, reached_position=third.position, status="completed",
                               response=ResponseFactory(survey=survey))

        funnel = selectors.survey_funnel(survey)
        # 4 completed responses (3 + the one completed from a partial) and 4 unfinished starts.
        assert (funnel.started, funnel.completed, funnel.in_progress, funnel.expired) == (8, 4, 2, 2)
        assert [row["reached"] for row in funnel.rows] == [8, 7, 5]
        assert funnel.completion_rate == 50

    def test_the_page_draws_it_with_bounded_queries(self, client, alice, workspace, django_assert_max_num_queries):
        survey = SurveyFactory(workspace=workspace, status="live")
        for position in range(1, 6):
            QuestionFactory(survey=survey, position=position, kind="rating")
        ResponseFactory.create_batch(4, survey=survey)
        PartialResponseFactory.create_batch(3, survey=survey, reached_position=2)
        client.force_login(alice)
        with django_assert_max_num_queries(10):
            page = client.get(f"/w/{workspace.slug}/surveys/{survey.pk}/drop-off/")
        html = page.content.decode()
        assert page.status_code == 200
        assert 'id="funnel-chart"' in html and "chart.umd.min.js" in html and "survey_dropoff.js" in html
        assert page.context["funnel"].completion_rate == pytest.approx(400 / 7)

    def test_an_empty_survey_has_an_empty_state(self, client, alice, small):
        client.force_login(alice)
        html = client.get(f"/w/{small.workspace.slug}/surveys/{small.pk}/drop-off/").content.decode()
        assert "Nobody has started this survey yet" in html

    def test_unfinished_responses_are_listed_apart(self, client, alice, small, django_assert_max_num_queries):
        PartialResponseFactory.create_batch(3, survey=small, reached_position=1)
        PartialResponseFactory(survey=small, status="completed")
        client.force_login(alice)
        with django_assert_max_num_queries(10):
            page = client.get(f"/w/{small.workspace.slug}/surveys/{small.pk}/responses/unfinished/")
        assert page.context["page"].paginator.count == 3
        assert "question 1" in page.content.decode()
        expired = client.get(f"/w/{small.workspace.slug}/surveys/{small.pk}/responses/unfinished/",
                             {"status": "expired"}, headers={"HX-Request": "true"})
        assert expired.context["page"].paginator.count == 0


class TestRoles:
    def quota_url(self, survey):
        return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/quotas/new/"

    def test_admins_configure_quotas(self, client, alice, small):
        client.force_login(alice)
        page = client.post(self.quota_url(small), {"field": "tier", "value": "gold", "limit": "50"},
                           headers={"HX-Request": "true"})
        assert page.status_code == 200 and "tier = gold" in page.content.decode()
        quota = Quota.objects.get()
        delete = client.post(f"/w/{small.workspace.slug}/surveys/{small.pk}/quotas/{quota.pk}/delete/")
        assert delete.status_code == 302 and not Quota.objects.exists()

    def test_a_bad_quota_is_explained(self, client, alice, small):
        client.force_login(alice)
        page = client.post(self.quota_url(small), {"field": "tier", "value": "", "limit": "50"})
        assert page.status_code == 400 and "Give the value" in page.content.decode()

    def test_analysts_and_viewers_cannot(self, client, bob, vera, small):
        quota = QuotaFactory(survey=small)
        for user in (bob, vera):
            client.force_login(user)
            assert client.post(self.quota_url(small), {"field": "", "value": "", "limit": "5"}).status_code == 403
            delete = f"/w/{small.workspace.slug}/surveys/{small.pk}/quotas/{quota.pk}/delete/"
            assert client.post(delete).status_code == 403
            assert client.post(f"/w/{small.workspace.slug}/surveys/{small.pk}/questions/new/", {
                "kind": "short_text", "text": "x", "show_when": "rule"}).status_code == 403
        assert Quota.objects.count() == 1

    def test_viewers_read_the_drop_off(self, client, vera, small):
        client.force_login(vera)
        assert client.get(f"/w/{small.workspace.slug}/surveys/{small.pk}/drop-off/").status_code == 200


class TestBuilderRules:
    def base(self, survey):
        return f"/w/{survey.workspace.slug}/surveys/{survey.pk}"

    def test_a_rule_on_an_earlier_choice_without_javascript(self, client, alice, small):
        store = services.question_add(survey=small, kind="single_choice", text="Which store?")
        first_option = store.choices.first()
        client.force_login(alice)
        page = client.post(f"{self.base(small)}/questions/new/", {
            "kind": "short_text", "text": "Which counter?", "show_when": "rule",
            "condition_question": str(store.pk), "condition_operator": "choice_is",
            "condition_choice": str(first_option.pk), "page_break": "on"})
        assert page.status_code == 302
        question = Question.objects.get(text="Which counter?")
        assert (question.condition_question, question.condition_choice, question.page_break) == (
            store, first_option, True)

    def test_a_rule_left_half_done_is_explained(self, client, alice, small):
        client.force_login(alice)
        page = client.post(f"{self.base(small)}/questions/new/", {
            "kind": "short_text", "text": "Which counter?", "show_when": "rule"})
        assert page.status_code == 400
        assert "Choose the earlier question this one depends on." in page.content.decode()

    def test_a_move_that_breaks_a_rule_is_refused_with_a_message(self, client, alice, small):
        follow_up = QuestionFactory(survey=small, position=2, kind="long_text", text="Why?",
                                    condition_question=small.nps, condition_operator="score_between",
                                    condition_min=0, condition_max=6)
        client.force_login(alice)
        page = client.post(f"{self.base(small)}/questions/{follow_up.pk}/move/", {"offset": "-1"},
                           headers={"HX-Request": "true"})
        assert "depends on an answer that would no longer come before it" in page.content.decode()
        follow_up.refresh_from_db()
        assert follow_up.position == 2

    def test_bilingual_texts_are_saved_from_the_builder(self, client, alice, small):
        small.bilingual = True
        small.save()
        client.force_login(alice)
        client.post(f"{self.base(small)}/edit/", {
            "title": "Recommend", "language": "en", "status": "draft", "bilingual": "on",
            "title_alt": "추천 조사", "intro": "", "thank_you_message": "", "allowed_hidden_fields": "tier",
            "partial_valid_days": "3"})
        small.refresh_from_db()
        assert (small.translations, small.partial_valid_days) == ({"ko": {"title": "추천 조사"}}, 3)
        client.post(f"{self.base(small)}/questions/{small.nps.pk}/", {
            "kind": "nps", "text": "Recommend?", "text_alt": "추천하시겠어요?", "show_when": "always",
            "required": "on"})
        small.nps.refresh_from_db()
        assert small.nps.translations == {"ko": {"text": "추천하시겠어요?"}}

    def test_the_main_language_of_a_bilingual_survey_stays(self, client, alice, small):
        small.bilingual = True
        small.save()
        client.force_login(alice)
        page = client.post(f"{self.base(small)}/edit/", {
            "title": "Recommend", "language": "ko", "status": "draft", "bilingual": "on",
            "intro": "", "thank_you_message": "", "allowed_hidden_fields": ""})
        assert page.status_code == 400 and "keeps its main language" in page.content.decode()
        small.refresh_from_db()
        assert small.language == "en"


def test_partial_responses_are_tenant_rows(small):
    partial = PartialResponseFactory(survey=small)
    assert PartialResponse.objects.for_workspace(small.workspace).get() == partial
    assert not PartialResponse.objects.for_workspace(SurveyFactory().workspace).exists()

"""services.response_record: one transaction writes everything a response needs to be safe."""

import pytest
from celery import Celery
from django.db import connection
from django.db.models import Count

from apps.surveys import selectors, services, tasks
from apps.surveys.models import Answer, Distribution, Response
from tests.factories import SurveyFactory

from .factories import ChoiceFactory, DistributionFactory, QuestionFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db


def record(survey, answers, **kwargs):
    kwargs.setdefault("submission_key", "key-1")
    return services.response_record(survey=survey, questions=selectors.survey_questions(survey), answers=answers,
                                    **kwargs)


def test_scores_come_from_the_first_question_of_each_kind(workspace):
    survey = SurveyFactory(workspace=workspace, status="live", language="ko")
    first_nps = QuestionFactory(survey=survey, position=1, kind="nps")
    second_nps = QuestionFactory(survey=survey, position=2, kind="nps")
    csat = QuestionFactory(survey=survey, position=3, kind="csat")
    ces = QuestionFactory(survey=survey, position=4, kind="ces")
    short = QuestionFactory(survey=survey, position=5, kind="short_text")
    first_long = QuestionFactory(survey=survey, position=6, kind="long_text")
    second_long = QuestionFactory(survey=survey, position=7, kind="long_text")
    response = record(survey, {first_nps.pk: 2, second_nps.pk: 10, csat.pk: 4, ces.pk: 7, short.pk: "short",
                               first_long.pk: "the comment", second_long.pk: "not the comment"})
    assert (response.nps_score, response.csat_score, response.ces_score) == (2, 4, 7)
    assert response.comment == "the comment"
    assert response.language == "ko"
    assert response.customer is None and response.invitation is None
    assert response.touchpoint is None and response.channel == ""
    assert Answer.objects.filter(response=response).count() == 7


def test_multiple_choice_answers_are_rows_countable_in_sql(workspace):
    survey = SurveyFactory(workspace=workspace, status="live")
    question = QuestionFactory(survey=survey, kind="multiple_choice")
    speed, price, _unpicked = (ChoiceFactory(question=question, text=text) for text in ("Speed", "Price", "Box"))
    record(survey, {question.pk: [speed, price]}, submission_key="a")
    record(survey, {question.pk: [speed]}, submission_key="b")
    counts = dict(Answer.objects.for_workspace(workspace).filter(question=question)
                  .values_list("choice__text").annotate(n=Count("pk")))
    assert counts == {"Speed": 2, "Price": 1}


def test_the_same_submission_key_returns_the_first_response(workspace):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, kind="nps")
    first = record(survey, {nps.pk: 9}, submission_key="same")
    second = record(survey, {nps.pk: 3}, submission_key="same")
    assert first.pk == second.pk
    assert Response.objects.get().nps_score == 9
    assert Answer.objects.count() == 1


def test_a_key_whose_response_was_deleted_does_not_block_the_post(workspace):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, kind="nps")
    record(survey, {nps.pk: 9}, submission_key="again").delete()
    again = record(survey, {nps.pk: 4}, submission_key="again")
    assert Response.objects.get() == again and again.nps_score == 4
    assert record(survey, {nps.pk: 1}, submission_key="again") == again


def test_submission_keys_are_unique_per_workspace_only(workspace):
    survey, elsewhere = SurveyFactory(workspace=workspace, status="live"), SurveyFactory(status="live")
    for each in (survey, elsewhere):
        record(each, {QuestionFactory(survey=each, kind="nps").pk: 9}, submission_key="shared")
    assert Response.objects.count() == 2


def test_follow_up_answers_not_asked_are_dropped(workspace):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, position=1, kind="nps")
    why = QuestionFactory(survey=survey, position=2, kind="long_text", condition_question=nps,
                          condition_operator="score_between", condition_min=0, condition_max=6)
    response = record(survey, {nps.pk: 10, why.pk: "posted anyway"})
    assert response.comment == ""
    assert not Answer.objects.filter(question=why).exists()


@pytest.fixture
def dead_broker(monkeypatch):
    # A real Celery app pointed at a closed loopback port: publishing fails the way it does when Redis is down.
    app = Celery("dead", broker="redis://127.0.0.1:1/0", set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "max_retries": 0}
    app.conf.task_publish_retry = False
    monkeypatch.setattr(tasks.recompute_distribution_counts, "_app", app)
    tasks.recompute_distribution_counts.bind(app)
    app.conf.task_always_eager = False
    yield
    from cxm.celery import app as real_app

    tasks.recompute_distribution_counts.bind(real_app)


@pytest.mark.django_db(transaction=True)
def test_the_response_is_saved_when_redis_is_down(workspace, dead_broker, caplog):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, kind="nps")
    invitation = SurveyInvitationFactory(distribution=DistributionFactory(survey=survey))
    response = record(survey, {nps.pk: 4}, invitation=invitation)
    assert Response.objects.filter(pk=response.pk, nps_score=4, customer=invitation.customer).exists()
    assert "broker unreachable" in caplog.text


def test_the_follow_up_job_recomputes_the_distribution_counts(workspace, django_capture_on_commit_callbacks):
    survey = SurveyFactory(workspace=workspace, status="live")
    nps = QuestionFactory(survey=survey, kind="nps")
    distribution = DistributionFactory(survey=survey)
    invitation = SurveyInvitationFactory(distribution=distribution)
    SurveyInvitationFactory(distribution=distribution)
    with django_capture_on_commit_callbacks(execute=True):
        record(survey, {nps.pk: 9}, invitation=invitation)
    distribution.refresh_from_db()
    assert (distribution.sent_count, distribution.answered_count, distribution.opened_count) == (2, 1, 1)
    assert distribution.response_rate == 50
    assert Distribution.objects.get().answered_count == 1


class Statements(list):
    WRITE = "WITH r0 AS (INSERT INTO"

    def __init__(self):
        super().__init__()
        self.writing = True

    def spy(self, execute, sql, params, many, context):
        if self.writing:
            self.append((connection.get_autocommit(), sql))
            self.writing = not sql.startswith(self.WRITE)
        return execute(sql, params, many, context)

    def restart(self):
        self.clear()
        self.writing = True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL (CI's second pass)")
class TestWrittenAlone:
    """On PostgreSQL the answer of a public link is written by its one statement with no transaction around it
    (services._written_alone): a repeat must still come back as the first response, with nothing left over."""

    @pytest.fixture
    def statements(self):
        """(autocommit, SQL) of the statements of the next submission, up to its write (the jobs run on commit
        after it, in tests eagerly and in transactions of their own)."""
        seen = Statements()
        with connection.execute_wrapper(seen.spy):
            yield seen

    @pytest.fixture
    def survey(self, workspace):
        survey = SurveyFactory(workspace=workspace, status="live")
        QuestionFactory(survey=survey, position=1, kind="nps")
        QuestionFactory(survey=survey, position=2, kind="long_text", required=False)
        return survey

    def answers(self, survey, score, comment="배송이 늦었어요"):
        nps, why = selectors.survey_questions(survey)
        return {nps.pk: score, why.pk: comment}

    def test_every_statement_of_a_detractors_answer_runs_in_autocommit(self, survey, statements):
        from apps.feedback.models import FeedbackItem, FollowUpCase

        questions, answers = selectors.survey_questions(survey), self.answers(survey, 2)
        statements.restart()
        response = services.response_record(survey=survey, questions=questions, answers=answers, submission_key="k")
        # The tag and alert rules, the case's assignee, and the write.
        assert [autocommit for autocommit, _sql in statements] == [True, True, True]
        assert statements[-1][1].startswith(Statements.WRITE)
        assert Answer.objects.filter(response=response).count() == 2
        assert FeedbackItem.objects.get().response_id == response.pk
        assert FollowUpCase.objects.get().response_id == response.pk

    def test_a_repeat_returns_the_first_response_and_leaves_nothing_behind(self, survey):
        from apps.feedback.models import FeedbackItem, FollowUpCase

        first = record(survey, self.answers(survey, 2), submission_key="twice")
        again = record(survey, self.answers(survey, 10, "다시"), submission_key="twice")
        assert again.pk == first.pk and again.nps_score == 2
        assert Response.objects.count() == 1 and Answer.objects.count() == 2
        assert FeedbackItem.objects.count() == 1 and FollowUpCase.objects.count() == 1

    def test_a_stale_key_is_taken_over(self, survey):
        record(survey, self.answers(survey, 9), submission_key="stale").delete()  # the key's row stays
        again = record(survey, self.answers(survey, 4), submission_key="stale")
        assert Response.objects.get() == again and again.nps_score == 4
        assert record(survey, self.answers(survey, 1), submission_key="stale") == again

    def test_two_posts_at_once_make_one_response(self, survey):
        import threading

        barrier, results, errors = threading.Barrier(2), [], []

        def post(score):
            try:
                barrier.wait()
                results.append(record(survey, self.answers(survey, score), submission_key="at-once").pk)
            except Exception as error:  # reported below: a thread's exception would be lost
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(score,)) for score in (3, 8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert len(set(results)) == 1 and Response.objects.get().pk == results[0]
        assert Answer.objects.count() == 2

    def test_a_workspace_with_webhooks_keeps_the_transaction(self, survey, statements):
        from tests.webhooks.factories import WebhookEndpointFactory

        WebhookEndpointFactory(workspace=survey.workspace, events=["response.completed"])
        survey.workspace.refresh_from_db()
        statements.restart()
        record(survey, self.answers(survey, 9))
        assert statements[-1][1].startswith(Statements.WRITE) and not statements[-1][0]

    def test_a_personal_link_keeps_the_transaction(self, survey, statements):
        invitation = SurveyInvitationFactory(distribution=DistributionFactory(survey=survey))
        statements.restart()
        record(survey, self.answers(survey, 9), invitation=invitation)
        assert statements[-1][1].startswith(Statements.WRITE) and not statements[-1][0]

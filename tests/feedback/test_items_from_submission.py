"""A submission writes its comment as feedback, in response_record's transaction."""

import pytest

from apps.feedback.models import FeedbackItem, FeedbackTag, FollowUpCase
from apps.surveys.models import Answer, Question
from tests.factories import CustomerFactory
from tests.surveys.factories import QuestionFactory, SurveyInvitationFactory

from .factories import TagRuleFactory

pytestmark = pytest.mark.django_db


def test_a_comment_becomes_a_feedback_item(workspace, survey, touchpoint, submit):
    response = submit(nps=3, comment="배송이 너무 늦었어요")
    item = FeedbackItem.objects.for_workspace(workspace).get()
    assert item.text == "배송이 너무 늦었어요"
    assert (item.response, item.survey, item.touchpoint) == (response, survey, touchpoint)
    assert item.answer == Answer.objects.get(response=response, question__kind=Question.Kind.LONG_TEXT)
    assert (item.score, item.score_group, item.source, item.language) == (3, "detractor", "survey", "ko")
    assert item.created_at == response.submitted_at


def test_every_long_text_answer_is_an_item_but_short_texts_are_not(workspace, survey, submit):
    second = QuestionFactory(survey=survey, position=4, kind=Question.Kind.LONG_TEXT, text="Anything else?",
                             required=False)
    response = submit(nps=10, comment="Fast delivery", answers={second.pk: "Friendly driver"})
    texts = set(FeedbackItem.objects.for_workspace(workspace).values_list("text", flat=True))
    assert texts == {"Fast delivery", "Friendly driver"}
    assert FeedbackItem.objects.filter(response=response).count() == 2


def test_a_response_without_a_comment_has_no_item(workspace, submit):
    submit(nps=9)
    assert not FeedbackItem.objects.exists()


def test_the_customer_of_a_personal_link_is_on_the_item(workspace, survey, submit):
    customer = CustomerFactory(workspace=workspace)
    invitation = SurveyInvitationFactory(distribution__survey=survey, customer=customer)
    submit(nps=8, comment="OK", invitation=invitation)
    assert FeedbackItem.objects.get().customer == customer


def test_the_same_submission_twice_makes_one_item(workspace, survey):
    from apps.surveys import selectors, services

    questions = selectors.survey_questions(survey)
    comment = next(q for q in questions if q.kind == Question.Kind.LONG_TEXT)
    for _ in range(2):
        services.response_record(survey=survey, questions=questions, answers={comment.pk: "Twice"},
                                 submission_key="same")
    assert FeedbackItem.objects.count() == 1


def test_tag_rules_tag_the_item_at_once(workspace, submit):
    rule = TagRuleFactory(tag__workspace=workspace, tag__name="배송", keywords="배송\ndelivery")
    TagRuleFactory(tag__workspace=workspace, tag__name="요금", keywords="요금")
    submit(nps=4, comment="배송이 늦었어요")
    assert list(FeedbackTag.objects.values_list("tag", "auto")) == [(rule.tag_id, True)]


def test_analysis_runs_after_commit(workspace, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(nps=2, comment="배송이 너무 늦어서 실망했어요")
    item = FeedbackItem.objects.get()
    assert item.sentiment_label == "negative"
    assert item.analysed_at is not None
    assert "배송" in item.themes.values_list("key", flat=True)


def test_nothing_is_left_when_the_submission_fails(workspace, survey, monkeypatch):
    """The item and the case live and die with the response: one transaction."""
    from apps.feedback import services as feedback_services
    from apps.surveys import selectors, services

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(feedback_services, "follow_up_case_open_for_response", explode)
    questions = selectors.survey_questions(survey)
    nps = next(q for q in questions if q.kind == Question.Kind.NPS)
    comment = next(q for q in questions if q.kind == Question.Kind.LONG_TEXT)
    with pytest.raises(RuntimeError):
        services.response_record(survey=survey, questions=questions, answers={nps.pk: 1, comment.pk: "bad"},
                                 submission_key="k")
    assert not FeedbackItem.objects.exists() and not FollowUpCase.objects.exists()


class TestKeptRules:
    """The text rules are read once a second per process (services.kept_text_rules, cxm/kept.py); a rule saved
    or deleted in this process applies to the next submission."""

    def test_a_second_submission_within_the_second_reads_no_rules(self, workspace, submit,
                                                                  django_assert_num_queries, settings):
        from apps.feedback import services as feedback_services

        settings.SURVEY_LINK_CACHE_SECONDS = 60
        TagRuleFactory(tag__workspace=workspace, keywords="배송")
        submit(nps=9, comment="배송 빨라요")
        with django_assert_num_queries(0):
            tag_rules, comment_rules = feedback_services._text_rules(workspace)
        assert [rule.keywords for rule in tag_rules] == ["배송"] and comment_rules == []

    def test_a_rule_changed_by_a_plain_update_shows_once_the_time_is_up(self, workspace, submit, settings):
        import time

        from apps.feedback.models import TagRule

        settings.SURVEY_LINK_CACHE_SECONDS = 0.2
        rule = TagRuleFactory(tag__workspace=workspace, keywords="배송")
        submit(nps=9, comment="요금이 비싸요")
        TagRule.objects.filter(pk=rule.pk).update(keywords="요금")  # no signal: as from another process
        submit(nps=9, comment="요금이 비싸요")
        assert not FeedbackTag.objects.exists()
        time.sleep(0.25)
        submit(nps=9, comment="요금이 비싸요")
        assert FeedbackTag.objects.get().tag_id == rule.tag_id

    def test_a_tag_rule_saved_here_applies_at_once(self, workspace, submit, settings):
        settings.SURVEY_LINK_CACHE_SECONDS = 60
        submit(nps=9, comment="배송 빨라요")
        rule = TagRuleFactory(tag__workspace=workspace, keywords="배송")
        submit(nps=9, comment="배송 빨라요")
        assert list(FeedbackTag.objects.values_list("tag", flat=True)) == [rule.tag_id]
        rule.delete()
        submit(nps=9, comment="배송 빨라요")
        assert FeedbackTag.objects.count() == 1

    def test_a_comment_alert_rule_saved_here_opens_the_next_case(self, workspace, submit, settings):
        from apps.feedback.models import AlertRule

        from .factories import AlertRuleFactory

        settings.SURVEY_LINK_CACHE_SECONDS = 60
        submit(nps=9, comment="환불해 주세요")
        rule = AlertRuleFactory(workspace=workspace, kind=AlertRule.Kind.COMMENT_KEYWORDS, keywords="환불")
        submit(nps=9, comment="환불해 주세요")
        assert FollowUpCase.objects.get().alert_rule == rule

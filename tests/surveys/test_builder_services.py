"""The builder's rules, in the services: positions, follow-ups, what an answered question may still
change, hide instead of delete, options, and duplicating a survey."""

import pytest
from django.core.exceptions import ValidationError

from apps.surveys import logic, services
from apps.surveys.models import Answer, Choice, Question, Survey
from tests.factories import ResponseFactory, SurveyFactory

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def answer(question: Question, **values) -> Answer:
    response = ResponseFactory(survey=question.survey)
    return Answer.objects.create(workspace=question.workspace, response=response, question=question, **values)


def fields(**overrides) -> dict:
    return {"kind": "short_text", "text": "Anything else?", "help_text": "", "required": False, **overrides}


def detractors(nps: Question) -> dict:
    return {"condition_question": nps, "condition_operator": "score_between", "condition_min": 0, "condition_max": 6}


def test_a_question_is_added_at_the_end(workspace):
    survey = SurveyFactory(workspace=workspace)
    QuestionFactory(survey=survey, position=7)
    question = services.question_add(survey=survey, **fields())
    assert question.position == 8
    assert question.workspace == workspace


def test_a_new_choice_question_gets_two_options_in_the_survey_language(workspace):
    survey = SurveyFactory(workspace=workspace, language="en")
    question = services.question_add(survey=survey, **fields(kind="single_choice", text="Pick one"))
    assert list(question.choices.values_list("text", flat=True)) == ["Option 1", "Option 2"]


def test_a_follow_up_needs_its_nps_question_in_the_survey(workspace):
    survey = SurveyFactory(workspace=workspace)
    elsewhere = QuestionFactory(kind="nps")
    with pytest.raises(ValidationError, match="earlier question of this survey"):
        services.question_add(survey=survey, **fields(**detractors(elsewhere)))
    nps = QuestionFactory(survey=survey, kind="nps")
    follow_up = services.question_add(survey=survey, **fields(**detractors(nps)))
    assert logic.is_shown(follow_up, {nps.pk: 3}) and not logic.is_shown(follow_up, {nps.pk: 9})


def test_the_nps_question_cannot_be_a_follow_up(workspace):
    survey = SurveyFactory(workspace=workspace)
    nps = QuestionFactory(survey=survey, kind="nps")
    with pytest.raises(ValidationError):
        services.question_add(survey=survey, **fields(kind="nps", **detractors(nps)))


class TestTypeChange:
    def test_an_unanswered_question_changes_type_and_options_follow(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="short_text")
        services.question_update(question=question, **fields(kind="multiple_choice", text="Which?"))
        assert question.choices.count() == 2
        services.question_update(question=question, **fields(kind="rating", text="Rate us"))
        question.refresh_from_db()
        assert question.kind == "rating"
        assert not Choice.objects.filter(question=question).exists()

    def test_an_answered_question_keeps_its_type(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="nps", text="Recommend?")
        answer(question, number=9)
        with pytest.raises(ValidationError, match="cannot change"):
            services.question_update(question=question, **fields(kind="csat", text="Recommend?"))
        question.refresh_from_db()
        assert question.kind == "nps"

    def test_an_answered_question_can_still_be_reworded(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="nps", text="Recommend?")
        answer(question, number=9)
        services.question_update(question=question, **fields(kind="nps", text="Would you recommend us?",
                                                              required=True))
        question.refresh_from_db()
        assert question.text == "Would you recommend us?"


class TestRemove:
    def test_an_unanswered_question_is_deleted_with_its_options(self, workspace):
        question = ChoiceFactory(question__survey=SurveyFactory(workspace=workspace)).question
        assert services.question_remove(question=question) == "deleted"
        assert not Question.objects.filter(pk=question.pk).exists()
        assert not Choice.objects.filter(question_id=question.pk).exists()

    def test_an_answered_question_is_hidden_and_its_answers_stay(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="nps")
        kept = answer(question, number=3)
        assert services.question_remove(question=question) == "hidden"
        question.refresh_from_db()
        assert question.is_hidden
        assert Answer.objects.get(pk=kept.pk).number == 3

    def test_a_hidden_question_comes_back_at_the_end(self, workspace):
        survey = SurveyFactory(workspace=workspace)
        question = QuestionFactory(survey=survey, position=1, is_hidden=True)
        QuestionFactory(survey=survey, position=2)
        services.question_restore(question=question)
        question.refresh_from_db()
        assert (question.is_hidden, question.position) == (False, 3)


def test_moving_swaps_with_the_visible_neighbour_and_renumbers(workspace):
    survey = SurveyFactory(workspace=workspace)
    first = QuestionFactory(survey=survey, position=5, text="first")
    hidden = QuestionFactory(survey=survey, position=5, text="hidden", is_hidden=True)
    second = QuestionFactory(survey=survey, position=9, text="second")
    services.question_move(question=second, offset=-1)
    order = list(Question.objects.filter(survey=survey).order_by("position").values_list("text", flat=True))
    assert order == ["second", "hidden", "first"]
    services.question_move(question=second, offset=-1)  # already first: nothing moves
    assert Question.objects.get(pk=second.pk).position == 1
    assert sorted(Question.objects.filter(survey=survey).values_list("position", flat=True)) == [1, 2, 3]
    assert hidden.pk and first.pk


class TestChoices:
    def test_add_rename_remove(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="single_choice")
        price = services.choice_add(question=question, text="Price")
        delivery = services.choice_add(question=question, text="Delivery")
        assert (price.position, delivery.position) == (1, 2)
        services.choice_update(choice=price, text="Price and fees")
        services.choice_remove(choice=delivery)
        assert list(question.choices.values_list("text", flat=True)) == ["Price and fees"]

    def test_a_chosen_option_cannot_be_removed_but_can_be_renamed(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="single_choice")
        chosen = services.choice_add(question=question, text="Delivery")
        services.choice_add(question=question, text="Price")
        answer(question, choice=chosen)
        with pytest.raises(ValidationError, match="cannot be removed"):
            services.choice_remove(choice=chosen)
        services.choice_update(choice=chosen, text="Delivery delay")
        assert Answer.objects.get(question=question).choice.text == "Delivery delay"

    def test_the_last_option_stays(self, workspace):
        only = ChoiceFactory(question__survey=SurveyFactory(workspace=workspace))
        with pytest.raises(ValidationError, match="at least one option"):
            services.choice_remove(choice=only)

    def test_only_choice_questions_have_options(self, workspace):
        question = QuestionFactory(survey=SurveyFactory(workspace=workspace), kind="nps")
        with pytest.raises(ValidationError):
            services.choice_add(question=question, text="x")


def test_duplicate_copies_questions_and_options_as_a_new_draft(workspace, alice):
    survey = services.survey_create(workspace=workspace, created_by=alice, title="Delivery", language="en",
                                    template=Survey.Template.NPS)
    survey.status, survey.response_cap, survey.allowed_hidden_fields = "live", 500, ["order"]
    survey.save()
    hidden = QuestionFactory(survey=survey, position=99, is_hidden=True)
    ResponseFactory(survey=survey)

    copy = services.survey_duplicate(survey=survey, created_by=alice)

    assert copy.pk != survey.pk and copy.token != survey.token
    assert (copy.status, copy.title, copy.response_cap, copy.allowed_hidden_fields) == (
        "draft", "Copy of Delivery", 500, ["order"])
    rule = ("kind", "text", "condition_question__kind", "condition_operator", "condition_min", "condition_max")
    original = list(survey.questions.filter(is_hidden=False).order_by("position").values_list(*rule))
    copied = list(copy.questions.order_by("position").values_list(*rule))
    assert copied == original
    assert ("single_choice", "What should we improve first?", "nps", "score_between", 0, 6) in copied
    # The copy's follow-up reads the copy's own NPS question.
    assert set(copy.questions.exclude(condition_question=None).values_list("condition_question__survey",
                                                                             flat=True)) == {copy.pk}
    assert hidden.text not in [text for _kind, text, *_ in copied]
    source_choices = list(Choice.objects.filter(question__survey=survey).order_by("position")
                          .values_list("text", flat=True))
    copy_choices = Choice.objects.filter(question__survey=copy)
    assert list(copy_choices.order_by("position").values_list("text", flat=True)) == source_choices
    assert set(copy_choices.values_list("workspace", flat=True)) == {workspace.pk}

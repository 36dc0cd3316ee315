"""Survey logic: display conditions, end rules and pages (logic.py), the rule checks when a question is
saved, moved or removed (services), and the builder showing rules in words, in both languages."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.surveys import logic, services
from apps.surveys.models import Answer, Question
from tests.factories import ResponseFactory, SurveyFactory

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db

SCORE = Question.Operator.SCORE_BETWEEN


@pytest.fixture
def logic_survey(workspace):
    """NPS; "why" for detractors; a store choice; "which Gangnam counter" only for Gangnam; "what else"
    for everyone but Gangnam; a yes/no that ends the survey on "no" (page 2); a last text (page 3)."""
    survey = SurveyFactory(workspace=workspace, language="en", status="live")
    nps = QuestionFactory(survey=survey, position=1, kind="nps", text="Recommend?")
    why = QuestionFactory(survey=survey, position=2, kind="long_text", text="Why?", required=False,
                          condition_question=nps, condition_operator=SCORE, condition_min=0, condition_max=6)
    store = QuestionFactory(survey=survey, position=3, kind="single_choice", text="Which store?")
    gangnam, _other = ChoiceFactory(question=store, text="Gangnam"), ChoiceFactory(question=store, text="Jamsil")
    counter = QuestionFactory(survey=survey, position=4, kind="short_text", text="Which counter?",
                              condition_question=store, condition_operator="choice_is", condition_choice=gangnam)
    other = QuestionFactory(survey=survey, position=5, kind="short_text", text="What else?", required=False,
                            condition_question=store, condition_operator="choice_is_not", condition_choice=gangnam)
    again = QuestionFactory(survey=survey, position=6, kind="single_choice", text="Come again?", page_break=True)
    yes, no = ChoiceFactory(question=again, text="Yes"), ChoiceFactory(question=again, text="No")
    again.end_operator, again.end_choice = "choice_is", no
    again.save()
    last = QuestionFactory(survey=survey, position=7, kind="long_text", text="Last words?", page_break=True,
                           required=False, condition_question=why, condition_operator="answered")
    survey.q = {"nps": nps, "why": why, "store": store, "counter": counter, "other": other, "again": again,
                "last": last, "gangnam": gangnam, "yes": yes, "no": no}
    return survey


def questions(survey):
    return list(survey.questions.order_by("position").prefetch_related("choices"))


def asked(survey, answers) -> list[str]:
    return [question.text for question in logic.visible_questions(questions(survey), answers)]


class TestConditions:
    def test_a_score_range(self, logic_survey):
        q = logic_survey.q
        assert "Why?" in asked(logic_survey, {q["nps"].pk: 6})
        assert "Why?" not in asked(logic_survey, {q["nps"].pk: 7})
        assert "Why?" not in asked(logic_survey, {})

    def test_choice_is_and_is_not(self, logic_survey):
        q = logic_survey.q
        gangnam = asked(logic_survey, {q["store"].pk: q["gangnam"].pk})
        assert "Which counter?" in gangnam and "What else?" not in gangnam
        jamsil = asked(logic_survey, {q["store"].pk: q["gangnam"].pk + 1})
        assert "Which counter?" not in jamsil and "What else?" in jamsil
        # "Is not" needs an answer: a skipped question says nothing.
        assert "What else?" not in asked(logic_survey, {})

    def test_several_choices_count_as_chosen(self):
        assert logic.matches("choice_is", None, None, 5, [3, 5])
        assert not logic.matches("choice_is_not", None, None, 5, [3, 5])

    def test_answered_and_a_chain_through_a_hidden_question(self, logic_survey):
        q = logic_survey.q
        assert "Last words?" in asked(logic_survey, {q["nps"].pk: 2, q["why"].pk: "slow"})
        # A promoter was not asked "why", so a posted "why" does not make "last words" appear.
        assert "Last words?" not in asked(logic_survey, {q["nps"].pk: 10, q["why"].pk: "posted anyway"})

    def test_an_end_rule_stops_the_survey(self, logic_survey):
        q = logic_survey.q
        answers = {q["nps"].pk: 2, q["why"].pk: "slow", q["again"].pk: q["no"].pk}
        assert asked(logic_survey, answers)[-1] == "Come again?"
        assert asked(logic_survey, {**answers, q["again"].pk: q["yes"].pk})[-1] == "Last words?"

    def test_kept_answers_drop_what_was_not_asked(self, logic_survey):
        q = logic_survey.q
        kept = logic.kept_answers(questions(logic_survey), {q["nps"].pk: 9, q["why"].pk: "x", q["store"].pk: 1})
        assert kept == {q["nps"].pk: 9, q["store"].pk: 1}


class TestPages:
    def test_page_breaks_split_the_survey(self, logic_survey):
        pages = logic.split_pages(questions(logic_survey))
        assert [[question.text for question in page] for page in pages] == [
            ["Recommend?", "Why?", "Which store?", "Which counter?", "What else?"], ["Come again?"], ["Last words?"]]

    def test_same_page_conditions_are_left_to_the_browser_and_earlier_ones_decided(self, logic_survey):
        q = logic_survey.q
        pages = logic.split_pages(questions(logic_survey))
        # On page 1 every question shows: the browser (or the server on sending) decides.
        assert len(logic.page_questions(pages, 0, {})) == 5
        assert logic.page_questions(pages, 2, {q["nps"].pk: 9, q["again"].pk: q["yes"].pk}) == []
        assert logic.next_page(pages, 0, {q["nps"].pk: 9}) == 1
        # A promoter who will come again has nothing on page 3: the survey is complete after page 2.
        assert logic.next_page(pages, 1, {q["nps"].pk: 9, q["again"].pk: q["yes"].pk}) is None
        assert logic.next_page(pages, 1, {q["nps"].pk: 1, q["why"].pk: "x", q["again"].pk: q["yes"].pk}) == 2
        # "No" ends it whatever follows.
        assert logic.next_page(pages, 1, {q["nps"].pk: 1, q["why"].pk: "x", q["again"].pk: q["no"].pk}) is None

    def test_rules_for_the_script_only_name_fields_of_the_same_page(self, logic_survey):
        q = logic_survey.q
        names = {q["nps"].pk: f"q{q['nps'].pk}", q["why"].pk: f"q{q['why'].pk}"}
        assert logic.question_rules(q["why"], names) == {
            "show": {"field": f"q{q['nps'].pk}", "op": "score_between", "min": 0, "max": 6}}
        assert logic.question_rules(q["last"], {q["last"].pk: "x"}) == {}
        assert logic.question_rules(q["again"], {q["again"].pk: "qa"}) == {
            "end": {"field": "qa", "op": "choice_is", "choice": str(q["no"].pk)}}


class TestRuleChecks:
    def fields(self, **rules):
        return {"kind": "short_text", "text": "New?", "help_text": "", "required": False, **rules}

    def test_a_condition_on_a_later_question_is_refused(self, logic_survey):
        q = logic_survey.q
        with pytest.raises(ValidationError, match="asked before it"):
            services.question_update(question=q["why"], **self.fields(
                kind="long_text", condition_question=q["again"], condition_operator="answered"))

    def test_a_question_cannot_depend_on_itself(self, logic_survey):
        q = logic_survey.q
        with pytest.raises(ValidationError, match="earlier question"):
            services.question_update(question=q["counter"], **self.fields(
                condition_question=q["counter"], condition_operator="answered"))

    @pytest.mark.parametrize(("rule", "message"), [
        ({"condition_operator": "choice_is"}, "needs a choice question"),
        ({"condition_operator": "score_between", "condition_min": 0, "condition_max": 11}, "from 0 to 10"),
        ({"condition_operator": "score_between", "condition_min": 5}, "lowest and the highest"),
    ])
    def test_an_operator_must_fit_the_question_it_reads(self, logic_survey, rule, message):
        with pytest.raises(ValidationError, match=message):
            services.question_add(survey=logic_survey, **self.fields(condition_question=logic_survey.q["nps"], **rule))

    def test_a_choice_must_belong_to_the_question_read(self, logic_survey):
        q = logic_survey.q
        with pytest.raises(ValidationError, match="options"):
            services.question_add(survey=logic_survey, **self.fields(
                condition_question=q["store"], condition_operator="choice_is", condition_choice=q["no"]))

    def test_a_valid_rule_and_an_end_rule_are_saved(self, logic_survey):
        q = logic_survey.q
        question = services.question_add(survey=logic_survey, **self.fields(
            kind="rating", condition_question=q["store"], condition_operator="choice_is",
            condition_choice=q["gangnam"], end_operator="score_between", end_min=1, end_max=2))
        question.refresh_from_db()
        assert (question.condition_choice, question.end_operator, question.end_min) == (
            q["gangnam"], "score_between", 1)

    def test_an_end_rule_must_fit_the_own_answers(self, logic_survey):
        with pytest.raises(ValidationError, match="needs a choice question"):
            services.question_add(survey=logic_survey, **self.fields(end_operator="choice_is"))

    def test_moving_a_follow_up_above_its_source_is_refused(self, logic_survey):
        q = logic_survey.q
        with pytest.raises(services.RuleBroken, match="Why"):
            services.question_move(question=q["why"], offset=-1)
        assert list(logic_survey.questions.order_by("position").values_list("text", flat=True))[:2] == [
            "Recommend?", "Why?"]
        services.question_move(question=q["other"], offset=-1)  # both still after "Which store?"
        assert logic_survey.questions.get(text="What else?").position == 4

    def test_removing_a_question_others_depend_on_is_refused(self, logic_survey):
        q = logic_survey.q
        with pytest.raises(services.RuleBroken, match="Which counter"):
            services.question_remove(question=q["store"])
        assert logic_survey.questions.filter(pk=q["store"].pk).exists()

    def test_an_option_a_rule_uses_cannot_be_removed(self, logic_survey):
        with pytest.raises(ValidationError, match="rule"):
            services.choice_remove(choice=logic_survey.q["gangnam"])

    def test_a_type_change_that_breaks_a_dependent_is_refused(self, logic_survey):
        q = logic_survey.q
        with pytest.raises(ValidationError, match="Which counter"):
            services.question_update(question=q["store"], **self.fields(kind="short_text", text="Which store?"))

    def test_the_type_of_an_answered_question_still_cannot_change(self, logic_survey):
        q = logic_survey.q
        Answer.objects.create(workspace=logic_survey.workspace, response=ResponseFactory(survey=logic_survey),
                              question=q["why"], text="x")
        with pytest.raises(ValidationError, match="type cannot change"):
            services.question_update(question=q["why"], **self.fields(kind="rating"))


class TestWords:
    @pytest.mark.parametrize(("language", "words"), [
        ("en", ["Shown when NPS is 0–6", "Shown when “Which store?” is “Gangnam”",
                "Shown when “Which store?” is not “Gangnam”", "Ends the survey when the answer is “No”",
                "Shown when “Why?” is answered"]),
        ("ko", ["NPS가 0–6일 때 표시", "“Which store?” 답이 “Gangnam”일 때 표시",
                "“Which store?” 답이 “Gangnam”이 아닐 때 표시", "답이 “No”이면 설문 종료",
                "“Why?”에 답했을 때 표시"]),
    ])
    def test_rules_in_words(self, logic_survey, language, words):
        q = logic_survey.q
        with translation.override(language):
            said = [logic.describe_condition(q["why"]), logic.describe_condition(q["counter"]),
                    logic.describe_condition(q["other"]), logic.describe_end_rule(q["again"]),
                    logic.describe_condition(q["last"])]
        assert said == words

    def test_the_builder_shows_them(self, client, alice, logic_survey):
        client.force_login(alice)
        html = client.get(f"/w/{logic_survey.workspace.slug}/surveys/{logic_survey.pk}/edit/").content.decode()
        assert "Shown when NPS is 0–6" in html
        assert "Ends the survey when the answer is “No”" in html
        assert "Page 2" in html and "Page 3" in html

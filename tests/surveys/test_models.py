import pytest
from django.core.exceptions import ValidationError

from apps.surveys import logic
from apps.surveys.models import Question, Survey


def test_questions_know_when_they_are_shown():
    follow_up = Question(kind="long_text", condition_question_id=1, condition_operator="score_between",
                         condition_min=0, condition_max=6)
    assert [logic.is_shown(follow_up, {} if score is None else {1: score})
            for score in (None, 0, 6, 7)] == [False, True, True, False]
    assert logic.is_shown(Question(kind="csat"), {})


@pytest.mark.parametrize(("fields", "valid"), [
    ([], True), (["channel", "order_id", "utm.source"], True), ("channel", False), ([1], False),
    (["has space"], False), (["x" * 41], False)])
def test_hidden_field_keys_are_checked(fields, valid):
    survey = Survey(allowed_hidden_fields=fields)
    if valid:
        survey.clean()
    else:
        with pytest.raises(ValidationError):
            survey.clean()


def test_follow_up_ranges_are_checked():
    nps = Question(pk=1, kind="nps", position=1)

    def follow_up(low, high):
        return Question(pk=2, kind="long_text", position=2, condition_question=nps,
                        condition_operator="score_between", condition_min=low, condition_max=high)

    with pytest.raises(ValidationError, match="must not be below"):
        logic.check_rules(follow_up(7, 3), [nps, follow_up(7, 3)])
    with pytest.raises(ValidationError, match="from 0 to 10"):
        logic.check_rules(follow_up(0, 11), [nps, follow_up(0, 11)])
    logic.check_rules(follow_up(0, 6), [nps, follow_up(0, 6)])

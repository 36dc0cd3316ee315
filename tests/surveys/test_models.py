import pytest
from django.core.exceptions import ValidationError

from apps.surveys.models import Question, Survey


def test_questions_know_when_they_are_shown():
    follow_up = Question(kind="long_text", show_if_nps_min=0, show_if_nps_max=6)
    assert [follow_up.is_shown_for(score) for score in (None, 0, 6, 7)] == [False, True, True, False]
    promoters_only = Question(kind="long_text", show_if_nps_min=9)
    assert promoters_only.follow_up_range == (9, 10)
    assert Question(kind="csat").is_shown_for(None)


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
    with pytest.raises(ValidationError):
        Question(kind="long_text", show_if_nps_min=7, show_if_nps_max=3).clean()
    with pytest.raises(ValidationError):
        Question(kind="nps", show_if_nps_max=6).clean()
    Question(kind="long_text", show_if_nps_min=0, show_if_nps_max=6).clean()

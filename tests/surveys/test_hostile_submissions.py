"""Property tests of the public survey page (/s/<token>/) against hostile and broken posts.

Hypothesis builds raw form bodies: for each question nothing, a valid value, or garbage (scores out of
range, floats, words, unknown choice ids, huge texts, control characters, NUL, lone surrogates, CP949
bytes, invalid UTF-8), keys repeated, unknown keys, and a form token that is valid, missing, forged,
tampered with or made for another link. Whatever comes, the page must answer 200 (thanked, saved) or
400 with a message in the survey's language; never a 500; the response saved before stays as it was;
and every response it does save holds only answers the survey allows.
"""

from urllib.parse import quote_from_bytes

import pytest
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.surveys.form_tokens import form_token_make
from apps.surveys.forms import LONG_TEXT_MAX, REQUIRED_MESSAGES
from apps.surveys.models import Answer, Question, Response, new_submission_key
from tests.factories import SurveyFactory

from .helpers import open_form, promoter_answers

pytestmark = pytest.mark.django_db

EXAMPLES = 120

# Texts a browser, a script or a broken phone keyboard may send.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp"]), max_size=20),
    st.builds(lambda size, char: char * size, st.integers(LONG_TEXT_MAX - 2, LONG_TEXT_MAX * 3),
              st.sampled_from(["a", "가", "\x00", "😀", "\u202e"])),
    st.sampled_from(["", " ", "\x00", "1\x00", "=1+1", "<script>alert(1)</script>", "NaN", "1e3", "-0", "٣",
                     "１０", "10.0", " 9 ", "0x0A", "null", "[]", "{}", "q", "9" * 5000]),
)
hostile_number = st.one_of(st.integers(-10**30, 10**30).map(str), st.floats(allow_nan=True).map(str),
                           st.integers(-3, 14).map(str))


def encoded(value: str, how: str) -> bytes:
    if how == "cp949":
        return value.encode("cp949", "replace")
    if how == "latin-1":
        return value.encode("latin-1", "replace")
    return value.encode("utf-8", "surrogatepass")  # lone surrogates become invalid UTF-8


@st.composite
def hostile_posts(draw, survey, questions, earlier_token: str) -> tuple[bytes, str]:
    """A raw application/x-www-form-urlencoded body, and what its form token is."""
    pairs: list[tuple[str, bytes]] = []
    for question in questions:
        name = f"q{question.pk}"
        if question.is_scale:
            low, high, *_labels = question.scale
            valid = st.integers(low, high).map(str)
        elif question.is_choice:
            ids = [choice.pk for choice in question.choices.all()]
            valid = st.sampled_from(ids).map(str)
        else:
            valid = st.text(max_size=30)
        garbage = st.one_of(hostile_number, hostile_text, st.integers(10**6, 10**7).map(str))
        values = draw(st.lists(st.one_of(valid, garbage), max_size=3), label=name)
        how = draw(st.sampled_from(["utf-8", "utf-8", "cp949", "latin-1"]))
        pairs += [(name, encoded(value, how)) for value in values]
    for key in draw(st.lists(st.text(max_size=12), max_size=3), label="unknown keys"):
        pairs.append((key, encoded(draw(hostile_text), "utf-8")))
    pairs += [("h_order", encoded(value, "utf-8")) for value in draw(st.lists(hostile_text, max_size=2))]
    kind = draw(st.sampled_from(["valid", "valid", "valid", "missing", "forged", "tampered", "foreign", "reused"]))
    token = {
        "valid": form_token_make(link_token=survey.token, submission_key=new_submission_key()),
        "missing": None,
        "forged": draw(hostile_text),
        "tampered": form_token_make(link_token=survey.token, submission_key="k")[:-2] + "xx",
        "foreign": form_token_make(link_token="another-link", submission_key=new_submission_key()),
        "reused": earlier_token,
    }[kind]
    if token is not None:
        pairs += [("form_token", token.encode("utf-8", "surrogatepass"))] * draw(st.integers(1, 2))
    draw(st.randoms()).shuffle(pairs)
    body = "&".join(f"{quote_from_bytes(key.encode('utf-8', 'surrogatepass'))}={quote_from_bytes(value)}"
                    for key, value in pairs)
    return body.encode("ascii"), kind


def messages_in(language: str) -> list[str]:
    """Every message the page may show for a refused answer or form, as the HTML writes it."""
    with translation.override(language):
        from django.core.validators import ProhibitNullCharactersValidator
        from django.utils.translation import gettext as _

        texts = [str(message) for message in REQUIRED_MESSAGES.values()] + [
            _("Please choose from the answers shown."),
            _("Please keep your answer under %(limit_value)d characters (it has %(show_value)d).").split("%")[0],
            str(ProhibitNullCharactersValidator.message),
            _("This form could not be sent"),
            _("This page was open for a long time. Please check your answers and send them again."),
            _("You have already answered"),
        ]
    return [escape(text) for text in texts if text]


def answers_of(response: Response) -> list[tuple]:
    return sorted(Answer.objects.filter(response=response).values_list("question_id", "number", "text", "choice_id"))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_any_post_is_saved_validly_or_refused_in_the_survey_language(visitor, survey, settings, language):
    settings.SURVEY_SUBMISSIONS_PER_MINUTE = 1_000_000
    survey.language = language
    survey.save(update_fields=["language"])
    url = f"/s/{survey.token}/"
    earlier_form = open_form(visitor, url)
    assert visitor.post(url, {**earlier_form, **promoter_answers(survey)}).status_code == 200
    earlier = Response.objects.get()
    earlier_answers = answers_of(earlier)
    questions = list(survey.questions.prefetch_related("choices").order_by("position"))
    expected, others = messages_in(language), messages_in("en" if language == "ko" else "ko")
    thanked = 0

    @given(post=hostile_posts(survey, questions, earlier_form["form_token"]))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def submit(post):
        nonlocal thanked
        body, token_kind = post
        page = visitor.post(url, body, content_type="application/x-www-form-urlencoded")
        html = page.content.decode()
        assert page.status_code in (200, 400), (page.status_code, body[:300])
        assert page["Content-Language"] == language
        if page.status_code == 200 and "survey-thanks" in html:
            assert token_kind in ("valid", "reused"), body[:300]
            thanked += token_kind == "valid"
        else:
            assert any(message in html for message in expected), (body[:300], html[:2000])
            assert not any(message in html for message in others if message not in expected)

    submit()
    earlier.refresh_from_db()
    assert answers_of(earlier) == earlier_answers
    # A repeated post of the earlier form is thanked but saves nothing more.
    assert Response.objects.count() == 1 + thanked
    for question_id, kind, number in Answer.objects.filter(number__isnull=False).values_list(
            "question_id", "question__kind", "number"):
        low, high, *_labels = Question.objects.get(pk=question_id).scale
        assert low <= number <= high, (kind, number)
    for choice_question, answer_question in Answer.objects.filter(choice__isnull=False).values_list(
            "choice__question_id", "question_id"):
        assert choice_question == answer_question
    texts = list(Answer.objects.values_list("text", flat=True)) + [
        str(value) for fields in Response.objects.values_list("hidden_fields", flat=True) for value in fields.values()]
    assert all("\x00" not in text and len(text) <= LONG_TEXT_MAX for text in texts)


def test_a_page_for_one_survey_never_saves_into_another(visitor, survey, workspace, settings):
    settings.SURVEY_SUBMISSIONS_PER_MINUTE = 1_000_000
    other = SurveyFactory(workspace=workspace, language="ko", status="live")
    form = open_form(visitor, f"/s/{other.token}/")
    page = visitor.post(f"/s/{survey.token}/", {**form, **promoter_answers(survey)})
    assert page.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_body_over_the_request_limit_is_refused_in_the_survey_language(visitor, survey, settings, language):
    survey.language = language
    survey.save(update_fields=["language"])
    form = open_form(visitor, f"/s/{survey.token}/")
    body = f"form_token={form['form_token']}&{'x' * 100}=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    page = visitor.post(f"/s/{survey.token}/", body.encode(), content_type="application/x-www-form-urlencoded")
    assert page.status_code in (400, 413)
    with translation.override(language):
        from django.utils.translation import gettext as _

        assert escape(_("This form could not be sent")) in page.content.decode()
    assert not Response.objects.exists()


def test_more_fields_than_django_reads_is_refused_in_the_survey_language(visitor, survey, settings):
    survey.language = "ko"
    survey.save(update_fields=["language"])
    form = open_form(visitor, f"/s/{survey.token}/")
    body = f"form_token={form['form_token']}&" + "&".join(f"k{n}=1" for n in range(
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    page = visitor.post(f"/s/{survey.token}/", body.encode(), content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert "응답을 제출하지 못했습니다" in page.content.decode()
    assert not Response.objects.exists()

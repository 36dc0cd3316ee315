import re

from apps.surveys.models import Question, Survey

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(h_[^"]+)" value="([^"]*)"')


def open_form(client, url: str, **query) -> dict:
    """GET the survey page and return the hidden inputs a browser would post back."""
    page = client.get(url, query)
    assert page.status_code == 200, page.content.decode()
    html = page.content.decode()
    return {"form_token": FORM_TOKEN.search(html).group(1), **dict(HIDDEN.findall(html))}


def field(survey: Survey, text: str) -> str:
    """The form field name of the survey's question with this text."""
    return f"q{Question.objects.get(survey=survey, text=text).pk}"


def choice_id(survey: Survey, question_text: str, choice_text: str) -> str:
    question = Question.objects.get(survey=survey, text=question_text)
    return str(question.choices.get(text=choice_text).pk)


def promoter_answers(survey: Survey) -> dict:
    """A complete, valid submission for the conftest survey, from a promoter."""
    return {field(survey, "How likely are you to recommend us?"): "10",
            field(survey, "How satisfied are you?"): "5"}

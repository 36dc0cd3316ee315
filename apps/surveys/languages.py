"""One survey, two languages. The survey's own language lives in the ordinary fields (title, text,
…); a bilingual survey keeps the other language in each object's `translations` JSON, e.g.
{"en": {"text": "How likely…"}}. Readers ask `text_in()`, which falls back to the survey's own
language when a text has no translation (the publish check makes sure a live one has them all)."""

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from apps.workspaces.models import Language

from .models import Question, Survey, SurveyInvitation

SURVEY_TEXTS = ("title", "intro", "thank_you_message")
QUESTION_TEXTS = ("text", "help_text")


def text_in(obj, field: str, language: str, survey_language: str) -> str:
    """The object's `field` in `language`, or in the survey's own language when it has no translation."""
    original = getattr(obj, field)
    if language == survey_language:
        return original
    return ((obj.translations or {}).get(language) or {}).get(field) or original


def survey_texts(survey: Survey, language: str) -> dict[str, str]:
    return {field: text_in(survey, field, language, survey.language) for field in SURVEY_TEXTS}


def translations_with(obj, language: str, **texts: str) -> dict:
    """A copy of `obj.translations` with the given texts in `language` (empty ones removed)."""
    translations = {key: dict(value) for key, value in (obj.translations or {}).items() if isinstance(value, dict)}
    entry = translations.setdefault(language, {})
    for field, text in texts.items():
        text = (text or "").strip()
        if text:
            entry[field] = text
        else:
            entry.pop(field, None)
    if not entry:
        translations.pop(language)
    return translations


def missing_translations(survey: Survey, questions: Sequence[Question]) -> list[str]:
    """What a bilingual survey still lacks in its other language, in words; empty when complete.
    `questions` are the visible questions with their choices prefetched."""
    other = survey.other_language
    language_name = Language(other).label
    missing = []

    def lacks(obj, field: str) -> bool:
        return bool(getattr(obj, field)) and not ((obj.translations or {}).get(other) or {}).get(field)

    for field, label in (("title", _("the title")), ("intro", _("the introduction")),
                         ("thank_you_message", _("the thank-you message"))):
        if lacks(survey, field):
            missing.append(_("%(what)s in %(language)s") % {"what": label, "language": language_name})
    for number, question in enumerate(questions, start=1):
        if lacks(question, "text"):
            missing.append(_("question %(number)d in %(language)s") % {"number": number, "language": language_name})
        if lacks(question, "help_text"):
            missing.append(_("the help text of question %(number)d in %(language)s")
                           % {"number": number, "language": language_name})
        if any(lacks(choice, "text") for choice in question.choices.all()):
            missing.append(_("the options of question %(number)d in %(language)s")
                           % {"number": number, "language": language_name})
    return missing


def page_language(request, survey: Survey, invitation: SurveyInvitation | None = None) -> str:
    """The language the survey page is shown in: the link's ?lang= (the language switch sets it), else
    the invitation's customer's language, else the browser's Accept-Language, else the survey's own.
    Only the survey's languages are ever chosen."""
    languages = survey.languages
    if len(languages) == 1:
        return languages[0]
    asked = request.POST.get("lang") or request.GET.get("lang")
    if asked in languages:
        return asked
    if invitation is not None and invitation.customer.language in languages:
        return invitation.customer.language
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        base = code.split("-")[0].lower()
        if base in languages:
            return base
    return survey.language

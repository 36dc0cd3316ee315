"""Responses with their answers, written directly (no service side effects), for result and export tests."""

from datetime import datetime

from django.utils import timezone

from apps.surveys.models import Answer, Choice, Question, Response, Survey


def respond(survey: Survey, answers: dict[Question, object], *, when: datetime | None = None, channel: str = "",
            language: str = "en", comment: str = "", customer=None, hidden_fields=None) -> Response:
    """One response: `answers` maps a question to a number, a text, a Choice or a list of Choices. The
    denormalised scores are filled from the first NPS, CSAT and CES answers, as response_record does."""
    def first(kind):
        return next((value for question, value in answers.items() if question.kind == kind), None)

    response = Response.objects.create(
        workspace=survey.workspace, survey=survey, touchpoint=survey.touchpoint, channel=channel,
        language=language, submitted_at=when or timezone.now(), nps_score=first("nps"), csat_score=first("csat"),
        ces_score=first("ces"), comment=comment, customer=customer, hidden_fields=hidden_fields or {})
    rows = []
    for question, value in answers.items():
        row = {"workspace": survey.workspace, "response": response, "question": question}
        values = value if isinstance(value, list) else [value]
        for each in values:
            if isinstance(each, Choice):
                rows.append(Answer(**row, choice=each))
            elif isinstance(each, int):
                rows.append(Answer(**row, number=each))
            else:
                rows.append(Answer(**row, text=each))
    Answer.objects.bulk_create(rows)
    return response

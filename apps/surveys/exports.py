"""Response exports (CSV and XLSX), streamed: memory stays flat whatever the number of responses.

Rows are read with QuerySet.iterator(chunk_size=EXPORT_CHUNK_SIZE) (a server-side cursor on PostgreSQL)
and the answers of each chunk come in one more query, so a 200,000-response export holds one chunk at a
time: about 100 queries, never 200,000 model instances.

Text cells are neutralised against formula injection by cxm.spreadsheets: an apostrophe in the CSV,
the quote-prefix style in the XLSX (whose texts are written with write_string(), never as formulas).
"""

import csv
import datetime
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import xlsxwriter
from django.utils.translation import gettext as _

from cxm.spreadsheets import XlsxTextWriter, neutralise_formula

from .models import Answer, Question, Survey
from .selectors import survey_all_questions, workspace_zone

EXPORT_CHUNK_SIZE = 2000
MULTIPLE_CHOICE_SEPARATOR = "; "
RESPONSE_FIELDS = ("pk", "submitted_at", "channel", "language", "touchpoint__name", "customer__external_id",
                   "nps_score", "csat_score", "ces_score", "comment", "hidden_fields")


@dataclass
class ExportColumns:
    questions: list[Question]
    hidden_fields: list[str]
    choice_texts: dict[int, str]

    @classmethod
    def for_survey(cls, survey: Survey) -> "ExportColumns":
        questions = survey_all_questions(survey)
        return cls(questions=questions, hidden_fields=list(survey.allowed_hidden_fields or []),
                   choice_texts={choice.pk: choice.text for question in questions
                                 for choice in question.choices.all()})

    def header(self) -> list[str]:
        fixed = [_("Response"), _("Submitted at"), _("Channel"), _("Language"), _("Touchpoint"), _("Customer"),
                 _("NPS answer"), _("NPS group"), _("CSAT answer"), _("CES answer"), _("Comment")]
        questions = [question.text + (" " + _("(hidden)") if question.is_hidden else "")
                     for question in self.questions]
        return fixed + questions + self.hidden_fields


def _nps_groups() -> dict[int | None, str]:
    """The NPS group label of each answer, translated once per export rather than once per row."""
    promoter, passive, detractor = _("Promoter"), _("Passive"), _("Detractor")
    return {None: "", **{score: promoter if score >= 9 else passive if score >= 7 else detractor
                         for score in range(11)}}


def _answer_cells(columns: ExportColumns, answers: list[tuple]) -> list:
    """One cell per question from a response's answer rows (question_id, number, text, choice_id)."""
    by_question: dict[int, list] = {}
    for question_id, number, text, choice_id in answers:
        if choice_id is not None:
            value = columns.choice_texts.get(choice_id, "")
        elif number is not None:
            value = number
        else:
            value = text
        by_question.setdefault(question_id, []).append(value)
    cells = []
    for question in columns.questions:
        values = by_question.get(question.pk)
        if not values:
            cells.append("")
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            cells.append(MULTIPLE_CHOICE_SEPARATOR.join(str(value) for value in values))
        else:
            cells.append(values[0])
    return cells


def export_rows(survey: Survey, responses, columns: ExportColumns,
                chunk_size: int | None = None) -> Iterator[list]:
    """The data rows (no header), oldest first: Python values (int, str, naive local datetime)."""
    chunk_size = chunk_size or EXPORT_CHUNK_SIZE
    zone = workspace_zone(survey.workspace)
    groups = _nps_groups()
    rows = responses.order_by("pk").values_list(*RESPONSE_FIELDS).iterator(chunk_size=chunk_size)
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from _batch_rows(survey, batch, columns, zone, groups)
            batch = []
    if batch:
        yield from _batch_rows(survey, batch, columns, zone, groups)


def _batch_rows(survey: Survey, batch: list[tuple], columns: ExportColumns, zone, groups) -> Iterator[list]:
    answers: dict[int, list[tuple]] = {}
    for response_id, *answer in (Answer.objects.for_workspace(survey.workspace_id)
                                 .filter(response_id__in=[row[0] for row in batch])
                                 .order_by("response_id", "pk")
                                 .values_list("response_id", "question_id", "number", "text", "choice_id")):
        answers.setdefault(response_id, []).append(answer)
    for (pk, submitted_at, channel, language, touchpoint, customer, nps_score, csat_score, ces_score, comment,
         hidden_fields) in batch:
        hidden_fields = hidden_fields or {}
        yield [pk, submitted_at.astimezone(zone).replace(tzinfo=None, microsecond=0), channel, language,
               touchpoint or "", customer or "", nps_score if nps_score is not None else "",
               groups.get(nps_score, ""), csat_score if csat_score is not None else "",
               ces_score if ces_score is not None else "", comment,
               *_answer_cells(columns, answers.get(pk, [])),
               *(str(hidden_fields.get(key, "")) for key in columns.hidden_fields)]


class _Line:
    """csv.writer writes into this and the stream takes the line back: one row in memory at a time."""

    def __init__(self):
        self.value = ""

    def write(self, value: str) -> None:
        self.value = value


def csv_cell(value) -> str | int:
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, so Excel opens Korean text correctly; CRLF line ends as RFC 4180 says."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([csv_cell(value) for value in header])
    yield "\ufeff".encode() + line.value.encode()
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        yield line.value.encode()


def write_xlsx(header: list[str], rows: Iterable[list]) -> str:
    """Write the workbook to a temporary file and return its path (the caller deletes it).

    constant_memory makes xlsxwriter flush each row to disk as soon as the next one starts, instead of
    keeping every cell of the sheet in memory until close(): memory stays flat at any size, at the price
    of writing rows strictly in order (which an export does anyway)."""
    handle, path = tempfile.mkstemp(prefix="cxm-export-", suffix=".xlsx")
    os.close(handle)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    try:
        sheet = workbook.add_worksheet(_("Responses")[:31])
        text = XlsxTextWriter(workbook)
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.freeze_panes(1, 0)
        sheet.set_column(1, 1, 19)
        for column, title in enumerate(header):
            text.write(sheet, 0, column, title, bold=True)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, datetime.datetime):
                    sheet.write_datetime(number, column, value, when)
                elif isinstance(value, int):
                    sheet.write_number(number, column, value)
                else:
                    text.write(sheet, number, column, str(value))
    finally:
        workbook.close()
    return path

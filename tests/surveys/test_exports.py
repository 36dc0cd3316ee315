"""CSV and XLSX exports of the (filtered) responses: content, one column per question, formula
neutralisation, chunked reading, roles and the audit entry."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.surveys import exports, selectors
from apps.surveys.models import Question
from apps.workspaces.models import AuditEntry
from cxm.spreadsheets import neutralise_formula
from tests.factories import CustomerFactory, SurveyFactory

from .answers import respond
from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(workspace):
    survey = SurveyFactory(workspace=workspace, title="Delivery", language="en", status="live",
                           allowed_hidden_fields=["order"])
    QuestionFactory(survey=survey, position=1, kind="nps", text="Recommend?")
    liked = QuestionFactory(survey=survey, position=2, kind="multiple_choice", text="What did you like?")
    ChoiceFactory(question=liked, position=1, text="Speed")
    ChoiceFactory(question=liked, position=2, text="Politeness")
    QuestionFactory(survey=survey, position=3, kind="long_text", text="Tell us more", required=False)
    QuestionFactory(survey=survey, position=4, kind="csat", text="=Satisfied?", is_hidden=True)
    return survey


def questions(survey):
    return [Question.objects.get(survey=survey, position=n) for n in (1, 2, 3, 4)]


def url(survey, kind):
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/export.{kind}"


def read_csv(page) -> list[list[str]]:
    body = b"".join(page.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def answered(survey):
    nps, liked, text, csat = questions(survey)
    speed, polite = liked.choices.order_by("position")
    customer = CustomerFactory(workspace=survey.workspace, external_id="HT000042")
    respond(survey, {nps: 10, liked: [speed, polite], text: "배송이 빨라요", csat: 5}, comment="배송이 빨라요",
            channel="web", language="ko", customer=customer, hidden_fields={"order": "A-1"},
            when=timezone.now() - timedelta(days=2))
    respond(survey, {nps: 2, text: '=HYPERLINK("http://evil.example","click")'},
            comment='=HYPERLINK("http://evil.example","click")', channel="store",
            when=timezone.now() - timedelta(days=1))
    return survey


def test_the_csv_has_one_column_per_question_and_korean_text(client, bob, answered):
    client.force_login(bob)
    page = client.get(url(answered, "csv"))
    assert page.status_code == 200
    assert page["Content-Type"] == "text/csv; charset=utf-8"
    assert page["Content-Disposition"].startswith('attachment; filename="survey-')
    header, first, second = read_csv(page)
    assert header[:11] == ["Response", "Submitted at", "Channel", "Language", "Touchpoint", "Customer", "NPS answer",
                           "NPS group", "CSAT answer", "CES answer", "Comment"]
    # Question texts are cells too: a hidden question is marked, and its text is neutralised like any other.
    assert header[11:] == ["Recommend?", "What did you like?", "Tell us more", "'=Satisfied? (hidden)", "order"]
    assert first[2:4] == ["web", "ko"]
    assert first[5:11] == ["HT000042", "10", "Promoter", "5", "", "배송이 빨라요"]
    assert first[11:] == ["10", "Speed; Politeness", "배송이 빨라요", "5", "A-1"]
    assert second[6:8] == ["2", "Detractor"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_neutralised(value):
    assert neutralise_formula(value) == "'" + value
    assert exports.csv_cell(value) == "'" + value


def test_harmless_cells_are_left_alone():
    assert neutralise_formula("배송 지연 =") == "배송 지연 ="
    assert exports.csv_cell(-1) == -1  # numbers are numbers, not text


def test_a_formula_comment_is_neutralised_in_the_csv(client, bob, answered):
    client.force_login(bob)
    rows = read_csv(client.get(url(answered, "csv")))
    assert rows[2][10] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert rows[2][13] == rows[2][10]


def test_the_export_follows_the_filters(client, bob, answered):
    client.force_login(bob)
    rows = read_csv(client.get(url(answered, "csv"), {"group": "detractor"}))
    assert len(rows) == 2 and rows[1][6] == "2"


def test_the_csv_reads_responses_in_chunks(client, bob, survey, monkeypatch):
    nps = questions(survey)[0]
    for score in range(10):
        respond(survey, {nps: score})
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 4)
    client.force_login(bob)
    with CaptureQueriesContext(connection) as context:
        rows = read_csv(client.get(url(survey, "csv")))
    assert [row[6] for row in rows[1:]] == [str(score) for score in range(10)]
    answer_queries = [query for query in context.captured_queries if 'FROM "surveys_answer"' in query["sql"]]
    # Ten responses in chunks of four: three reads of the answers, one per chunk, never one per response.
    assert len(answer_queries) == 3


def test_the_row_generator_holds_one_chunk(survey):
    nps = questions(survey)[0]
    for score in range(7):
        respond(survey, {nps: score})
    columns = exports.ExportColumns.for_survey(survey)
    rows = exports.export_rows(survey, selectors.survey_responses(survey, {"period": "all"}), columns, chunk_size=3)
    with CaptureQueriesContext(connection) as context:
        first = next(rows)
    assert first[6] == 0
    # Only the first chunk's answers were read so far.
    assert sum('FROM "surveys_answer"' in query["sql"] for query in context.captured_queries) == 1
    assert len(list(rows)) == 6


def test_the_xlsx_has_the_same_rows_and_no_formulas(client, bob, answered):
    client.force_login(bob)
    page = client.get(url(answered, "xlsx"))
    assert page.status_code == 200
    assert page["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(page.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][11:] == ("Recommend?", "What did you like?", "Tell us more", "=Satisfied? (hidden)", "order")
    assert rows[1][6] == 10 and rows[1][12] == "Speed; Politeness" and rows[1][13] == "배송이 빨라요"
    assert rows[1][1].year == timezone.now().year  # a real date cell
    formula_cell = sheet.cell(row=3, column=11)
    assert formula_cell.value == '=HYPERLINK("http://evil.example","click")'
    assert formula_cell.data_type == "s"  # text, never evaluated
    assert formula_cell.quotePrefix  # and kept text when someone edits it
    assert sheet.cell(row=1, column=15).data_type == "s"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_viewers_cannot_export_and_analysts_leave_an_audit_entry(client, vera, bob, answered, kind):
    client.force_login(vera)
    assert client.get(url(answered, kind)).status_code == 403
    assert not AuditEntry.objects.exists()
    client.force_login(bob)
    page = client.get(url(answered, kind), {"group": "promoter"})
    b"".join(page.streaming_content)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target) == (AuditEntry.Action.RESPONSES_EXPORTED, bob, "Delivery")
    assert entry.details == {"survey_id": answered.pk, "format": kind, "filters": {"group": "promoter"}}


def test_outsiders_get_404(client, charlie, survey):
    client.force_login(charlie)
    assert client.get(url(survey, "csv")).status_code == 404

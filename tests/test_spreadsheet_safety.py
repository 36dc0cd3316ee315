"""Every export is safe to open in a spreadsheet: no text cell starts like a formula (= + - @, or a tab or
carriage return) in a CSV, and in an XLSX such a cell is text with the quote prefix. The payloads go into
every text a customer or an integration can set: comments, text answers, hidden fields, external ids,
names, attributes, and the marketer's own question, choice and touchpoint names."""

import csv
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.customers import services as customer_services
from apps.surveys.models import Question
from cxm.spreadsheets import FORMULA_START, neutralise_formula
from tests.factories import CustomerFactory, CustomerImportFactory, SurveyFactory, TouchpointFactory
from tests.surveys.answers import respond
from tests.surveys.factories import ChoiceFactory, QuestionFactory

PAYLOADS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            '=HYPERLINK("http://evil.example","click")', "@IMPORTXML(A1)", "+82 10-1234-5678"]


@given(st.text())
@hypothesis_settings(max_examples=300, deadline=None)
def test_a_neutralised_cell_never_starts_like_a_formula_and_keeps_its_text(value):
    safe = neutralise_formula(value)
    assert not safe.startswith(FORMULA_START)
    assert safe in (value, "'" + value)
    assert (safe == value) == (not value.startswith(FORMULA_START))


def csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")) for cell in row]


def assert_csv_safe(body: bytes, payloads) -> None:
    cells = csv_cells(body)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]
    # The payloads are there, neutralised, not dropped.
    for payload in payloads:
        assert "'" + payload in cells, payload


def assert_xlsx_safe(content: bytes, payloads) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    found = set()
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            # XLSX escapes a carriage return as _x000D_; Excel reads it back as one, openpyxl does not.
            value = cell.value.replace("_x000D_", "\r") if isinstance(cell.value, str) else None
            if value and value.startswith(FORMULA_START):
                assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, value)
                found.add(value)
    assert set(payloads) <= found


@pytest.fixture
def hostile_survey(workspace):
    touchpoint = TouchpointFactory(stage__journey__workspace=workspace, name="=Store visit")
    survey = SurveyFactory(workspace=workspace, language="en", status="live", touchpoint=touchpoint,
                           allowed_hidden_fields=["order", "@channel"])
    nps = QuestionFactory(survey=survey, position=1, kind=Question.Kind.NPS, text="+Recommend?")
    several = QuestionFactory(survey=survey, position=2, kind=Question.Kind.MULTIPLE_CHOICE, text="-Liked")
    choice = ChoiceFactory(question=several, text="@Speed")
    text = QuestionFactory(survey=survey, position=3, kind=Question.Kind.LONG_TEXT, text="Tell us", required=False)
    for number, payload in enumerate(PAYLOADS):
        customer = CustomerFactory(workspace=workspace, external_id=f"{payload}#{number}")
        respond(survey, {nps: 3, several: [choice], text: payload}, comment=payload, customer=customer,
                hidden_fields={"order": payload})
    return survey


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "check"), [("csv", assert_csv_safe), ("xlsx", assert_xlsx_safe)])
def test_the_survey_responses_exports_are_safe(client, bob, hostile_survey, kind, check):
    client.force_login(bob)
    page = client.get(f"/w/{hostile_survey.workspace.slug}/surveys/{hostile_survey.pk}/export.{kind}")
    check(b"".join(page.streaming_content), [*PAYLOADS, "=Store visit", "+Recommend?", "-Liked", "@Speed", "@channel"])


@pytest.mark.django_db
def test_the_customer_export_is_safe(client, workspace, bob):
    for number, payload in enumerate(PAYLOADS):
        CustomerFactory(workspace=workspace, external_id=f"{payload}#{number}", name=payload, phone=payload[:40],
                        attributes={"segment": payload, payload: "x"})
    client.force_login(bob)
    page = client.get(f"/w/{workspace.slug}/customers/export/")
    assert_csv_safe(b"".join(page.streaming_content), PAYLOADS)


@pytest.mark.django_db
def test_the_import_error_rows_are_safe(client, workspace, bob):
    lines = "\n".join(f'{payload.replace(chr(13), "")},"{payload}",not-an-email' for payload in PAYLOADS
                      if "\r" not in payload)
    customer_import = CustomerImportFactory(workspace=workspace, content=("id,name,email\n" + lines).encode())
    customer_services.customer_import_run(import_id=customer_import.pk)
    client.force_login(bob)
    page = client.get(f"/w/{workspace.slug}/customers/imports/{customer_import.pk}/errors.csv")
    assert page.status_code == 200
    cells = csv_cells(page.content)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]
    assert "'=cmd|' /C calc'!A0" in cells

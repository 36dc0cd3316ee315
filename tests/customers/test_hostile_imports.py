"""Property tests of the two CSV importers (customers and feedback) against hostile and broken files.

Files are random bytes, text in the wrong or in mixed encodings, with or without a BOM, with control
characters, NUL, huge cells and ragged rows. Whatever comes, the import job ends DONE or FAILED with a
message code it has a translation for (never "unexpected", which is what an exception turns into), every
message reads in Korean and in English, the customers saved before are untouched unless a valid row
names them, and the valid rows of a file with bad ones are imported.
"""

import re

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.customers import csv_import
from apps.customers import services as customer_services
from apps.customers.models import Customer, CustomerImport
from apps.feedback import csv_feedback
from apps.feedback import services as feedback_services
from apps.feedback.models import FeedbackImport, FeedbackItem
from tests.factories import CustomerFactory, CustomerImportFactory
from tests.feedback.factories import FeedbackImportFactory

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[가-힣]")
HEADERS = ["external_id", "email", "name", "phone", "language", "consent", "tier", "고객번호", "이메일", "text",
           "내용", "source", "score", "date", "", " ", "x" * 120]

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "ko", "en", "예", "no", "9", "11", "-1", "2026-03-31", "2999-01-01", "bad@", "a@b.kr",
                     "=HYPERLINK(\"x\")", "\r", "\x00", "\x1b[31m", "\u202e", "😀", '"', '""', ",", ";", "\t"]),
    st.builds(lambda char, size: char * size, st.sampled_from(["a", "가"]), st.integers(100, 12_000)),
)


@st.composite
def csv_texts(draw) -> str:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 3), max_size=12))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(delimiter.join(cells) for cells in [header, *rows])


@st.composite
def csv_files(draw) -> bytes:
    """Bytes of a CSV-looking file in some encoding, or mixed encodings, or no encoding at all."""
    kind = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16", "mixed", "bytes", "spliced"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    text = draw(csv_texts())
    if kind == "mixed":
        first, _newline, rest = text.partition("\n")
        return (first + "\n").encode("utf-8") + "가나다,".encode() + rest.encode("cp949", "replace")
    if kind == "spliced":
        data = bytearray(text.encode("utf-8"))
        position = draw(st.integers(0, len(data)))
        return bytes(data[:position]) + draw(st.binary(min_size=1, max_size=8)) + bytes(data[position:])
    return text.encode(kind, "replace")


def _messages_read_in_both_languages(result) -> None:
    for language, script in (("ko", HANGUL), ("en", re.compile(r"[A-Za-z]"))):
        with translation.override(language):
            texts = [result.failure_message] if result.failure_message else []
            texts += [entry["reason"] for entry in result.error_messages()]
            for text in texts:
                assert text.strip() and script.search(text), (language, text)


hypothesis_bounds = hypothesis_settings(max_examples=100, deadline=None, database=None,
                                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_any_customer_file_ends_with_a_clear_result_and_keeps_the_customers_saved_before(workspace):
    kept = CustomerFactory(workspace=workspace, external_id="KEEP-1", email="keep@example.kr", name="김보존",
                           attributes={"tier": "gold"})
    before = Customer.objects.filter(pk=kept.pk).values().get()

    @given(content=csv_files())
    @hypothesis_bounds
    def run(content):
        customer_import = CustomerImportFactory(workspace=workspace, content=content)
        result = customer_services.customer_import_run(import_id=customer_import.pk)
        assert result.status in (CustomerImport.Status.DONE, CustomerImport.Status.FAILED)
        if result.status == CustomerImport.Status.FAILED:
            assert result.failure_code in csv_import.FAILURES and result.failure_code != "unexpected", result.failure
        assert result.processed_rows <= result.total_rows
        _messages_read_in_both_languages(result)
        assert Customer.objects.filter(pk=kept.pk).values().get() == before

    run()


def test_any_feedback_file_ends_with_a_clear_result_and_keeps_the_feedback_saved_before(workspace):
    earlier = feedback_services.feedback_import_run(feedback_import_id=FeedbackImportFactory(
        workspace=workspace, content="내용\n배송이 빨라요\n".encode()).pk)
    assert earlier.created_count == 1
    earlier_items = list(FeedbackItem.objects.values_list("pk", "text"))

    @given(content=csv_files())
    @hypothesis_bounds
    def run(content):
        feedback_import = FeedbackImportFactory(workspace=workspace, content=content)
        result = feedback_services.feedback_import_run(feedback_import_id=feedback_import.pk)
        assert result.status in (FeedbackImport.Status.DONE, FeedbackImport.Status.FAILED)
        if result.status == FeedbackImport.Status.FAILED:
            assert result.failure_code in csv_feedback.FAILURES and result.failure_code != "unexpected"
        _messages_read_in_both_languages(result)
        assert list(FeedbackItem.objects.filter(feedback_import=earlier).values_list("pk", "text")) == earlier_items

    run()


# A junk cell that keeps the line a line: no quote (which could swallow the lines after it), no newline,
# and no NUL (which refuses the whole file as not text).
junk = st.one_of(cell, st.text(max_size=20)).map(lambda text: re.sub(r'["\r\n\x00]', "", text))


def test_the_valid_rows_of_a_file_with_bad_ones_are_imported(workspace):
    @given(valid=st.lists(st.tuples(st.from_regex(r"[A-Z]{2}[0-9]{1,5}", fullmatch=True), st.text(
               alphabet="가나다라마바사 abc", max_size=10)), min_size=1, max_size=8, unique_by=lambda row: row[0]),
           bad=st.lists(st.lists(junk, min_size=1, max_size=9), max_size=8), data=st.data())
    @hypothesis_settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    def run(valid, bad, data):
        _import_valid_and_bad(workspace, valid, bad, data)

    run()


def _import_valid_and_bad(workspace, valid, bad, data) -> None:
    good_lines = [f"ok-{external_id},{external_id.lower()}@example.kr,{name},예" for external_id, name in valid]
    # A bad row: an e-mail that is not one, then whatever junk, often more values than columns.
    bad_lines = [",".join([f"bad-{number}", "not an e-mail", *cells]) for number, cells in enumerate(bad)]
    lines = data.draw(st.permutations(good_lines + bad_lines))
    content = ("external_id,email,name,consent\n" + "\n".join(lines)).encode(
        data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949"])), "replace")
    result = customer_services.customer_import_run(
        import_id=CustomerImportFactory(workspace=workspace, content=content).pk)
    assert result.status == CustomerImport.Status.DONE, result.failure
    assert result.error_count == len(bad_lines)
    for external_id, name in valid:
        customer = Customer.objects.for_workspace(workspace).get(external_id=f"ok-{external_id}")
        assert (customer.name, customer.consent) == (name.strip(), True)
    assert not Customer.objects.for_workspace(workspace).filter(external_id__startswith="bad-").exists()
    Customer.objects.for_workspace(workspace).delete()


@pytest.mark.parametrize(("content", "code", "line"), [
    (b"external_id\nA1\n\xff\xff\n", "bad_encoding", None),
    ("external_id,name\nA1,김민지\n".encode() + "A2,이준호\n".encode("cp949"), "mixed_encoding", 3),
    ("\ufeffexternal_id\nA1\n".encode() + "A2,이준호\n".encode("cp949"), "mixed_encoding", 3),
    (b"external_id,name\nA1,Kim\nA2,\x00Lee\n", "not_text", 3),
    ("external_id,name\nA1,Kim\nA2,\x00Lee\n".encode("utf-16"), "not_text", 3),  # NUL read by the UTF-16 BOM
    (b"external_id\n" + b"A" * (csv_import.MAX_FIELD_CHARS + 10) + b"\n", "field_too_large", 2),
    (b"external_id," + b"," * 300 + b"\nA1\n", "too_many_columns", None),
])
def test_a_file_level_problem_is_named_with_its_line(import_csv, workspace, content, code, line):
    kept = CustomerFactory(workspace=workspace, external_id="KEEP-1")
    result = import_csv(content)
    assert (result.status, result.failure_code) == (CustomerImport.Status.FAILED, code)
    if line is not None:
        assert result.failure_params["line"] == line
        with translation.override("ko"):
            assert str(line) in result.failure_message and HANGUL.search(result.failure_message)
    assert Customer.objects.for_workspace(workspace).get() == kept

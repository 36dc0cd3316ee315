"""The import job (services.customer_import_run) on files of every kind: encodings, headers, bad rows,
upserts, limits. Views are tested in test_import_pages.py."""

import pytest

from apps.customers import csv_import, services
from apps.customers.models import Customer, CustomerImport
from apps.workspaces.models import AuditEntry
from tests.factories import CustomerFactory, CustomerImportFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

KOREAN_FILE = ("고객번호,이름,이메일,휴대폰,언어,수신동의,등급,지역\n"
               "K001,김민지,minji@example.kr,010-1234-5678,한국어,예,gold,서울\n"
               "K002,이준호,junho@example.kr,,ko,아니오,silver,부산\n")


def reasons(customer_import: CustomerImport) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for entry in customer_import.error_messages():
        found.setdefault(entry["line"], []).append(entry["reason"])
    return found


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                     ("cp949", "cp949")])
def test_each_encoding_imports_korean_names(import_csv, workspace, encoding, expected):
    customer_import = import_csv(KOREAN_FILE, encoding=encoding)
    assert customer_import.status == CustomerImport.Status.DONE
    assert customer_import.encoding == expected
    assert customer_import.created_count == 2
    minji = Customer.objects.for_workspace(workspace).get(external_id="K001")
    assert minji.name == "김민지"
    assert minji.attributes == {"tier": "gold", "region": "서울"}


def test_korean_headers_fill_every_field(import_csv, workspace):
    import_csv(KOREAN_FILE, encoding="cp949")
    minji = Customer.objects.for_workspace(workspace).get(external_id="K001")
    assert (minji.email, minji.phone, minji.language, minji.consent) == (
        "minji@example.kr", "010-1234-5678", "ko", True)
    junho = Customer.objects.for_workspace(workspace).get(external_id="K002")
    assert (junho.consent, junho.phone) == (False, "")


def test_english_header_aliases_and_extra_columns_become_attributes(import_csv, workspace):
    import_csv("Customer ID,E-mail,Phone Number,Full Name,Lang,Opt-in,Segment,Plan\n"
               "A1,a1@example.com,010,Ann,en,Y,family,5G Premium\n")
    customer = Customer.objects.for_workspace(workspace).get()
    assert (customer.external_id, customer.email, customer.name, customer.language, customer.consent) == (
        "A1", "a1@example.com", "Ann", "en", True)
    assert customer.attributes == {"segment": "family", "plan": "5G Premium"}


@pytest.mark.parametrize("value,consent", [("yes", True), ("TRUE", True), ("1", True), ("Y", True), ("동의", True),
                                           ("예", True), ("no", False), ("false", False), ("0", False),
                                           ("N", False), ("미동의", False), ("아니오", False), ("", False)])
def test_consent_values(import_csv, workspace, value, consent):
    import_csv(f"id,consent\nC1,{value}\n")
    assert Customer.objects.for_workspace(workspace).get().consent is consent


BAD_ROWS = (
    "external_id,email,name,consent,language\n"       # line 1
    "C1,c1@example.com,Good,yes,ko\n"                 # 2
    ",,No key,yes,ko\n"                               # 3 missing id
    "C3,not-an-email,Bad mail,yes,ko\n"               # 4 bad e-mail
    "C1,other@example.com,Dup id,yes,ko\n"            # 5 duplicate id
    ",c1@example.com,Dup mail,yes,ko\n"               # 6 e-mail already on line 2
    "C6,c6@example.com,Bad consent,maybe,ko\n"        # 7 bad consent
    "C7,c7@example.com,Bad language,yes,fr\n"         # 8 bad language
    f"C8,c8@example.com,{'x' * 161},yes,ko\n"         # 9 name too long
    "C9,c9@example.com,Too many,yes,ko,extra\n"       # 10 more values than columns
    "\n"                                              # 11 blank, skipped
    '"C10","c10@example.com","Multi\nline",yes,ko\n'  # 12-13 one record over two lines
    ",new@Example.com,New by mail,yes,en\n"           # 14 new customer known by e-mail
    ",NEW@example.com,Dup new mail,yes,en\n"          # 15 duplicate e-mail, other case
)


def test_each_bad_row_is_reported_with_its_line_and_reason_and_good_rows_are_saved(import_csv, workspace):
    customer_import = import_csv(BAD_ROWS)
    assert customer_import.status == CustomerImport.Status.DONE
    found = reasons(customer_import)
    assert list(found) == [3, 4, 5, 6, 7, 8, 9, 10, 15]  # in file order, duplicates included
    assert "No external id and no e-mail address" in found[3][0]
    assert found[4] == ["“not-an-email” is not a valid e-mail address."]
    assert found[5] == ["External id “C1” already appears on line 2."]
    assert found[6] == ["E-mail address “c1@example.com” already appears on line 2."]
    assert "Consent “maybe” is not understood" in found[7][0]
    assert "Language “fr” is not supported" in found[8][0]
    assert found[9] == ["“name” is longer than 160 characters."]
    assert found[10] == ["This line has 6 values, but the header names only 5 columns."]
    assert found[15] == ["E-mail address “NEW@example.com” already appears on line 14."]
    assert customer_import.error_count == 9
    assert customer_import.created_count == 3
    assert customer_import.total_rows == customer_import.processed_rows == 12
    saved = set(Customer.objects.for_workspace(workspace).values_list("external_id", flat=True))
    assert saved == {"C1", "C10", "new@example.com"}
    assert Customer.objects.get(external_id="C10").name == "Multi\nline"


def test_a_row_can_have_several_reasons(import_csv):
    customer_import = import_csv("id,email,consent\nC1,bad,maybe\n")
    assert len(reasons(customer_import)[2]) == 2
    assert customer_import.error_count == 1


def test_upsert_by_external_id_updates_only_the_columns_in_the_file(import_csv, workspace):
    customer = CustomerFactory(workspace=workspace, external_id="C1", name="Old", phone="010-0000-0000",
                               attributes={"tier": "silver", "region": "서울"})
    customer_import = import_csv("external_id,name,tier\nC1,New,gold\nC2,Other,bronze\n")
    assert (customer_import.created_count, customer_import.updated_count) == (1, 1)
    customer.refresh_from_db()
    assert customer.name == "New"
    assert customer.phone == "010-0000-0000"  # no phone column: left alone
    assert customer.attributes == {"tier": "gold", "region": "서울"}  # merged, not replaced


def test_rows_without_external_id_match_by_email_ignoring_case(import_csv, workspace):
    customer = CustomerFactory(workspace=workspace, external_id="CRM-1", email="Minji@Example.kr", name="Old")
    customer_import = import_csv("email,name\nminji@EXAMPLE.kr,김민지\nfresh@example.kr,New Person\n")
    assert (customer_import.created_count, customer_import.updated_count) == (1, 1)
    customer.refresh_from_db()
    assert customer.name == "김민지"
    new = Customer.objects.for_workspace(workspace).get(name="New Person")
    assert new.external_id == "fresh@example.kr"


def test_email_match_is_scoped_to_the_workspace(import_csv, workspace):
    CustomerFactory(workspace=WorkspaceFactory(), external_id="THEIRS", email="shared@example.com")
    import_csv("email,name\nshared@example.com,Mine\n")
    assert Customer.objects.for_workspace(workspace).get().external_id == "shared@example.com"


def test_a_row_by_email_that_names_a_customer_already_in_the_file_is_reported(import_csv, workspace):
    CustomerFactory(workspace=workspace, external_id="C1", email="c1@example.com")
    customer_import = import_csv("id,email,name\nC1,,First\n,c1@example.com,Second\n")
    assert reasons(customer_import)[3] == [
        "E-mail address “c1@example.com” belongs to customer “C1”, who already appears on line 2."]


def test_duplicates_are_found_across_batches(import_csv, workspace, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    customer_import = import_csv("id,email\nC1,a@example.com\nC2,b@example.com\nC3,c@example.com\n"
                                 ",A@example.com\nC1,\n")
    assert reasons(customer_import) == {
        5: ["E-mail address “A@example.com” already appears on line 2."],
        6: ["External id “C1” already appears on line 2."]}
    assert customer_import.created_count == 3


def test_running_the_job_again_converges_and_resets_counters(import_csv, workspace):
    customer_import = import_csv(BAD_ROWS)
    first = (customer_import.created_count, customer_import.error_count, list(customer_import.errors))
    again = services.customer_import_run(import_id=customer_import.pk)
    assert (again.created_count, again.updated_count) == (0, 3)
    assert (again.error_count, again.errors) == first[1:]
    assert Customer.objects.for_workspace(workspace).count() == 3


def test_processed_rows_move_after_every_batch(import_csv, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    seen = []
    original = services._update

    def spy(import_id, **fields):
        if "processed_rows" in fields:
            seen.append(fields["processed_rows"])
        original(import_id, **fields)

    monkeypatch.setattr(services, "_update", spy)
    import_csv("id\n" + "".join(f"C{n}\n" for n in range(5)))
    assert seen == [0, 2, 4, 5]


def test_the_job_writes_in_batches_not_row_by_row(import_csv, django_assert_max_num_queries, workspace):
    content = ("id,email,name\n" + "".join(f"C{n},c{n}@example.com,Name {n}\n" for n in range(300))
               + "".join(f",m{n}@example.com,Mail {n}\n" for n in range(300)))
    # SQLite splits a bulk INSERT at 999 parameters, so the customer rows take 600 / (999 // columns)
    # statements: 8 since Customer gained last_nps_score. Row by row would be 600.
    with django_assert_max_num_queries(21):
        customer_import = import_csv(content)
    assert customer_import.created_count == 600


def test_an_audit_entry_records_the_import(import_csv, workspace, alice):
    customer_import = import_csv(KOREAN_FILE, user=alice, file_name="고객.csv")
    entry = AuditEntry.objects.for_workspace(workspace).get(action=AuditEntry.Action.CUSTOMERS_IMPORTED)
    assert entry.actor == alice
    assert entry.target == "고객.csv"
    assert entry.details == {"import_id": customer_import.pk, "rows": 2, "created": 2, "updated": 0, "errors": 0}


def test_semicolon_files_are_read(import_csv, workspace):
    import_csv("id;name\nC1;Ann\n")
    assert Customer.objects.for_workspace(workspace).get().name == "Ann"


def test_header_only_file_is_done_with_nothing_to_do(import_csv):
    customer_import = import_csv("id,email\n")
    assert (customer_import.status, customer_import.total_rows) == (CustomerImport.Status.DONE, 0)


# Whole-file failures: a clear message, no exception -------------------------------------------

def failed(customer_import: CustomerImport) -> str:
    assert customer_import.status == CustomerImport.Status.FAILED
    assert customer_import.finished_at is not None
    return customer_import.failure_message


def test_a_file_without_an_id_or_email_column_names_the_expected_headers(import_csv):
    message = failed(import_csv("name,phone\nAnn,010\n"))
    assert "external_id" in message and "고객번호" in message and "email" in message


def test_too_many_columns_fails_with_a_message(import_csv):
    header = ",".join(["id"] + [f"col{n}" for n in range(csv_import.MAX_COLUMNS)])
    assert failed(import_csv(header + "\nC1\n")) == "The file has 201 columns; at most 200 are allowed."


def test_too_many_rows_fails_with_a_message(import_csv, monkeypatch, workspace):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    message = failed(import_csv("id\nC1\nC2\nC3\nC4\n"))
    assert "more than 3 rows" in message
    assert not Customer.objects.for_workspace(workspace).exists()


def test_a_runaway_field_fails_with_its_line(import_csv):
    message = failed(import_csv('id,name\nC1,Ann\nC2,"never closed\n' + "x" * (csv_import.MAX_FIELD_CHARS + 10)))
    assert message.startswith("Line 3 holds a value longer than")


def test_a_binary_file_fails_with_an_encoding_message(import_csv):
    assert "neither UTF-8 nor CP949" in failed(import_csv(b"id\n\xff\xfe\xfd\x80\x81"))


def test_two_columns_for_one_field_fail(import_csv):
    assert "“email” and “이메일”" in failed(import_csv("id,email,이메일\nC1,a@example.com,b@example.com\n"))


def test_an_empty_file_fails(import_csv):
    assert "The file is empty" in failed(import_csv(b""))


def test_an_unexpected_error_fails_the_import_without_raising(import_csv, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services._ImportWriter, "write", explode)
    assert "unexpected error" in failed(import_csv("id\nC1\n"))


def test_failure_messages_are_shown_in_the_readers_language(import_csv):
    from django.utils import translation

    customer_import = import_csv("name\nAnn\n")
    assert customer_import.failure_code == "no_key_column"
    assert customer_import.failure.startswith("No column holds")  # English, for operators
    with translation.override("ko"):
        assert customer_import.failure_message == csv_import.failure_message("no_key_column",
                                                                             customer_import.failure_params)


def test_the_task_takes_the_import_id(workspace):
    from apps.customers.tasks import import_customers

    customer_import = CustomerImportFactory(workspace=workspace, content=b"id,name\nC1,Ann\n")
    import_customers.delay(customer_import.pk)
    customer_import.refresh_from_db()
    assert customer_import.status == CustomerImport.Status.DONE
    assert Customer.objects.for_workspace(workspace).get().name == "Ann"

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from apps.customers.models import Customer, CustomerImport
from tests.factories import CustomerImportFactory

pytestmark = pytest.mark.django_db

KOREAN_CP949 = ("고객번호,이름,이메일,등급\n"
                "K001,김민지,minji@example.kr,gold\nK002,이준호,bad-mail,silver\n").encode("cp949")


def import_url(workspace):
    return f"/w/{workspace.slug}/customers/import/"


def status_url(customer_import, *parts):
    return (f"/w/{customer_import.workspace.slug}/customers/imports/{customer_import.pk}/"
            + "".join(parts))


def upload(client, workspace, content: bytes, name: str = "고객.csv"):
    return client.post(import_url(workspace), {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_upload_stores_the_file_enqueues_the_job_and_redirects_to_the_status_page(
        client, workspace, bob, django_capture_on_commit_callbacks):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(client, workspace, KOREAN_CP949)
    assert len(callbacks) == 1  # enqueued on commit, not before
    customer_import = CustomerImport.objects.for_workspace(workspace).get()
    assert response.status_code == 302
    assert response["Location"] == status_url(customer_import)
    assert (customer_import.file_name, customer_import.uploaded_by, bytes(customer_import.content)) == (
        "고객.csv", bob, KOREAN_CP949)
    assert customer_import.status == CustomerImport.Status.DONE  # Celery is eager in tests
    assert Customer.objects.for_workspace(workspace).get().name == "김민지"

    page = client.get(response["Location"])
    assertContains(page, "Import finished: 1 created, 0 updated.")
    assertContains(page, "“bad-mail” is not a valid e-mail address.")
    assertContains(page, "Read as cp949.")


def test_the_import_page_lists_recent_imports(client, workspace, bob, django_assert_max_num_queries):
    CustomerImportFactory.create_batch(3, workspace=workspace, file_name="crm-export.csv")
    CustomerImportFactory(file_name="someone-elses.csv")
    client.force_login(bob)
    with django_assert_max_num_queries(8):
        response = client.get(import_url(workspace))
    assertContains(response, "crm-export.csv", count=3)
    assertNotContains(response, "someone-elses.csv")
    assertContains(response, "고객번호")  # the accepted headers are explained


def test_an_oversized_upload_gets_a_message_not_an_error(client, workspace, bob, settings):
    settings.CSV_UPLOAD_MAX_BYTES = 1000
    client.force_login(bob)
    response = upload(client, workspace, b"id\n" + b"C1234567\n" * 200)
    assert response.status_code == 400
    assertContains(response, "The file is larger than 1000\xa0bytes", status_code=400)
    assert not CustomerImport.objects.exists()


def test_the_upload_handler_stops_reading_an_oversized_file():
    from django.core.files.uploadhandler import StopUpload

    from cxm.uploads import SizeLimitUploadHandler

    handler = SizeLimitUploadHandler(limit=10)
    handler.new_file("file", "a.csv", "text/csv", 100)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"678901", 5)
    assert handler.exceeded


@pytest.mark.parametrize("name,content", [("customers.xlsx", b"PK\x03\x04 a workbook"),
                                          ("customers.csv", b"PK\x03\x04 a workbook renamed"),
                                          ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")])
def test_non_csv_files_are_refused(client, workspace, bob, name, content):
    client.force_login(bob)
    response = upload(client, workspace, content, name=name)
    assert response.status_code == 400
    assert "CSV" in response.context["form"].errors["file"][0]
    assert not CustomerImport.objects.exists()


def test_a_file_without_an_id_column_ends_in_a_failed_import_with_a_message(
        client, workspace, bob, django_capture_on_commit_callbacks):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, workspace, "이름,전화번호\n김민지,010\n".encode())
    page = client.get(response["Location"])
    assertContains(page, "The import failed.")
    assertContains(page, "No column holds the external id or the e-mail address.")
    assertContains(page, "Try again")


def test_messages_follow_the_readers_language(client, workspace, bob, django_capture_on_commit_callbacks):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, workspace, b"name\nAnn\n")
    customer_import = CustomerImport.objects.get()
    from django.utils import translation

    with translation.override("ko"):
        expected = customer_import.failure_message
    page = client.get(response["Location"], headers={"Accept-Language": "ko"})
    assertContains(page, expected)


def test_progress_fragment_polls_while_running(client, workspace, vera):
    customer_import = CustomerImportFactory(workspace=workspace, status=CustomerImport.Status.RUNNING,
                                            total_rows=10_000, processed_rows=4_000)
    client.force_login(vera)
    response = client.get(status_url(customer_import), headers={"HX-Request": "true"})
    assertTemplateUsed(response, "customers/partials/import_progress.html")
    assert b"<html" not in response.content
    assertContains(response, 'hx-trigger="every 1s"')
    assertContains(response, 'aria-valuenow="40"')
    assertContains(response, "4,000 of 10,000 rows processed (40%)")
    assert "HX-Request" in response["Vary"]


def test_progress_fragment_stops_polling_when_done(client, workspace, vera):
    customer_import = CustomerImportFactory(workspace=workspace, status=CustomerImport.Status.DONE,
                                            total_rows=2, processed_rows=2, created_count=2)
    client.force_login(vera)
    response = client.get(status_url(customer_import), headers={"HX-Request": "true"})
    assertNotContains(response, "hx-trigger")
    assertNotContains(response, "hx-get")
    assertContains(response, "Import finished")


def test_the_full_status_page_polls_too_and_refreshes_without_javascript(client, workspace, vera):
    customer_import = CustomerImportFactory(workspace=workspace)
    client.force_login(vera)
    response = client.get(status_url(customer_import))
    assertContains(response, 'hx-trigger="every 1s"')
    assertContains(response, '<meta http-equiv="refresh" content="3">')
    assertContains(response, "Waiting for a worker")


def test_error_rows_download_with_line_numbers_and_reasons(client, workspace, bob, import_csv):
    customer_import = import_csv(b"id,email,name\nC1,ok@example.com,Ann\nC2,nope,=HYPERLINK()\n,,\xea\xb9\x80\n")
    client.force_login(bob)
    response = client.get(status_url(customer_import, "errors.csv"))
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["line", "error", "id", "email", "name"]
    assert rows[1] == ["3", "“nope” is not a valid e-mail address.", "C2", "nope", "'=HYPERLINK()"]
    assert rows[2][0] == "4"
    assert rows[2][4] == "김"


def test_retry_runs_the_import_again(client, workspace, bob, django_capture_on_commit_callbacks):
    customer_import = CustomerImportFactory(workspace=workspace, content=b"id\nC1\n",
                                            status=CustomerImport.Status.FAILED, failure_code="queue_unavailable")
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(customer_import, "retry/"))
    assert response.status_code == 302
    customer_import.refresh_from_db()
    assert customer_import.status == CustomerImport.Status.DONE
    assert customer_import.created_count == 1


def test_an_unreachable_queue_fails_the_import_with_a_message(client, workspace, bob, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from apps.customers import tasks

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_customers, "delay", refuse)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, workspace, b"id\nC1\n")
    assert response.status_code == 302
    assertContains(client.get(response["Location"]), "the job queue is unavailable")


@pytest.mark.parametrize("path", ["", "retry/", "errors.csv"])
def test_another_workspaces_import_is_not_found(client, workspace, bob, path):
    customer_import = CustomerImportFactory()
    client.force_login(bob)
    method = client.post if path == "retry/" else client.get
    assert method(status_url(customer_import, path).replace(customer_import.workspace.slug, workspace.slug)
                  ).status_code == 404


def test_viewer_may_not_import(client, workspace, vera):
    client.force_login(vera)
    assert client.get(import_url(workspace)).status_code == 403
    assert upload(client, workspace, b"id\nC1\n").status_code == 403
    customer_import = CustomerImportFactory(workspace=workspace)
    assert client.post(status_url(customer_import, "retry/")).status_code == 403
    assert client.get(status_url(customer_import, "errors.csv")).status_code == 403
    assert client.get(status_url(customer_import)).status_code == 200  # but may watch it
    assert not CustomerImport.objects.exclude(pk=customer_import.pk).exists()


def test_upload_checks_csrf(workspace, bob):
    from tests.client import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = upload(client, workspace, b"id\nC1\n")
    assert response.status_code == 403
    assert not CustomerImport.objects.exists()

"""A real Celery worker on Redis and PostgreSQL imports an uploaded file. Runs where REDIS_URL and a
PostgreSQL DATABASE_URL are set (CI's second pass); skipped elsewhere unless CXM_REQUIRE_SERVICES is set."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.customers.models import Customer, CustomerImport

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_upload_is_imported_by_a_real_worker(client, worker, workspace, bob):
    rows = "".join(f"K{n:04d},김민지{n},m{n}@example.kr,gold\n" for n in range(2500))
    content = ("고객번호,이름,이메일,등급\n" + rows + ",이름만,,gold\n").encode("cp949")
    client.force_login(bob)
    response = client.post(f"/w/{workspace.slug}/customers/import/",
                           {"file": SimpleUploadedFile("고객.csv", content, "text/csv")})
    assert response.status_code == 302
    customer_import = CustomerImport.objects.get()
    deadline = time.monotonic() + 60
    while not customer_import.is_finished:
        assert time.monotonic() < deadline, f"the worker did not finish the import: {customer_import.status}"
        time.sleep(0.2)
        customer_import.refresh_from_db()
    assert customer_import.status == CustomerImport.Status.DONE, customer_import.failure
    assert (customer_import.encoding, customer_import.created_count, customer_import.error_count) == ("cp949", 2500, 1)
    assert Customer.objects.for_workspace(workspace).get(external_id="K0007").name == "김민지7"
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"hx-trigger" not in fragment.content

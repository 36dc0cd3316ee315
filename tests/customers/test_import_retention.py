from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.customers import services
from apps.customers.models import CustomerImport
from apps.customers.tasks import purge_import_files
from tests.factories import CustomerImportFactory

pytestmark = pytest.mark.django_db


def test_uploads_are_deleted_after_the_retention_period(workspace, settings):
    settings.CUSTOMER_IMPORT_RETENTION_DAYS = 14
    old = CustomerImportFactory(workspace=workspace, status="done", finished_at=timezone.now() - timedelta(days=15))
    recent = CustomerImportFactory(workspace=workspace, status="done", finished_at=timezone.now() - timedelta(days=2))
    running = CustomerImportFactory(workspace=workspace, status="running")
    assert purge_import_files() == 1
    assert purge_import_files() == 0  # idempotent
    old.refresh_from_db()
    assert bytes(old.content) == b"" and old.file_purged_at is not None
    for kept in (recent, running):
        kept.refresh_from_db()
        assert bytes(kept.content) != b"" and kept.file_purged_at is None


def test_a_purged_import_keeps_its_summary_and_cannot_be_rerun(client, workspace, alice):
    customer_import = CustomerImportFactory(workspace=workspace)
    services.customer_import_run(import_id=customer_import.pk)
    services.customer_import_purge_files(older_than=timedelta(0))
    client.force_login(alice)
    page = client.get(f"/w/{workspace.slug}/customers/imports/{customer_import.pk}/")
    assertContains(page, "was deleted on")
    assertNotContains(page, "Try again")
    rerun = services.customer_import_run(import_id=customer_import.pk)
    assert rerun.status == CustomerImport.Status.DONE
    assert (rerun.total_rows, rerun.created_count) == (1, 1)
    assert "deleted after the retention period" in rerun.failure_message

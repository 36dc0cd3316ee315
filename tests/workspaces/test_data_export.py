"""Owners export everything of their workspace as a ZIP of CSV files, prepared by a Celery job."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.workspaces import tasks
from apps.workspaces.data_export import tenant_models
from apps.workspaces.models import AuditEntry, Role, WorkspaceExport
from tests.factories import CustomerFactory, MembershipFactory, WorkspaceFactory

from .world import EMPTY_TABLES, populate, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.WORKSPACE_EXPORT_ROOT = tmp_path / "exports"
    return settings.WORKSPACE_EXPORT_ROOT


def request_export(client, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/w/{workspace.slug}/settings/data/export/")
    assert response.status_code == 302
    return WorkspaceExport.objects.for_workspace(workspace).latest("pk")


def read_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_csv(archive, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_export_holds_every_table_of_the_workspace_and_nothing_of_another(
        client, workspace, alice, django_capture_on_commit_callbacks):
    other = WorkspaceFactory(name="Other brand")
    populate(workspace)
    populate(other)
    CustomerFactory(workspace=other, email="secret-of-other@example.com")
    CustomerFactory(workspace=workspace, email="ours@example.com", name="=HYPERLINK(\"x\")")
    client.force_login(alice)

    export = request_export(client, workspace, django_capture_on_commit_callbacks)
    assert export.status == WorkspaceExport.Status.DONE
    assert export.progress_percent == 100 and export.done_tables == export.total_tables == len(tenant_models())
    assert AuditEntry.objects.for_workspace(workspace).filter(action="workspace.exported",
                                                             details__export_id=export.pk).exists()

    response = client.get(f"/w/{workspace.slug}/settings/data/exports/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = read_zip(response)
    counts = row_counts(workspace.pk)
    manifest = json.loads(archive.read("manifest.json"))
    assert {table["file"]: table["rows"] for table in manifest["tables"]} == {
        f"{label}.csv": count for label, count in counts.items()}
    for model in tenant_models():
        rows = read_csv(archive, f"{model._meta.label_lower}.csv")
        assert len(rows) == counts[model._meta.label_lower]
        assert {row["workspace_id"] for row in rows} <= {str(workspace.pk)}, model
        ours = set(map(str, model.objects.filter(workspace=workspace).values_list("pk", flat=True)))
        assert {row["id"] for row in rows} == ours, model
    assert {label for label, count in counts.items() if not count} <= EMPTY_TABLES
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"secret-of-other@example.com" not in everything
    assert b"ours@example.com" in everything
    customers = read_csv(archive, "customers.customer.csv")
    assert "'=HYPERLINK(\"x\")" in {row["name"] for row in customers}  # safe to open in Excel
    assert json.loads(archive.read("workspace.json"))["slug"] == workspace.slug
    assert "alice" in {row["username"] for row in read_csv(archive, "members.csv")}


def test_the_data_page_shows_progress_and_the_download(client, workspace, alice, django_assert_max_num_queries):
    client.force_login(alice)
    running = WorkspaceExport.objects.create(workspace=workspace, requested_by=alice, total_tables=40,
                                             done_tables=10, status="running")
    with django_assert_max_num_queries(12):
        page = client.get(f"/w/{workspace.slug}/settings/data/")
    assertContains(page, "10 of 40 tables")
    assertContains(page, f'hx-get="/w/{workspace.slug}/settings/data/exports/{running.pk}/"')
    WorkspaceExport.objects.filter(pk=running.pk).update(status="done", done_tables=40, size_bytes=2048)
    row = client.get(f"/w/{workspace.slug}/settings/data/exports/{running.pk}/", headers={"HX-Request": "true"})
    assertContains(row, f"/settings/data/exports/{running.pk}/download/")
    assert "hx-trigger" not in row.content.decode()


def test_a_rerun_after_a_crash_writes_the_same_file(workspace, alice, export_root, monkeypatch):
    populate(workspace)
    export = WorkspaceExport.objects.create(workspace=workspace, requested_by=alice, total_tables=3)
    from apps.workspaces import data_export

    real = data_export._write_csv
    calls = {"n": 0}

    def crash_on_the_fifth_table(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(data_export, "_write_csv", crash_on_the_fifth_table)
    with pytest.raises(OSError):
        tasks.export_workspace(export.pk)
    export.refresh_from_db()
    assert export.status == "failed"
    assert list(export_root.iterdir()) == []  # no half-written ZIP under any name
    WorkspaceExport.objects.filter(pk=export.pk).update(status="running")  # as if the worker died mid-way
    tasks.export_workspace(export.pk)
    export.refresh_from_db()
    assert export.status == "done" and export.path.is_file()
    assert len(zipfile.ZipFile(export.path).namelist()) == len(tenant_models()) + 3


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST, Role.VIEWER])
def test_only_owners_export_and_download(client, workspace, alice, role, django_capture_on_commit_callbacks):
    client.force_login(alice)
    export = request_export(client, workspace, django_capture_on_commit_callbacks)
    member = MembershipFactory(workspace=workspace, role=role).user
    client.force_login(member)
    assert client.post(f"/w/{workspace.slug}/settings/data/export/").status_code == 403
    assert client.get(f"/w/{workspace.slug}/settings/data/exports/{export.pk}/download/").status_code == 403


def test_an_expired_export_is_gone(client, workspace, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    export = request_export(client, workspace, django_capture_on_commit_callbacks)
    assert export.path.is_file()
    WorkspaceExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.purge_expired_exports() == 1
    export.refresh_from_db()
    assert export.status == "expired" and not export.path.exists()
    response = client.get(f"/w/{workspace.slug}/settings/data/exports/{export.pk}/download/")
    assertContains(response, "It has expired", status_code=410)
    assert tasks.purge_expired_exports() == 0

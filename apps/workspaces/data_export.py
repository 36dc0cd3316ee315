"""Write everything of one workspace into a ZIP: one CSV per tenant table, the workspace itself and its
members as JSON/CSV, and a manifest. Rows are streamed from the database in chunks straight into the
compressed entry, so memory stays flat whatever the workspace's size."""

import csv
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from cxm.spreadsheets import neutralise_formula

from .models import Membership, Workspace, WorkspaceOwned

CHUNK_ROWS = 2000


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model that inherits WorkspaceOwned, in a stable order."""
    return sorted((model for model in apps.get_models() if issubclass(model, WorkspaceOwned)),
                  key=lambda model: model._meta.label_lower)


def exported_fields(model) -> list[models.Field]:
    # Uploaded files kept in the row (BinaryField) are not data a person can read; their summaries are.
    return [field for field in model._meta.concrete_fields if not isinstance(field, models.BinaryField)]


def cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | int | float | Decimal):
        return value
    # Safe to open in Excel: a text that starts like a formula is not run as one.
    return neutralise_formula(str(value))


def _write_csv(archive: zipfile.ZipFile, name: str, header: list[str], rows) -> int:
    count = 0
    with archive.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig",
                                                                           newline="") as text:
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(value) for value in row])
            count += 1
    return count


def write_workspace_zip(workspace: Workspace, destination, *, progress: Callable[[int, int], None]) -> int:
    """Write the ZIP to `destination` (a path); progress(tables_done, rows_so_far) after each table.
    Returns the number of rows written."""
    models_ = tenant_models()
    manifest = {"workspace": {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name},
                "generated_at": timezone.now().isoformat(), "format": "CSV, UTF-8 with BOM, one file per table",
                "tables": []}
    total_rows = 0
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        workspace_fields = exported_fields(Workspace)
        row = Workspace.objects.filter(pk=workspace.pk).values(*[field.attname for field in workspace_fields]).get()
        archive.writestr("workspace.json", json.dumps(row, ensure_ascii=False, indent=2, default=str))
        members = (Membership.objects.for_workspace(workspace).order_by("pk")
                   .values_list("user_id", "user__username", "user__email", "user__first_name", "user__last_name",
                                "role", "created_at"))
        total_rows += _write_csv(archive, "members.csv",
                                 ["user_id", "username", "email", "first_name", "last_name", "role", "joined_at"],
                                 members.iterator(chunk_size=CHUNK_ROWS))
        for done, model in enumerate(models_, start=1):
            columns = [field.attname for field in exported_fields(model)]
            rows = (model.objects.for_workspace(workspace).order_by("pk").values_list(*columns)
                    .iterator(chunk_size=CHUNK_ROWS))
            name = f"{model._meta.label_lower}.csv"
            count = _write_csv(archive, name, columns, rows)
            total_rows += count
            manifest["tables"].append({"file": name, "model": model._meta.label, "rows": count,
                                       "title": str(model._meta.verbose_name_plural)})
            progress(done, total_rows)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return total_rows


def write_to_export_root(workspace: Workspace, file_name: str, *, progress) -> tuple[int, int]:
    """Write through a temporary file in the same folder and rename it at the end: a job killed half-way
    leaves no truncated ZIP under the final name. Returns (rows, bytes)."""
    root = settings.WORKSPACE_EXPORT_ROOT
    os.makedirs(root, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=root, suffix=".part")
    os.close(handle)
    try:
        rows = write_workspace_zip(workspace, temporary, progress=progress)
        os.replace(temporary, os.path.join(root, file_name))
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return rows, os.path.getsize(os.path.join(root, file_name))

"""The dirty slice's workspace-only index: written with every survey submission, and dirtyslice_unique_day
serves the same lookups."""

from django.db import migrations

from cxm.migration_ops import workspace_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_savedsegmentrollup"),
        ("workspaces", "0006_workspace_deletion_due_at_and_more"),
    ]

    operations = [
        workspace_index_dropped("dirtyslice", "kpis_dirtyslice", "kpis_dirtyslice_workspace_id_a6878f4c"),
    ]

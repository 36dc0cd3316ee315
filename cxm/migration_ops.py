"""Migration operations shared by several apps' migrations."""

import django.db.models.deletion
from django.db import migrations, models


def workspace_index_dropped(model_name: str, table: str, index: str) -> migrations.SeparateDatabaseAndState:
    """Drop a tenant model's workspace-only index (its field becomes workspace_key(db_index=False)).

    Only the index goes: Django's own AlterField would also drop and re-add the foreign key, which re-checks
    every row of a table that holds months of responses. `index` is the name Django gave it, the same on
    PostgreSQL and SQLite; on PostgreSQL dropping a partitioned table's index drops its partitions' too."""
    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunSQL(f'DROP INDEX IF EXISTS "{index}"',
                                               f'CREATE INDEX "{index}" ON "{table}" ("workspace_id")')],
        state_operations=[migrations.AlterField(model_name=model_name, name="workspace", field=models.ForeignKey(
            db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="workspaces.workspace",
            verbose_name="workspace"))])

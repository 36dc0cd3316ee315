"""The workspace-only indexes of the tables every survey submission writes: their (workspace, …) indexes serve
the same lookups."""

from django.db import migrations

from cxm.migration_ops import workspace_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0011_response_partitions"),
        ("workspaces", "0006_workspace_deletion_due_at_and_more"),
    ]

    operations = [
        workspace_index_dropped("answer", "surveys_answer", "surveys_answer_workspace_id_5a4f6e3f"),
        workspace_index_dropped("response", "surveys_response", "surveys_response_workspace_id_c4112cdc"),
        workspace_index_dropped("submissionkey", "surveys_submissionkey", "surveys_submissionkey_workspace_id_af6e7eb5"),
    ]

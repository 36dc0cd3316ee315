"""The feedback item's workspace-only index: written with every survey comment, and the item's (workspace, …)
indexes serve the same lookups."""

from django.db import migrations

from cxm.migration_ops import workspace_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_response_partition_keys"),
        ("workspaces", "0006_workspace_deletion_due_at_and_more"),
    ]

    operations = [
        workspace_index_dropped("feedbackitem", "feedback_feedbackitem", "feedback_feedbackitem_workspace_id_defccbf1"),
    ]

"""Responses partitioned by month on PostgreSQL (apps/surveys/partitions.py says how and why); nothing on
SQLite. The table is rebuilt: its rows are copied into the partitioned one, which takes about a minute per
million responses, with the table locked."""

from django.db import migrations

from apps.surveys.partitions import migrate_partition, migrate_unpartition


class Migration(migrations.Migration):
    # The rebuild copies the table: one transaction, so a failure leaves the old table as it was.
    atomic = True

    dependencies = [
        ("surveys", "0010_response_partition_keys"),
        # The foreign keys to responses are gone before the table is replaced.
        ("feedback", "0002_response_partition_keys"),
    ]

    operations = [
        migrations.RunPython(migrate_partition, migrate_unpartition, elidable=False),
    ]

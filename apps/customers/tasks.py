from celery import shared_task


@shared_task(acks_late=True)
def import_customers(import_id: int) -> None:
    """Import a stored CSV upload. Safe to run again: it recomputes from the file and upserts."""
    from . import services

    services.customer_import_run(import_id=import_id)


@shared_task
def purge_import_files() -> int:
    """Daily: uploaded customer files are kept only CUSTOMER_IMPORT_RETENTION_DAYS days."""
    from datetime import timedelta

    from django.conf import settings

    from . import services

    return services.customer_import_purge_files(older_than=timedelta(days=settings.CUSTOMER_IMPORT_RETENTION_DAYS))
